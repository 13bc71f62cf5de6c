// The cifar chapter's paper preset end to end, on timm checkpoints small enough for a test but
// of the study's geometry where it matters: 224 px inputs in 16 px patches, so that CIFAR-10's
// images are upscaled bilinearly from 32 px as the study fed them.
import Checkpoints
import Common
import Results
import Training
import Foundation
import Models
@testable import Recipes
import TestSupport
import Testing

@Suite struct CIFARPaperPresetTests {
    @Test func thePaperPresetFineTunesEachCheckpointOnUpscaledCIFAR10() throws {
        let scratch = try ScratchDirectory()
        let data = scratch.url.appendingPathComponent("cifar-10-batches-bin"), results = scratch.url.appendingPathComponent("results")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        try writeCIFAR10Batches(to: data, trainLabels: [0, 1, 0, 0, 1, 1, 0], testLabels: [1, 0, 1, 0], classNames: ["first", "second"])
        var arguments = ["--preset", "paper", "--quick", "--cifar10", data.path, "--subset", "2", "--results", results.path,
                         "--cache", scratch.url.appendingPathComponent("cache").path]
        for model in CIFARModel.allCases {
            let directory = scratch.url.appendingPathComponent(model.slug)
            try TimmFixture.write(model, to: directory)
            arguments += ["--\(model.slug)", directory.path]
        }
        let run = try runProduct("cifar", arguments)
        #expect(run.status == 0, "\(run.stderr)")
        let file = try #require(try ChapterResultsFile<CIFARResults>.load(from: results))
        #expect(file.preset == .paper)
        #expect(file.results.models.map(\.name) == ["DenseNet201", "DeiT-Base-Distilled", "CaiT-S24"])
        // Two training images of each class and one test image (2 / 5, at least one).
        #expect(file.results.models.allSatisfy { $0.train.images == 4 && $0.validation.images == 2 })
        #expect(file.results.hyperParameters["image_size"] == .number(224))
        #expect(file.results.hyperParameters["upscaling"] == .text("bilinear from 32 px"))
        #expect(file.results.dataset.contains("subset"))
        // What the whole of CIFAR-10 would take at the measured rate, for each model.
        #expect(run.stdout.components(separatedBy: "on all of CIFAR-10 at this rate").count == 4, "\(run.stdout)")
    }
}
