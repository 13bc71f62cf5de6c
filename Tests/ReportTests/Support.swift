import Common
import Results
import Training
import Foundation
@testable import Report

/// A fresh temporary directory, removed by the caller's `defer`.
func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("report-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// An accuracy with a narrow interval, from a percentage.
func accuracy(_ percent: Double, images: Int = 1000) -> Accuracy {
    Accuracy(value: percent / 100, images: images,
             interval: BootstrapInterval(low: (percent - 0.5) / 100, high: (percent + 0.5) / 100, resamples: 200))
}

/// The published value of a registry entry, for building results a set distance from it.
func published(_ id: String) throws -> Double {
    guard case .number(let value)? = try PublishedRegistry.bundled().entry(id)?.value else {
        throw ChapterError("no numeric entry \(id)")
    }
    return value
}

func hyperParameters(batch: Double, beta2: Double) -> HyperParameters {
    [HyperParameterName.learningRate: .number(1e-4), HyperParameterName.batchSize: .number(batch),
     HyperParameterName.weightDecay: .number(0.05), HyperParameterName.epochs: .number(10),
     HyperParameterName.beta1: .number(0.9), HyperParameterName.beta2: .number(beta2),
     HyperParameterName.epsilon: .number(1e-6), "schedule": .text("cosine")]
}

func lossCurve(steps: Int) -> [LossPoint] {
    (1...steps).map { step in
        LossPoint(step: step, epoch: Double(step) / Double(steps) * 10, loss: 3 * exp(-Double(step) / Double(steps) * 4) + 0.2,
                  learningRate: 1e-4)
    }
}

/// Writes vit, clip and clip-finetune results through `ChapterRun`, as the chapters will.
/// Accuracies are the published ones shifted by the given points.
func writeAccuracyChapters(to directory: URL, preset: Preset, vitShift: Double = 0, clipShift: Double = 0,
                           fineTuneShift: Double = 0, clipBatch: Double = 2048, fineTuneExtended: Accuracy? = nil,
                           quick: Bool = false, checkpoints: [CheckpointIdentity]? = nil, recipes: [CLIPRecipeResult] = []) throws {
    let vit = ViTResults(model: "ViT-B/16", checkpointSource: "test checkpoint", dataset: "test data",
        trainableParameters: 85_000_000, hyperParameters: hyperParameters(batch: 256, beta2: 0.99),
        test: TopKAccuracy(top1: accuracy(try published("fei2024.table3.vit") + vitShift), top5: accuracy(98)),
        lossCurve: lossCurve(steps: 120), classes: ClassCounts(trained: 91, heldOut: 10), trainImages: 100, resumedFromStep: nil)
    try ResultsWriter(chapter: ViTResults.chapter, preset: preset, seed: 1, quick: quick, checkpoints: checkpoints).write(vit, to: directory)
    let clip = CLIPZeroShotResults(model: "CLIP ViT-B/32", checkpointSource: "test checkpoint", dataset: "test data",
        templates: ["a photo of {}, a type of food."],
        test: accuracy(try published("fei2024.table3.clip") + clipShift), extended: accuracy(try published("fei2024.table4.clip")), classes: ClassCounts(trained: 91, heldOut: 10))
    try ResultsWriter(chapter: CLIPZeroShotResults.chapter, preset: preset, seed: 1, quick: quick, checkpoints: checkpoints).write(clip, to: directory)
    let fineTune = CLIPFineTuneResults(model: "CLIP ViT-B/32", checkpointSource: "test checkpoint", dataset: "test data",
        trainableParameters: 151_000_000, hyperParameters: hyperParameters(batch: clipBatch, beta2: 0.999),
        test: accuracy(try published("fei2024.table3.clip_finetune") + fineTuneShift),
        extended: try fineTuneExtended ?? accuracy(published("fei2024.table4.clip_finetune")), lossCurve: lossCurve(steps: 12), classes: ClassCounts(trained: 91, heldOut: 10), recipe: "ft-clip", recipes: recipes)
    try ResultsWriter(chapter: CLIPFineTuneResults.chapter, preset: preset, seed: 1, quick: quick, checkpoints: checkpoints).write(fineTune, to: directory)
}

/// A scale-out onto 1 and 4 machines of 2 cores over 10 Gbit/s, with or without the local all-reduce measured.
func testScaleOut(measured: Bool = true) -> ScaleOut {
    func rows(_ hours: Double) -> [ScaleOutRow] {
        [ScaleOutRow(machines: 1, allreduceSecondsPerStep: 0, wallSeconds: hours * 3600),
         ScaleOutRow(machines: 4, allreduceSecondsPerStep: 0.1, wallSeconds: hours * 900 + 285)]
    }
    return ScaleOut(machineCores: 2, networkBytesPerSecond: 1.25e9,
                    localAllreduce: measured ? AllreduceBandwidth(gradient: "ViT-B/16 (85,868,635 parameters)", ranks: 2, bytes: 343_474_540,
                                                                  buckets: 21, repetitions: 10, secondsPerAllreduce: 0.25) : nil,
                    localAllreduceNotMeasured: measured ? nil : "mpirun is not on the PATH",
                    assumptions: "test scale-out assumptions.",
                    approaches: [ScaleOutApproach(approach: .vit, name: "ViT-B/16 fine-tuned", globalBatch: 256, steps: 2850, gradientBytes: 343_474_540,
                                                  computeSecondsPerStep: 12.6, machines: rows(10)),
                                 ScaleOutApproach(approach: .clipFineTune, name: "CLIP ViT-B/32 fine-tuned", globalBatch: 2048, steps: 360,
                                                  gradientBytes: 340_666_732, computeSecondsPerStep: 100, machines: rows(4))])
}

func writeCost(to directory: URL, preset: Preset, fineTuneTier: CostTier = .high, scaleOut: ScaleOut? = testScaleOut()) throws {
    func approach(_ approach: Approach, _ tier: CostTier, training: Double?) -> ApproachCost {
        ApproachCost(approach: approach, name: approach.rawValue, trainableParameters: 1000, flopsPerImage: 4.4e9,
                     inferenceImagesPerSecond: 20, trainingImagesPerSecond: training, chapterWallSeconds: 60,
                     chapterPeakMemoryBytes: 1 << 30,
                     projection: CostProjection(trainingImages: 72_800, epochs: 10, hardware: "2x RTX 4090",
                                                trainingFlops: training == nil ? 0 : 1e16, trainingSecondsOnHardware: 600,
                                                trainingSecondsHere: 36_000, inferenceFlopsPerImage: 4.4e9,
                                                assumptions: "test assumptions"),
                     tier: tier, trainingFlopsPerImage: training.map { _ in 3 * 4.4e9 })
    }
    let cost = CostResults(approaches: [approach(.vit, .medium, training: 5), approach(.clipZeroShot, .low, training: nil),
                                        approach(.clipFineTune, fineTuneTier, training: 3)],
                           tierRule: "test rule", scaleOut: scaleOut)
    try ResultsWriter(chapter: CostResults.chapter, preset: preset, seed: 1).write(cost, to: directory)
}

/// Writes a payload as a chapter run would, in the common envelope.
struct ResultsWriter {
    let chapter: String
    let preset: Preset
    let seed: UInt64
    var quick = false
    var checkpoints: [CheckpointIdentity]?

    @discardableResult
    func write<Payload: ChapterPayload>(_ payload: Payload, to directory: URL) throws -> URL {
        precondition(Payload.chapter == chapter)
        return try ChapterResultsFile(preset: preset, seed: seed, quick: quick, checkpoints: checkpoints, gitCommit: "test", machine: .current, started: "2026-12-03T00:00:00Z",
                                      seconds: 1, peakMemoryBytes: nil, output: nil, results: payload).write(to: directory)
    }
}
