import ArgumentParser
import CommandLineOptions
import Foundation
import Imaging
import Models

struct Classify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Image classification: a Hugging Face ViTForImageClassification or a timm DeiT, CaiT or DenseNet checkpoint.")

    @OptionGroup var options: CheckpointOptions
    @OptionGroup var precision: PrecisionOption

    @Option(help: "How many of the best labels the table shows per image.")
    var top = 5

    @Argument(help: "Images (JPEG or PNG).")
    var images: [String]

    func validate() throws {
        if images.isEmpty { throw UsageError("give at least one image") }
        try requireTop(top)
    }

    func run() throws {
        try onEveryRank {
            try precision.applyNotingBF16()
            let classifier = try loadImageClassifier(checkpoint: options.directory)
            guard let logits = try shardedRows(of: imagePaths(images), batchSize: classifier.batchSize, width: classifier.labels.count, {
                try classifier.logits($0)
            }) else { return }
            if options.json {
                try printJSON(["logits": logits])
            } else {
                printTopLabels(logits: logits, labels: classifier.labels, images: images, top: top)
            }
        }
    }
}
