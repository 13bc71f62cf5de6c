// The wise-ft chapter end to end at the quick mini sizes, after clip-finetune: one point per
// alpha with intervals, ends that agree with the clip and clip-finetune chapters, and a clear
// error without a fine-tuned model.
import Common
import Results
import Training
import Foundation
import TestSupport
import Testing

@Suite struct WiSEFTChapterTests {
    @Test func mixesTheFineTunedModelClipFineTuneSaved() throws {
        let scratch = try ScratchDirectory()
        for chapter in ["clip", "clip-finetune"] {
            let run = try runChapter(chapter, ["--quick"], in: scratch)
            #expect(run.status == 0, "\(run.stderr)")
        }
        let run = try runChapter("wise-ft", ["--quick", "--alphas", "0, 0.5,1"], in: scratch)
        #expect(run.status == 0, "\(run.stderr)")
        let results = scratch.url.appendingPathComponent("results")
        let file = try ChapterResultsFile<WiSEFTResults>.read(results.appendingPathComponent("wise-ft.json"))
        let points = file.results.points
        #expect(file.preset == .mini && points.map(\.alpha) == [0, 0.5, 1])
        #expect(points.allSatisfy { $0.test.images == 182 && $0.extended.images == 50 && $0.test.interval != nil && $0.extended.interval != nil })
        // The ends are zero-shot CLIP (the clip chapter) and the fine-tuned model (clip-finetune).
        let zeroShot = try ChapterResultsFile<CLIPZeroShotResults>.read(results.appendingPathComponent("clip.json")).results
        let fineTuned = try ChapterResultsFile<CLIPFineTuneResults>.read(results.appendingPathComponent("clip-finetune.json")).results
        #expect(points[0].test.value == zeroShot.test.value && points[0].extended.value == zeroShot.extended.value)
        #expect(points[2].test.value == fineTuned.test.value && points[2].extended.value == fineTuned.extended.value)
        #expect(file.results.fineTunedCheckpoint == fineTuned.fineTunedCheckpoint)
        let best = try #require(file.results.bestAlpha)
        #expect(file.summary.contains("alpha \(String(format: "%g", best)) gives") && file.summary.contains("mini preset"))
        #expect(run.stdout.contains("(equal)"))
    }

    @Test(arguments: [
        ["--quick"],
        ["--quick", "--fine-tuned", "/nonexistent/fine-tuned"],
        ["--quick", "--alphas", "0,1.5"],
        ["--quick", "--alphas", "0,,1"],
    ])
    func badInputFailsWithOneLineAndWritesNothing(arguments: [String]) throws {
        let scratch = try ScratchDirectory()
        let run = try runChapter("wise-ft", arguments, in: scratch)
        #expect(run.status != 0)
        #expect(run.stderr.split(separator: "\n").count == 1, "\(run.stderr)")
        #expect(run.stderr.hasPrefix("wise-ft"))
        #expect(!FileManager.default.fileExists(atPath: scratch.url.appendingPathComponent("results/wise-ft.json").path))
    }
}
