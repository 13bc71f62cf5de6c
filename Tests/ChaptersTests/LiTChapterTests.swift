// The lit chapter end to end at the quick mini sizes: what it writes, and one line on stderr
// with a non-zero exit (and no results file) for bad input.
import Common
import Results
import Training
import Foundation
import TestSupport
import Testing

@Suite struct LiTChapterTests {
    @Test func litWritesBothPromptSetsWithIntervalsAndItsCurve() throws {
        let scratch = try ScratchDirectory()
        let run = try runChapter("lit", ["--quick"], in: scratch)
        #expect(run.status == 0, "\(run.stderr)")
        let file = try ChapterResultsFile<LiTResults>.read(scratch.url.appendingPathComponent("results/lit.json"))
        #expect(file.preset == .mini && file.chapter == "lit")
        let results = file.results
        // MiniFood quick: 2 validation images for each of 91 classes, 5 for each of 10 held out;
        // 728 training images in batches of 32: 23 steps of one epoch.
        #expect(results.test.images == 182 && results.extended.images == 50)
        #expect(results.lossCurve.map(\.step) == Array(1...23) && results.lossCurve.allSatisfy { $0.loss.isFinite })
        #expect(results.templates == ["a photo of {}, a type of food."] && results.trainingTemplates.count == 7)
        #expect(results.promptEnsembles.count == 1 && results.beforeTuning.count == 2)
        let accuracies = [results.test, results.extended] + (results.promptEnsembles + results.beforeTuning).flatMap { [$0.test, $0.extended] }
        for accuracy in accuracies {
            let interval = try #require(accuracy.interval)
            #expect(interval.low <= accuracy.value && accuracy.value <= interval.high && interval.resamples == 1000)
        }
        #expect(results.hyperParameters["locked"] == .text("vision_model, visual_projection"))
        #expect(file.summary.contains("mini preset") && file.summary.contains(String(format: "%.2f%%", results.test.value * 100)))
        #expect(run.stdout.split(separator: "\n").allSatisfy { $0.hasPrefix("[lit mini]") })
    }

    @Test func thePaperPresetWithoutFood101FailsInOneLine() throws {
        let scratch = try ScratchDirectory()
        let run = try runChapter("lit", ["--preset", "paper"], in: scratch)
        #expect(run.status != 0)
        #expect(run.stderr.split(separator: "\n").count == 1 && run.stderr.contains("--food101"), "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: scratch.url.appendingPathComponent("results/lit.json").path))
    }
}
