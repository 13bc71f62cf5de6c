// The clip and clip-finetune chapters end to end at the quick mini sizes: what they write, that
// a second fine-tuning run resumes from the first one's checkpoint, and one line on stderr with
// a non-zero exit (and no results file) for bad input.
import Common
import Results
import Training
import Foundation
import TestSupport
import Testing

/// Runs `chapter` in `scratch` with its results and cache inside it.
func runChapter(_ chapter: String, _ arguments: [String], in scratch: ScratchDirectory) throws -> ProcessOutcome {
    try runProduct(chapter, arguments + ["--results", scratch.url.appendingPathComponent("results").path,
                                         "--cache", scratch.url.appendingPathComponent("cache").path])
}

@Suite struct CLIPChaptersTests {
    @Test func zeroShotWritesBothAccuraciesAndTheEnsembleWithIntervals() throws {
        let scratch = try ScratchDirectory()
        let run = try runChapter("clip", ["--quick"], in: scratch)
        #expect(run.status == 0, "\(run.stderr)")
        let file = try ChapterResultsFile<CLIPZeroShotResults>.read(scratch.url.appendingPathComponent("results/clip.json"))
        #expect(file.preset == .mini && file.chapter == "clip" && file.seed == 0)
        let results = file.results
        // MiniFood quick: 2 validation images for each of 91 classes, 5 for each of 10 held out.
        #expect(results.test.images == 182 && results.extended.images == 50)
        #expect((0...1).contains(results.test.value) && (0...1).contains(results.extended.value))
        #expect(results.templates == ["a photo of {}, a type of food."])
        // The ensemble is scored by default.
        let ensemble = try #require(results.promptEnsembles?.first)
        #expect(results.promptEnsembles?.count == 1 && ensemble.templates.count == 7)
        #expect(ensemble.test.images == 182 && ensemble.extended.images == 50)
        // Every accuracy carries a 95% interval around its value, over its own images.
        for accuracy in [results.test, results.extended, ensemble.test, ensemble.extended] {
            let interval = try #require(accuracy.interval)
            #expect(interval.resamples == BootstrapInterval.standardResamples)
            #expect(interval.low <= accuracy.value && accuracy.value <= interval.high && interval.low < interval.high)
        }
        #expect(file.summary.contains("mini preset") && file.summary.contains(results.test.percentWithInterval))
        #expect(run.stdout.split(separator: "\n").allSatisfy { $0.hasPrefix("[clip mini]") })

        // --no-ensemble leaves it out and scores the single template alike.
        let single = try runChapter("clip", ["--quick", "--no-ensemble"], in: scratch)
        #expect(single.status == 0, "\(single.stderr)")
        let alone = try ChapterResultsFile<CLIPZeroShotResults>.read(scratch.url.appendingPathComponent("results/clip.json")).results
        #expect(alone.promptEnsembles == nil && alone.test == results.test && alone.extended == results.extended)
    }

    @Test func fineTuningWritesItsCurveSavesTheModelAndResumes() throws {
        let scratch = try ScratchDirectory()
        let first = try runChapter("clip-finetune", ["--quick"], in: scratch)
        #expect(first.status == 0, "\(first.stderr)")
        let resultsFile = scratch.url.appendingPathComponent("results/clip-finetune.json")
        let file = try ChapterResultsFile<CLIPFineTuneResults>.read(resultsFile)
        let results = file.results
        // 728 quick training images in batches of 32: 23 steps of one epoch.
        #expect(results.lossCurve.map(\.step) == Array(1...23))
        #expect(results.lossCurve.allSatisfy { $0.loss.isFinite && $0.learningRate == 1e-4 })
        #expect(results.hyperParameters[HyperParameterName.batchSize] == .number(32))
        #expect(results.hyperParameters["recipe"] == .text("ft-clip") && results.recipe == "ft-clip")
        // The main recipe is the recipes array's first entry, with the same numbers.
        #expect(results.recipes.map(\.id) == ["ft-clip"] && results.recipes[0].test == results.test
                && results.recipes[0].extended == results.extended && !results.recipes[0].trained.isEmpty)
        #expect(results.test.images == 182 && results.extended.images == 50)
        #expect(results.test.interval != nil && results.extended.interval != nil)
        // The held-out classes zero-shot again with the mini preset's 7-template ensemble.
        let ensemble = try #require(results.extendedPromptEnsembles?.first)
        #expect(results.extendedPromptEnsembles?.count == 1 && ensemble.templates.count == 7)
        #expect(ensemble.extended.images == 50 && ensemble.extended.interval != nil)
        #expect(results.trainableParameters > 0 && file.summary.contains("mini preset"))
        let saved = try #require(results.fineTunedCheckpoint)
        for name in ["config.json", "model.safetensors", "classifier.safetensors", "preprocessor_config.json", "vocab.json", "merges.txt"] {
            #expect(FileManager.default.fileExists(atPath: saved + "/" + name), "\(name) missing in \(saved)")
        }

        // A second run finds the finished training and measures the same model again.
        let second = try runChapter("clip-finetune", ["--quick"], in: scratch)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout.contains("resuming from the checkpoint at step 23 of 23"))
        let again = try ChapterResultsFile<CLIPFineTuneResults>.read(resultsFile).results
        #expect(again.test == results.test && again.extended == results.extended && again.lossCurve == results.lossCurve)
    }

    @Test(arguments: [
        ["clip", "--preset", "paper"],
        ["clip-finetune", "--preset", "paper"],
        ["clip", "--preset", "paper", "--food101", "/nonexistent/food-101", "--checkpoint", "/nonexistent/clip"],
        ["clip-finetune", "--preset", "paper", "--food101", "/nonexistent/food-101", "--checkpoint", "/nonexistent/clip"],
        ["clip", "--checkpoint", "/nonexistent/clip"],
        ["clip", "--no-such-flag"],
        ["clip-finetune", "--quick", "--layer-decay", "1.5"],
        ["clip-finetune", "--quick", "--recipe", "random"],
        ["clip-finetune", "--quick", "--recipes", "ft-clip,random"],
        ["clip-finetune", "--quick", "--rand-augment", "rand-m9-mstd0.5-inc0"],
    ])
    func badInputFailsWithOneLineAndWritesNothing(arguments: [String]) throws {
        let scratch = try ScratchDirectory()
        let run = try runChapter(arguments[0], Array(arguments.dropFirst()), in: scratch)
        #expect(run.status != 0)
        #expect(run.stderr.split(separator: "\n").count == 1, "\(run.stderr)")
        #expect(run.stderr.hasPrefix(arguments[0]))
        #expect(!FileManager.default.fileExists(atPath: scratch.url.appendingPathComponent("results").path))
    }
}
