import ArgumentParser
import CommandLineOptions
import Foundation
import Imaging
import Models

struct ZeroShot: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zero-shot",
        abstract: "Zero-shot classification with CLIP: images against text prompts made from label names.")

    @OptionGroup var options: CheckpointOptions
    @OptionGroup var precision: PrecisionOption

    @Option(help: "The prompt template; {} stands for the label.")
    var template = PromptTemplates.food.templates[0]

    @Option(name: .customLong("label"), help: "A class name (repeat for each class).")
    var labels: [String] = []

    @Option(help: "A file of class names, one a line (after any --label): for thousands of labels.")
    var labelsFile: String?

    @Option(help: "How many of the best labels the table shows per image.")
    var top = 5

    @Flag(help: "Cut a prompt longer than the text model's positions to fit, as open_clip does (by default it is refused, as transformers does).")
    var truncate = false

    @Argument(help: "Images (JPEG or PNG).")
    var images: [String]

    mutating func validate() throws {
        labels = try checkedLabels(options: labels, file: try labelsFile.map { ($0, try readLabelsFile($0)) })
        try requireTop(top)
        if images.isEmpty { throw UsageError("give at least one image") }
        if !template.contains("{}") { throw UsageError("the template must contain {} where the label goes") }
    }

    func run() throws {
        try onEveryRank {
            try precision.applyNotingBF16()
            let classifier = try ZeroShotClassifier(checkpoint: options.directory)
            let prompts = PromptTemplates(name: "template", templates: [template], source: "--template")
            if !truncate { try classifier.requirePromptsFit(labels, prompts: prompts) }
            let classes = classifier.classEmbeddings(labels, prompts: prompts, truncate: truncate)
            guard let logits = try shardedRows(of: imagePaths(images), batchSize: classifier.batchSize, width: labels.count, {
                try classifier.logitsPerImage($0, classes: classes)
            }) else { return }
            if options.json {
                try printJSON(["logits_per_image": logits])
            } else {
                printTopLabels(logits: logits, labels: labels, images: images, top: top)
            }
        }
    }
}

/// `--top` counts labels: at least one.
func requireTop(_ top: Int) throws {
    if top < 1 { throw UsageError("--top must be at least 1, got \(top)") }
}

/// A readable table: for each image its best labels with softmax probabilities.
func printTopLabels(logits: [[Float]], labels: [String], images: [String], top: Int) {
    for (image, row) in zip(images, logits) {
        print(image)
        let maximum = row.max() ?? 0
        let weights = row.map { Foundation.exp($0 - maximum) }
        let total = weights.reduce(0, +)
        for index in row.indices.sorted(by: { row[$0] > row[$1] }).prefix(top) {
            print(String(format: "  %6.2f%%  %8.4f  ", 100 * weights[index] / total, row[index]) + labels[index])
        }
    }
}
