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
        for (chapter, flags) in [("clip", []), ("clip-finetune", ["--recipes", "ft-clip,zero-shot-head,flyp"])] {
            let run = try runChapter(chapter, ["--quick"] + flags, in: scratch)
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
        let zeroShotHead = try #require(fineTuned.recipes.first { $0.id == "zero-shot-head" })
        #expect(file.results.recipe == "zero-shot-head" && file.results.fineTunedCheckpoint == zeroShotHead.fineTunedCheckpoint)
        #expect(points[2].test.value == zeroShotHead.test.value && points[2].extended.value == zeroShotHead.extended.value)
        // Alpha was chosen on training images, which the reported accuracies never use.
        let selection = try #require(file.results.selection)
        #expect(selection.count > 91 && selection.count < 728 && selection.scores.map(\.alpha) == [0, 0.5, 1])
        #expect(selection.images.contains("training images") && selection.reportedOn.contains("test images"))
        #expect(file.results.bestAlphaRule?.contains("training images") == true)
        // ft-clip gets its own curve; flyp is said not to be mixed.
        let ftCLIP = try #require(file.results.otherRecipes?.first)
        #expect(ftCLIP.recipe == "ft-clip" && ftCLIP.points.count == 3 && ftCLIP.mixed.contains("kept as trained"))
        #expect(file.results.notDefined == nil)
        let best = try #require(file.results.bestAlpha)
        #expect(file.summary.contains("alpha \(String(format: "%g", best))") && file.summary.contains("mini preset"))
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
