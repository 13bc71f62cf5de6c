// The lit chapter end to end at the quick mini sizes: one entry per image tower (the fine-tuned
// ViT found through vit.json), and one line on stderr with a non-zero exit (and no results
// file) for bad input.
import Common
import Results
import Training
import Foundation
import TestSupport
import Testing

@Suite struct LiTChapterTests {
    @Test func litWritesOneEntryPerImageTowerWithIntervalsAndItsCurve() throws {
        let scratch = try ScratchDirectory()
        let vit = try runChapter("vit", ["--quick"], in: scratch)
        #expect(vit.status == 0, "\(vit.stderr)")
        let vitFile = try ChapterResultsFile<ViTResults>.read(scratch.url.appendingPathComponent("results/vit.json"))
        #expect(vitFile.results.fineTunedCheckpoint?.hasSuffix("cache/vit-fine-tuned-mini-quick") == true)

        let run = try runChapter("lit", ["--quick"], in: scratch)
        #expect(run.status == 0, "\(run.stderr)")
        let file = try ChapterResultsFile<LiTResults>.read(scratch.url.appendingPathComponent("results/lit.json"))
        #expect(file.preset == .mini && file.chapter == "lit")
        let results = file.results
        #expect(results.variants.map(\.imageTower) == [.clip, .vitPretrained, .vitFineTuned])
        for variant in results.variants {
            // MiniFood quick: 2 validation images for each of 91 classes, 5 for each of 10 held out.
            #expect(variant.test.images == 182 && variant.extended.images == 50)
            #expect(variant.templates == ["a photo of {}, a type of food."] && variant.promptEnsembles.count == 1)
            let accuracies = [variant.test, variant.extended] + (variant.promptEnsembles + (variant.beforeTuning ?? [])).flatMap { [$0.test, $0.extended] }
            for accuracy in accuracies {
                let interval = try #require(accuracy.interval)
                #expect(interval.low <= accuracy.value && accuracy.value <= interval.high && interval.resamples == 1000)
            }
            #expect(variant.lossCurve.allSatisfy { $0.loss.isFinite })
        }
        // CLIP's tower: 728 training images in batches of 32, 23 steps; scored before tuning too.
        let clip = try #require(results[.clip])
        #expect(clip.lossCurve.map(\.step) == Array(1...23) && clip.beforeTuning?.count == 2 && clip.trainingPairCount == 728)
        #expect(clip.hyperParameters["locked"] == .text("vision_model, visual_projection"))
        // The ViTs: the quick mini CLIP's 256 pretraining pairs in batches of 32, 8 steps; the text tower from the mini CLIP.
        for tower in [LiTImageTower.vitPretrained, .vitFineTuned] {
            let variant = try #require(results[tower])
            #expect(variant.lossCurve.count == 8 && variant.trainingPairCount == 256 && variant.beforeTuning == nil)
            #expect(variant.trainingPairs.contains("pretraining captions") && variant.textCheckpoint != nil)
        }
        #expect(results[.vitFineTuned]?.imageCheckpoint == vitFile.results.fineTunedCheckpoint)
        #expect(file.summary.contains("mini preset") && file.summary.contains("fine-tuned ViT"))
        #expect(file.summary.contains(String(format: "%.2f%%", clip.test.value * 100)))
        #expect(run.stdout.split(separator: "\n").allSatisfy { $0.hasPrefix("[lit mini]") })
    }

    @Test(arguments: [
        ["--quick"],
        ["--quick", "--image-tower", "vit-fine-tuned", "--vit-fine-tuned", "/nonexistent/vit"],
        ["--preset", "paper"],
        ["--quick", "--vit-checkpoint", "/nonexistent/vit"],
    ])
    func badInputFailsInOneLineAndWritesNothing(arguments: [String]) throws {
        let scratch = try ScratchDirectory()
        let run = try runChapter("lit", arguments, in: scratch)
        #expect(run.status != 0)
        #expect(run.stderr.split(separator: "\n").count == 1, "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: scratch.url.appendingPathComponent("results/lit.json").path))
    }
}
