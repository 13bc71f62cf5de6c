// The cost recipe's arithmetic: FLOPs against a hand count and against the figures commonly
// published for ViT-B/16 and CLIP ViT-B/32, the projection, and the tier rule.
import Checkpoints
import Foundation
import Common
import Results
import Training
import Testing
import TestSupport
@testable import Recipes

@Suite struct CostTests {
    @Test func vitFLOPsMatchAHandCount() {
        // 4 x 4 pixels in 2 x 2 patches: 4 patches + [CLS] = 5 tokens of width 4; MLP 8; 3 classes.
        let config = ViTConfig(hiddenSize: 4, numHiddenLayers: 1, numAttentionHeads: 1, intermediateSize: 8, imageSize: 4, patchSize: 2,
                               numChannels: 3, labels: ["a", "b", "c"])
        let patchEmbedding = 2 * 4 * (3 * 2 * 2) * 4  // 4 patches, 12 values each, to width 4: 384
        let projections = 4 * (2 * 5 * 4 * 4)           // q, k, v, output: 640
        let attention = 2 * (2 * 5 * 5 * 4)             // scores and weighted values: 400
        let mlp = 2 * (2 * 5 * 4 * 8)                   // expand and contract: 640
        let head = 2 * 4 * 3                            // 24
        #expect(ForwardFLOPs.vit(config) == Double(patchEmbedding + projections + attention + mlp + head))
        #expect(ForwardFLOPs.vit(config) == 2088)
    }

    @Test func clipFLOPsMatchAHandCount() {
        let config = CLIPConfig(textConfig: CLIPTextConfig(hiddenSize: 2, intermediateSize: 4, projectionDim: 3, numHiddenLayers: 2),
                                visionConfig: CLIPVisionConfig(hiddenSize: 4, intermediateSize: 8, projectionDim: 3, numHiddenLayers: 1,
                                                               imageSize: 4, patchSize: 2),
                                projectionDim: 3)
        // The vision tower is the ViT above without its head, then a 4 -> 3 projection.
        let vision: Double = 384 + 640 + 400 + 640 + 24
        #expect(ForwardFLOPs.clipImage(config) == vision)
        #expect(ForwardFLOPs.similarities(config, classes: 10) == 60)
    }

    @Test func paperModelsCostWhatIsCommonlyPublished() {
        // ViT-B/16 at 224: 17.6 GMACs; CLIP ViT-B/32's image tower: 4.4 GMACs (2 FLOPs per MAC).
        let paper = CostStudy.paperConfigurations(classes: 1000)
        #expect(abs(ForwardFLOPs.vit(paper.vit) / 2 / 17.6e9 - 1) < 0.01)
        #expect(abs(ForwardFLOPs.clipImage(paper.clip) / 2 / 4.4e9 - 1) < 0.01)
    }

    @Test func projectionDividesByTheStatedRates() {
        let figures = ApproachFigures(approach: .vit, name: "v", trainableParameters: 1, forwardFLOPs: 1e10, trainingFLOPsPerImage: 3e10,
                                      throughput: Throughput(inferenceImagesPerSecond: 10, trainingImagesPerSecond: 2))
        let projection = PaperProjection.projection(figures)
        #expect(projection.trainingFlops == 3e10 * 72_800 * 10)
        #expect(abs(projection.trainingSecondsOnHardware - projection.trainingFlops / (2 * 82.6e12 * 0.4)) < 1e-6)
        #expect(projection.trainingSecondsHere == 72_800 * 10 / 2)
        #expect(projection.inferenceFlopsPerImage == 1e10)
    }

    @Test func tiersFollowTheRule() {
        #expect(CostTiers.grade(trainingFLOPs: [.vit: 8e16, .clipZeroShot: 0, .clipFineTune: 2e16])
            == [.vit: .high, .clipZeroShot: .low, .clipFineTune: .medium])
        #expect(CostTiers.grade(trainingFLOPs: [.vit: 3e16, .clipZeroShot: 0, .clipFineTune: 2e16])
            == [.vit: .medium, .clipZeroShot: .low, .clipFineTune: .medium])
        #expect(CostTiers.grade(trainingFLOPs: [.clipZeroShot: 0]) == [.clipZeroShot: .low])
    }
}

// The scale-out projection (Table 5's last column), the trainer's gradient buckets it times, and
// the local all-reduce's figure, recorded or said to be missing.
@Suite struct ScaleOutTests {
    /// An approach trained at 2 images/s here, with 25,000,000 parameters: 1e8 bytes of gradient.
    private func trained(_ approach: Approach = .vit, imagesPerSecond: Double? = 2) -> ApproachCost {
        ApproachCost(approach: approach, name: approach.rawValue, trainableParameters: 25_000_000, flopsPerImage: 1, inferenceImagesPerSecond: 10,
                     trainingImagesPerSecond: imagesPerSecond, chapterWallSeconds: nil, chapterPeakMemoryBytes: nil,
                     projection: CostProjection(trainingImages: 72_800, epochs: 10, hardware: "h", trainingFlops: 1, trainingSecondsOnHardware: 1,
                                                trainingSecondsHere: 364_000, inferenceFlopsPerImage: 1, assumptions: "a"),
                     tier: .medium)
    }

    @Test func wallTimeIsTheDividedComputePlusARingAllreducePerStep() throws {
        // 72,800 images in batches of 256: 285 steps an epoch (the last of 96), 2,850 in all; 728,000
        // images at 2 per second = 364,000 s of compute. Over 1.25e9 bytes/s (10 Gbit/s) a ring
        // all-reduce of 1e8 bytes takes 2 (N - 1) / N x 0.08 s: 0.08 s on 2 machines, 0.12 on 4, 0.15 on 16.
        let projected = try #require(ScaleOutProjection.approach(trained(), globalBatch: 256, networkBytesPerSecond: 1.25e9))
        #expect(projected.steps == 2_850 && projected.gradientBytes == 100_000_000 && projected.globalBatch == 256)
        #expect(abs(projected.computeSecondsPerStep - 364_000.0 / 2_850) < 1e-9)
        #expect(projected.machines.map(\.machines) == [1, 2, 4, 8, 16])
        let expected: [(allreduce: Double, wall: Double)] = [
            (0, 364_000), (0.08, 182_000 + 2_850 * 0.08), (0.12, 91_000 + 2_850 * 0.12), (0.14, 45_500 + 2_850 * 0.14), (0.15, 22_750 + 2_850 * 0.15),
        ]
        for (row, hand) in zip(projected.machines, expected) {
            #expect(abs(row.allreduceSecondsPerStep - hand.allreduce) < 1e-12, "\(row.machines) machines")
            #expect(abs(row.wallSeconds - hand.wall) < 1e-6, "\(row.machines) machines: \(row.wallSeconds) s, by hand \(hand.wall) s")
        }
        #expect(ScaleOutProjection.approach(trained(.clipZeroShot, imagesPerSecond: nil), globalBatch: 256, networkBytesPerSecond: 1.25e9) == nil)
    }

    @Test func theProjectionTakesThePaperBatchesAndRecordsWhyNothingWasMeasured() {
        let costs = [trained(.vit), trained(.clipZeroShot, imagesPerSecond: nil), trained(.clipFineTune)]
        let scaleOut = ScaleOutProjection.scaleOut(costs, machineCores: 2, networkBytesPerSecond: 1.25e9,
                                                   localAllreduce: .failure(AllreduceNotMeasured("mpirun is not on the PATH")))
        #expect(scaleOut.approaches.map(\.approach) == [.vit, .clipFineTune])
        #expect(scaleOut.approaches.map(\.globalBatch) == [256, 2048] && scaleOut.approaches.map(\.steps) == [2_850, 360])
        #expect(scaleOut.localAllreduce == nil && scaleOut.localAllreduceNotMeasured == "mpirun is not on the PATH")
        #expect(scaleOut.networkGigabitsPerSecond == 10 && scaleOut.assumptions.contains("10 Gbit/s") && scaleOut.assumptions.contains("(2 cores)"))
    }

    @Test func bucketsPackSmallGradientsAndReduceLargeOnesInPlace() {
        let bucket = GradientAllreduce.bucketFloats
        #expect(bucket == 4 << 20)
        // Filled to exactly a bucket, then a tensor that does not fit opens the next; one larger
        // than a bucket is reduced alone, where it comes.
        #expect(GradientAllreduce.buckets([1, 2, bucket - 3, 1, bucket + 1, 5]) == [[0, 1, 2], [4], [3, 5]])
        #expect(GradientAllreduce.buckets([]) == [])
    }

    @Test func anAbsentOrFailingMpirunGivesAReasonAndNoFigure() {
        let absent = AllreduceMeasurement.launch(rankArguments: [], mpirun: nil)
        #expect(absent == .failure(AllreduceNotMeasured("mpirun is not on the PATH (Debian: apt-get install openmpi-bin)")))
        guard case .failure(let failing) = AllreduceMeasurement.launch(rankArguments: [], mpirun: URL(fileURLWithPath: "/bin/false")) else {
            Issue.record("a launcher that fails gave a figure")
            return
        }
        #expect(failing.reason.hasPrefix("mpirun -np 2 exited with status 1"))
        guard case .failure(let silent) = AllreduceMeasurement.launch(rankArguments: ["no figure"], mpirun: URL(fileURLWithPath: "/bin/echo")) else {
            Issue.record("a launcher that printed no figure gave one")
            return
        }
        #expect(silent.reason.hasPrefix("mpirun -np 2 gave no figure: ") && silent.reason.contains("--oversubscribe --bind-to none"))
    }

    @Test func theScaleOutSurvivesTheResultsFileAndOlderFilesStillRead() throws {
        let local = AllreduceBandwidth(gradient: "g", ranks: 4, bytes: 1_000_000, buckets: 1, repetitions: 3, secondsPerAllreduce: 0.01)
        #expect(abs(local.algorithmBytesPerSecond - 1e8) < 1e-3 && abs(local.busBytesPerSecond - 1.5e8) < 1e-3)
        let scaleOut = ScaleOutProjection.scaleOut([trained()], machineCores: 2, networkBytesPerSecond: 1.25e9, localAllreduce: .success(local))
        let work = try ScratchDirectory()
        for payload in [CostResults(approaches: [trained()], tierRule: "r", scaleOut: scaleOut), CostResults(approaches: [trained()], tierRule: "r")] {
            let file = try ChapterResultsFile(preset: .mini, seed: 1, quick: true, gitCommit: "c", machine: .current, started: "s", seconds: 1,
                                              peakMemoryBytes: nil, output: nil, results: payload).write(to: work.url)
            #expect(try ChapterResultsFile<CostResults>.read(file).results == payload)
        }
        let json = try String(contentsOf: work.url.appendingPathComponent("cost.json"), encoding: .utf8)
        #expect(!json.contains("scale_out"), "a payload without the projection writes no key for it, as older files have none")
    }
}
