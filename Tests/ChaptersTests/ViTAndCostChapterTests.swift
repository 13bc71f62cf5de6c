// The vit, cost and reproduce chapters end to end at --quick size: each exits 0 and writes its
// results file, tagged with its preset, with the numbers the report reads; bad input is one line.
import Common
import Results
import Training
import Foundation
import Testing
import TestSupport

/// A results file as plain JSON: the envelope, with the payload under "results".
private func resultsJSON(_ file: URL) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
}

@Suite(.serialized) struct ViTAndCostChapterTests {
    @Test func vitFineTunesTheMiniViTAndSavesACheckpoint() throws {
        let work = try ScratchDirectory()
        let run = try runProduct("vit", ["--quick", "--results", "results", "--cache", "cache", "--seed", "3"], in: work.url)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.split(separator: "\n").allSatisfy { $0.hasPrefix("[vit mini]") })

        let json = try resultsJSON(work.url.appendingPathComponent("results/vit.json"))
        #expect(json["preset"] as? String == "mini" && json["seed"] as? Int == 3)
        #expect((json["peak_memory_bytes"] as? Int ?? 0) > 0)
        let file = try ChapterResultsFile<ViTResults>.read(work.url.appendingPathComponent("results/vit.json"))
        let results = file.results
        // Two quick epochs of MiniFood's 728 training images in batches of 3 (256 x 728 / 72,800).
        #expect(results.hyperParameters[HyperParameterName.batchSize] == .number(3))
        #expect(results.lossCurve.count == 2 * 243 && results.lossCurve.allSatisfy { $0.loss.isFinite && $0.loss > 0 })
        #expect(results.lossCurve.last?.epoch == 2)
        #expect(results.epochs?.map(\.epoch) == [1, 2])
        #expect(results.test.top1.images == 182)
        #expect((json["results"] as? [String: Any])?["validation"] == nil, "the test accuracy is written once, as test")
        let top1 = results.test.top1
        #expect((0...1).contains(top1.value) && top1.value <= results.test.top5.value)
        #expect(top1.interval.map { $0.low <= top1.value && top1.value <= $0.high } == true)
        #expect(results.hyperParameters[HyperParameterName.learningRate] == .number(1e-4))
        #expect(results.hyperParameters["schedule"] == .text("constant"))
        #expect(file.summary.contains("mini preset"))

        // The fine-tuned model is a Hugging Face checkpoint with the 91 class names.
        let config = try resultsJSON(work.url.appendingPathComponent("cache/vit-fine-tuned-mini-quick/config.json"))
        #expect((config["id2label"] as? [String: String])?.count == 91)
        #expect(FileManager.default.fileExists(atPath: work.url.appendingPathComponent("cache/vit-fine-tuned-mini-quick/model.safetensors").path))
    }

    @Test func costMeasuresThreeApproachesAndReadsChapterRunsOfItsPreset() throws {
        let work = try ScratchDirectory()
        let results = work.url.appendingPathComponent("results")
        // A vit run of this preset and a clip run of the other: only the first is this preset's.
        let classes = ClassCounts(trained: 2, heldOut: 2)
        try ChapterResultsFile(
            preset: .mini, seed: 0, quick: false, gitCommit: "c", machine: .current, started: "s", seconds: 1, peakMemoryBytes: nil, output: nil,
            results: ViTResults(model: "m", checkpointSource: "c", dataset: "d", trainableParameters: 1, hyperParameters: [:],
                                test: TopKAccuracy(top1: Accuracy(value: 0.5, images: 2), top5: Accuracy(value: 1, images: 2)), lossCurve: [],
                                classes: classes, trainImages: 2, resumedFromStep: nil)).write(to: results)
        try ChapterResultsFile(
            preset: .paper, seed: 0, quick: false, gitCommit: "c", machine: .current, started: "s", seconds: 1, peakMemoryBytes: nil, output: nil,
            results: CLIPZeroShotResults(model: "m", checkpointSource: "c", dataset: "d", templates: [],
                                         test: Accuracy(value: 0.5, images: 2), extended: Accuracy(value: 0.5, images: 2),
                                         classes: classes)).write(to: results)

        let run = try runProduct("cost", ["--quick", "--results", "results", "--cache", "cache"], in: work.url)
        #expect(run.status == 0, "\(run.stderr)")
        let file = try ChapterResultsFile<CostResults>.read(results.appendingPathComponent("cost.json"))
        #expect(file.preset == .mini)
        let costs = Dictionary(uniqueKeysWithValues: file.results.approaches.map { ($0.approach, $0) })
        #expect(Set(costs.keys) == Set(Approach.allCases))
        let vit = try #require(costs[.vit]), zeroShot = try #require(costs[.clipZeroShot]), fineTune = try #require(costs[.clipFineTune])
        #expect(zeroShot.tier == .low && zeroShot.trainingImagesPerSecond == nil && zeroShot.projection.trainingFlops == 0)
        #expect(vit.inferenceImagesPerSecond > 0 && (vit.trainingImagesPerSecond ?? 0) > 0 && (fineTune.trainingImagesPerSecond ?? 0) > 0)
        #expect(vit.projection.trainingImages == 72_800 && vit.projection.epochs == 10)
        #expect(vit.projection.trainingSecondsOnHardware > 0 && vit.projection.trainingSecondsHere > vit.projection.trainingSecondsOnHardware)
        #expect(vit.chapterWallSeconds != nil && zeroShot.chapterWallSeconds == nil && fineTune.chapterWallSeconds == nil)
        #expect(vit.atMiniSize?.model.hasPrefix("mini ViT") == true && fineTune.atMiniSize != nil)
        #expect(!file.results.tierRule.isEmpty && file.summary.contains("[mini preset, quick smoke-test sizes]"))

        // Table 5's scale-out: both fine-tunings on 1 to 16 machines, one machine being the projection here.
        let scaleOut = try #require(file.results.scaleOut)
        #expect(scaleOut.approaches.map(\.approach) == [.vit, .clipFineTune] && scaleOut.networkGigabitsPerSecond == 10)
        for approach in scaleOut.approaches {
            let here = try #require(costs[approach.approach]).projection.trainingSecondsHere
            #expect(approach.machines.map(\.machines) == [1, 2, 4, 8, 16])
            #expect(abs(approach.machines[0].wallSeconds - here) <= 1e-9 * here)
            #expect(zip(approach.machines, approach.machines.dropFirst()).allSatisfy { $0.wallSeconds > $1.wallSeconds })
        }
        // The all-reduce between two local ranks, measured when mpirun is there.
        guard mpirunURL != nil else {
            print("notice: mpirun is absent (apt-get install openmpi-bin); the cost chapter's all-reduce is not measured here")
            #expect(scaleOut.localAllreduce == nil && scaleOut.localAllreduceNotMeasured?.contains("mpirun") == true)
            return
        }
        let local = try #require(scaleOut.localAllreduce, "not measured: \(scaleOut.localAllreduceNotMeasured ?? "")")
        #expect(local.ranks == 2 && local.repetitions == 3 && local.buckets >= 1 && local.gradient.hasPrefix("ViT-B/16 with 1 of its 12"))
        #expect(local.bytes > 4 * 7_000_000 && local.secondsPerAllreduce > 0 && local.busBytesPerSecond == local.algorithmBytesPerSecond)
        #expect(run.stdout.contains("] all-reduce here: "))
    }

    @Test func reproduceRunsTheChaptersThenTheReport() throws {
        let work = try ScratchDirectory()
        // The data chapter stands for all: the others are tested on their own above.
        let run = try runProduct("reproduce", ["--quick", "--no-build", "--chapters", "data", "--results", "out/results",
                                               "--figures", "out/figures", "--cache", "cache", "--paper", "out/paper.md"], in: work.url)
        #expect(run.status == 0, "\(run.stderr)")
        let out = work.url.appendingPathComponent("out")
        for file in ["results/data.json", "figures/minifood-contact-sheet.png", "figures/fig3-overall-results.png", "paper.md"] {
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(file).path), "\(file)")
        }
        let paper = try String(contentsOf: out.appendingPathComponent("paper.md"), encoding: .utf8)
        #expect(paper.contains("mini"))
        // The diff against the published numbers is printed last.
        #expect(run.stdout.contains("[reproduce mini] $ report diff"))
    }

    @Test func reproduceStopsAtTheFirstFailingChapter() throws {
        let work = try ScratchDirectory()
        let run = try runProduct("reproduce", ["--no-build", "--preset", "paper", "--food101", "/nonexistent/food-101",
                                               "--vit-checkpoint", "/nonexistent/vit", "--clip-checkpoint", "/nonexistent/clip",
                                               "--chapters", "data,vit"], in: work.url)
        #expect(run.status != 0)
        #expect(run.stderr.split(separator: "\n").last?.contains("data failed") == true, "\(run.stderr)")
        #expect(!run.stdout.contains("$ vit"))
        #expect(!FileManager.default.fileExists(atPath: work.url.appendingPathComponent("results/vit.json").path))
    }

    @Test(arguments: [
        ["vit", "--preset", "huge"],
        ["vit", "--checkpoint", "/nonexistent/vit"],
        ["vit", "--preset", "paper", "--food101", "/nonexistent/food-101", "--checkpoint", "/nonexistent/vit"],
        ["vit", "--schedule", "constant", "--warmup-steps", "10"],
        ["cost", "--seed", "minus"],
        ["cost", "--network-gbits", "0"],
        ["cost", "--allreduce-rank"],
        ["reproduce", "--no-build", "--chapters", "data,nonsense"],
        ["reproduce", "--no-build", "--preset", "paper", "--chapters", "data"],
        ["reproduce", "--no-build", "--food101", "/nonexistent/food-101"],
    ])
    func badInputFailsWithOneLine(arguments: [String]) throws {
        let work = try ScratchDirectory()
        let run = try runProduct(arguments[0], Array(arguments.dropFirst()), in: work.url)
        #expect(run.status != 0)
        #expect(run.stderr.split(separator: "\n").count == 1, "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: work.url.appendingPathComponent("results").path))
    }
}
