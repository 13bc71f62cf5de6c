// The scaling chapter end to end: a quick mini run (two sizes, three learning rates, zero-shot
// CLIP beside them, every accuracy with its interval, finished points reused by a second run), a
// quick paper-preset run on the small Food-101 tree and tiny checkpoints, and bad options refused
// in one line with nothing written.
import Common
import Foundation
import Results
import Testing
import TestSupport
import Training

@Suite struct ScalingChapterTests {
    @Test func quickMiniRunMeasuresBothAxesBesideZeroShotAndReusesFinishedPoints() throws {
        let scratch = try ScratchDirectory()
        let run = try runChapter("scaling", ["--quick"], in: scratch)
        try #require(run.status == 0, "\(run.stderr.suffix(2000))")
        let file = try ChapterResultsFile<ScalingResults>.read(scratch.url.appendingPathComponent("results/scaling.json"))
        let r = file.results
        #expect(file.preset == .mini && file.quick == true && r.classes == ClassCounts(trained: 91, heldOut: 10))
        // MiniFood's quick world has 728 training images, at least 6 of each class: 3 and 6 a class.
        #expect(r.defaultTrainImages == 728 && r.sizes.map(\.imagesPerClass) == [3, 6] && r.sizes.map(\.trainImages) == [273, 546])
        #expect(r.models.map(\.id) == ["vit", "ft-clip", "zero-shot-head"])
        for size in r.sizes {
            #expect(Set(size.models.keys) == ["vit", "ft-clip", "zero-shot-head"])
            #expect(size.models["vit"]?.extended == nil, "ViT's head cannot name the held-out classes")
            for (id, point) in size.models {
                #expect(point.test.images == 182 && point.test.interval != nil, "\(id)")
                if id != "vit" { #expect(point.extended?.images == 50 && point.extended?.interval != nil, "\(id)") }
            }
        }
        // The steps grow with the data at the same epochs and batch.
        let steps = r.sizes.map { $0.models["ft-clip"]!.steps }
        #expect(steps[1] > steps[0])
        #expect(r.learningRates.map(\.model) == ["vit", "vit", "vit", "ft-clip", "ft-clip", "ft-clip"])
        #expect(r.learningRates.map(\.factor) == [0.3, 1, 3, 0.3, 1, 3])
        let published = r.learningRates.first { $0.model == "vit" && $0.factor == 1 }
        #expect(published?.test.images == 182 && published?.test.interval != nil)
        #expect(r.zeroShot.test.images == 182 && r.zeroShot.extended.images == 50 && r.zeroShot.test.interval != nil)
        #expect(file.summary.contains("mini preset, quick run"))

        // A second run finds every point finished and trains nothing.
        let again = try runChapter("scaling", ["--quick"], in: scratch)
        try #require(again.status == 0, "\(again.stderr.suffix(2000))")
        let second = try ChapterResultsFile<ScalingResults>.read(scratch.url.appendingPathComponent("results/scaling.json")).results
        #expect(second.sizes == r.sizes && second.learningRates == r.learningRates)
        #expect(!again.stdout.contains("preprocessing") && !again.stderr.contains("preprocessing"))
    }

    @Test func quickPaperPresetRunOnTheSmallFood101Tree() throws {
        let scratch = try ScratchDirectory()
        guard let food101 = try Food101Fixture.write(to: scratch.url.appendingPathComponent("food-101"), trainPerClass: 4, testPerClass: 1) else {
            print("notice: ../shared/data/food101-sample is absent; the scaling chapter's paper-preset run is skipped")
            return
        }
        let vit = try HuggingFaceFixture.vit.write(to: scratch.url.appendingPathComponent("vit"), freshSeed: 41)
        let clip = try HuggingFaceFixture.clip.write(to: scratch.url.appendingPathComponent("clip"), freshSeed: 42)
        let run = try runChapter("scaling", ["--preset", "paper", "--quick", "--food101", food101.path, "--checkpoint", clip.path,
                                             "--vit-checkpoint", vit.path, "--recipes", "ft-clip", "--learning-rate-factors", "1,3"], in: scratch)
        try #require(run.status == 0, "\(run.stderr.suffix(2000))")
        let file = try ChapterResultsFile<ScalingResults>.read(scratch.url.appendingPathComponent("results/scaling.json"))
        let r = file.results
        #expect(file.preset == .paper && file.quick == true && r.classes == ClassCounts(trained: 91, heldOut: 10))
        #expect(r.sizes.map(\.imagesPerClass) == [2, 4] && r.sizes.allSatisfy { Set($0.models.keys) == ["vit", "ft-clip"] })
        #expect(r.models.map(\.batchSize) == [256, 2048], "Tables 1 and 2's batches at every size")
        #expect(zip(r.learningRates.map(\.learningRate), [1e-4, 3e-4, 1e-4, 3e-4]).allSatisfy { abs($0 - $1) < 1e-12 })
        // Every class keeps 4 training images here, so 1x on the full set is the size axis's largest point.
        #expect(r.learningRates.first { $0.model == "ft-clip" && $0.factor == 1 }?.test == r.sizes.last?.models["ft-clip"]?.test)
        #expect(r.dataset.hasPrefix("Food-101 at"))
        let checkpoints = try #require(file.checkpoints)
        #expect(Set(checkpoints.map(\.standsFor)) == ["google/vit-base-patch16-224", "openai/clip-vit-base-patch32"])
        #expect(checkpoints.allSatisfy { $0.origin == .userSupplied && !$0.published })
    }

    @Test(arguments: [
        ["--quick", "--sizes", "0,4"],
        ["--quick", "--sizes", "4,4"],
        ["--quick", "--sizes", "7"],
        ["--quick", "--learning-rate-factors", "1,-3"],
        ["--quick", "--recipes", "flyp"],
        ["--quick", "--vit-checkpoint", "/models/vit"],
        ["--preset", "paper", "--quick", "--food101", "/nonexistent", "--checkpoint", "/models/clip"],
    ])
    func badOptionsFailWithOneLineAndWriteNothing(arguments: [String]) throws {
        let scratch = try ScratchDirectory()
        let run = try runChapter("scaling", arguments, in: scratch)
        #expect(run.status != 0)
        #expect(run.stderr.split(separator: "\n").count == 1, "\(run.stderr)")
        #expect(run.stderr.hasPrefix("scaling"))
        #expect(!FileManager.default.fileExists(atPath: scratch.url.appendingPathComponent("results/scaling.json").path))
    }
}
