// The cifar chapter as reproduce runs it: a quick mini run end to end, and bad input refused with
// one line and nothing written.
import Common
import Results
import Training
import Foundation
import TestSupport
import Testing

@Suite struct CIFARChapterTests {
    @Test func aQuickMiniRunWritesAllThreeModels() throws {
        let scratch = try ScratchDirectory()
        let results = scratch.url.appendingPathComponent("results")
        let run = try runProduct("cifar", ["--quick", "--seed", "1", "--results", results.path, "--cache", scratch.url.appendingPathComponent("cache").path])
        #expect(run.status == 0, "\(run.stderr)")
        let file = try #require(try ChapterResultsFile<CIFARResults>.load(from: results))
        #expect(file.preset == .mini && file.seed == 1)
        #expect(file.results.models.map(\.name) == ["DenseNet201", "DeiT-Base-Distilled", "CaiT-S24"])
        #expect(file.results.models.allSatisfy { $0.validation.images == 50 && $0.train.images == 250 && $0.trainableParameters > 0 })
        // Both accuracies of every model carry a 95% interval around their value.
        for accuracy in file.results.models.flatMap({ [$0.validation, $0.train] }) {
            let interval = try #require(accuracy.interval)
            #expect(interval.resamples == BootstrapInterval.standardResamples && interval.low <= accuracy.value && accuracy.value <= interval.high)
        }
        #expect(file.results.hyperParameters["image_size"] == .number(32) && file.results.hyperParameters["learning_rate"] == .number(1e-4))
        #expect(file.summary.contains("mini preset"))
        // Every printed line names the preset.
        #expect(run.stdout.split(separator: "\n").allSatisfy { $0.hasPrefix("[cifar mini]") })
    }

    @Test func theMiniModelsFineTuneOnCIFAR10FilesAtTheirNativeSide() throws {
        let scratch = try ScratchDirectory()
        try writeFakeCIFAR10(to: scratch.url)
        let results = scratch.url.appendingPathComponent("results")
        let run = try runProduct("cifar", ["--quick", "--cifar10", scratch.url.path, "--results", results.path,
                                           "--cache", scratch.url.appendingPathComponent("cache").path])
        #expect(run.status == 0, "\(run.stderr)")
        let file = try #require(try ChapterResultsFile<CIFARResults>.load(from: results))
        #expect(file.preset == .mini && file.results.dataset.hasPrefix("CIFAR-10 at"))
        #expect(file.results.hyperParameters["upscaling"] == .text("none"))
        // --quick takes 5 training images of each class (the files hold 5) and 5 / 5 = 1 test image.
        #expect(file.results.models.allSatisfy { $0.train.images == 5 && $0.validation.images == 1 })
    }

    @Test(arguments: [
        ["--preset", "paper"],
        ["--preset", "paper", "--cifar10", "/nonexistent/cifar-10-batches-bin"],
        ["--preset", "paper", "--cifar10", "/nonexistent/cifar-10-batches-bin", "--deit", "/nonexistent/deit"],
        ["--deit", Fixtures.url("timm/deit").path],
        ["--subset", "10"],
    ])
    func badInputFailsWithOneLineAndWritesNothing(arguments: [String]) throws {
        let scratch = try ScratchDirectory()
        let run = try runProduct("cifar", arguments + ["--results", scratch.url.path, "--cache", scratch.url.appendingPathComponent("cache").path])
        #expect(run.status != 0)
        #expect(run.stderr.split(separator: "\n").count == 1, "\(run.stderr)")
        #expect(run.stderr.hasPrefix("cifar [mini]: error: ") || run.stderr.hasPrefix("cifar [paper]: error: "), "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: scratch.url.appendingPathComponent("cifar.json").path))
    }

    @Test func thePaperPresetRefusesACheckpointOfAnotherArchitecture() throws {
        let scratch = try ScratchDirectory()
        try writeFakeCIFAR10(to: scratch.url)
        let run = try runProduct("cifar", ["--preset", "paper", "--cifar10", scratch.url.path, "--cait", Fixtures.url("timm/deit").path,
                             "--results", scratch.url.path, "--cache", scratch.url.path])
        #expect(run.status != 0)
        #expect(run.stderr.contains("deit_base_distilled_patch16_224, not a CaiT-S24"), "\(run.stderr)")
    }
}

/// A one-class CIFAR-10 directory in the binary layout, one record per file.
func writeFakeCIFAR10(to directory: URL) throws {
    let record = Data([0] + [UInt8](repeating: 128, count: 3 * 32 * 32))
    try Data("only\n".utf8).write(to: directory.appendingPathComponent("batches.meta.txt"))
    for name in (1...5).map({ "data_batch_\($0).bin" }) + ["test_batch.bin"] {
        try record.write(to: directory.appendingPathComponent(name))
    }
}

extension ChapterResultsFile {
    /// The summary the chapter printed and paper.md quotes, written by its payload from this file.
    var summary: String { closingSummary ?? "" }
}
