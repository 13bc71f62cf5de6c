// The `cost` chapter's payload (Table 5).
import Foundation
import Training

/// `cost`: Table 5, graded from measurements rather than asserted.
public struct CostResults: ChapterPayload, Equatable {
    public static let chapter = "cost"
    public var approaches: [ApproachCost]
    /// The rule that turns the projections into Low/Medium/High, in words.
    public var tierRule: String
    /// How the throughputs were measured (batch, passes, BLAS), and how FLOPs were counted.
    public var method: String?
    /// The paper's fine-tunings projected onto several machines like this one; nil in results
    /// written before the projection existed.
    public var scaleOut: ScaleOut?
    /// The scaling chapter's paper-preset fine-tunings, projected the same way; nil in results
    /// written before the chapter existed.
    public var scalingStudy: ScalingStudyCost?

    public init(approaches: [ApproachCost], tierRule: String, method: String? = nil, scaleOut: ScaleOut? = nil,
                scalingStudy: ScalingStudyCost? = nil) {
        (self.approaches, self.tierRule, self.method, self.scaleOut, self.scalingStudy) = (approaches, tierRule, method, scaleOut, scalingStudy)
    }
}

/// The three approaches the paper compares; the raw values name them in every payload.
public enum Approach: String, Codable, Sendable, CaseIterable {
    case vit
    case clipZeroShot = "clip_zero_shot"
    case clipFineTune = "clip_fine_tune"
}

/// Table 5's deployment-cost grades.
public enum CostTier: String, Codable, Sendable, CaseIterable {
    case low = "Low"
    case medium = "Medium"
    case high = "High"
}

/// One approach's measured and projected cost.
public struct ApproachCost: Codable, Sendable, Equatable {
    public var approach: Approach
    public var name: String
    public var trainableParameters: Int
    public var flopsPerImage: Double
    public var inferenceImagesPerSecond: Double
    /// Nil for zero-shot, which trains nothing.
    public var trainingImagesPerSecond: Double?
    /// Wall time and peak resident memory of the chapter run that made this approach's
    /// accuracy, when its results file was there to read them from.
    public var chapterWallSeconds: Double?
    public var chapterPeakMemoryBytes: UInt64?
    public var projection: CostProjection
    public var tier: CostTier
    /// Forward plus backward FLOPs to train on one image; nil for zero-shot.
    public var trainingFlopsPerImage: Double?
    /// The same figures for the mini preset's models, when the chapter measured them.
    public var atMiniSize: ScaledCost?
    /// Tokens the model reads per image (patches plus the class token).
    public var tokensPerImage: Int?

    public init(approach: Approach, name: String, trainableParameters: Int, flopsPerImage: Double,
                inferenceImagesPerSecond: Double, trainingImagesPerSecond: Double?, chapterWallSeconds: Double?,
                chapterPeakMemoryBytes: UInt64?, projection: CostProjection, tier: CostTier,
                trainingFlopsPerImage: Double? = nil, atMiniSize: ScaledCost? = nil, tokensPerImage: Int? = nil) {
        (self.approach, self.name, self.trainableParameters, self.flopsPerImage, self.inferenceImagesPerSecond, self.trainingImagesPerSecond, self.chapterWallSeconds, self.chapterPeakMemoryBytes, self.projection, self.tier, self.trainingFlopsPerImage, self.atMiniSize, self.tokensPerImage)
            = (approach, name, trainableParameters, flopsPerImage, inferenceImagesPerSecond, trainingImagesPerSecond, chapterWallSeconds, chapterPeakMemoryBytes, projection, tier, trainingFlopsPerImage, atMiniSize, tokensPerImage)
    }
}

/// The paper's full configuration projected from this machine's measurements.
public struct CostProjection: Codable, Sendable, Equatable {
    /// The configuration projected to: the paper split's 72,800 training images (91 classes x 800), 10 epochs, 2x RTX 4090.
    public var trainingImages: Int
    public var epochs: Int
    public var hardware: String
    /// Forward plus backward FLOPs of the whole fine-tuning (zero for zero-shot).
    public var trainingFlops: Double
    public var trainingSecondsOnHardware: Double
    public var trainingSecondsHere: Double
    /// Forward FLOPs to classify one image (text embeddings cached for CLIP).
    public var inferenceFlopsPerImage: Double
    /// How the hardware numbers were obtained (peak throughput, utilisation assumed).
    public var assumptions: String
    /// The share of the hardware's peak throughput assumed sustained.
    public var sustainedFraction: Double?

    public init(trainingImages: Int, epochs: Int, hardware: String, trainingFlops: Double, trainingSecondsOnHardware: Double,
                trainingSecondsHere: Double, inferenceFlopsPerImage: Double, assumptions: String, sustainedFraction: Double? = nil) {
        (self.trainingImages, self.epochs, self.hardware, self.trainingFlops, self.trainingSecondsOnHardware, self.trainingSecondsHere, self.inferenceFlopsPerImage, self.assumptions, self.sustainedFraction)
            = (trainingImages, epochs, hardware, trainingFlops, trainingSecondsOnHardware, trainingSecondsHere, inferenceFlopsPerImage, assumptions, sustainedFraction)
    }
}

/// An approach's counted and measured figures for a model of another size (the mini preset's).
public struct ScaledCost: Codable, Sendable, Equatable {
    /// The model, with its geometry: "mini ViT (width 64, 4 layers, patch 4, 32 px)".
    public var model: String
    public var trainableParameters: Int
    public var flopsPerImage: Double
    public var trainingFlopsPerImage: Double?
    public var inferenceImagesPerSecond: Double
    public var trainingImagesPerSecond: Double?

    public init(model: String, trainableParameters: Int, flopsPerImage: Double, trainingFlopsPerImage: Double?,
                inferenceImagesPerSecond: Double, trainingImagesPerSecond: Double?) {
        (self.model, self.trainableParameters, self.flopsPerImage, self.trainingFlopsPerImage, self.inferenceImagesPerSecond, self.trainingImagesPerSecond)
            = (model, trainableParameters, flopsPerImage, trainingFlopsPerImage, inferenceImagesPerSecond, trainingImagesPerSecond)
    }
}

/// Data-parallel fine-tuning on N machines: the compute measured here divided among them, plus
/// the all-reduce of the gradient over an assumed network.
public struct ScaleOut: Codable, Sendable, Equatable {
    /// Cores of each machine (each assumed like this one).
    public var machineCores: Int
    /// The network bandwidth assumed between machines.
    public var networkBytesPerSecond: Double
    public var networkGigabitsPerSecond: Double { networkBytesPerSecond * 8 / 1e9 }
    /// The all-reduce between two ranks on this machine; nil when it was not measured.
    public var localAllreduce: AllreduceBandwidth?
    /// Why the local all-reduce was not measured (mpirun missing, or its failure).
    public var localAllreduceNotMeasured: String?
    /// The formula and what it assumes, in words.
    public var assumptions: String
    public var approaches: [ScaleOutApproach]

    public init(machineCores: Int, networkBytesPerSecond: Double, localAllreduce: AllreduceBandwidth?, localAllreduceNotMeasured: String?,
                assumptions: String, approaches: [ScaleOutApproach]) {
        (self.machineCores, self.networkBytesPerSecond, self.localAllreduce, self.localAllreduceNotMeasured, self.assumptions, self.approaches)
            = (machineCores, networkBytesPerSecond, localAllreduce, localAllreduceNotMeasured, assumptions, approaches)
    }
}

/// One all-reduce of a model's whole gradient, timed between ranks on this machine.
public struct AllreduceBandwidth: Codable, Sendable, Equatable {
    /// Whose gradient: "ViT-B/16 (85,868,635 parameters)".
    public var gradient: String
    public var ranks: Int
    /// Bytes of the gradient (float32).
    public var bytes: Int
    /// MPI_Allreduce calls per gradient: the trainer's buckets.
    public var buckets: Int
    /// Timed repetitions, after one untimed warm-up.
    public var repetitions: Int
    public var secondsPerAllreduce: Double
    /// Bytes / time.
    public var algorithmBytesPerSecond: Double
    /// 2 (ranks - 1) / ranks x bytes / time: what each rank's links carry in a ring all-reduce.
    public var busBytesPerSecond: Double

    public init(gradient: String, ranks: Int, bytes: Int, buckets: Int, repetitions: Int, secondsPerAllreduce: Double) {
        (self.gradient, self.ranks, self.bytes, self.buckets, self.repetitions, self.secondsPerAllreduce) = (gradient, ranks, bytes, buckets, repetitions, secondsPerAllreduce)
        algorithmBytesPerSecond = Double(bytes) / secondsPerAllreduce
        busBytesPerSecond = algorithmBytesPerSecond * 2 * Double(ranks - 1) / Double(ranks)
    }
}

/// One approach's fine-tuning, projected onto 1, 2, 4, ... machines.
public struct ScaleOutApproach: Codable, Sendable, Equatable {
    public var approach: Approach
    public var name: String
    public var globalBatch: Int
    /// Optimiser steps of the whole fine-tuning.
    public var steps: Int
    /// Bytes of the gradient all-reduced at each step (the trained parameters, float32).
    public var gradientBytes: Int
    /// A mean step's compute on one machine: the images x epochs / steps at the training rate measured here.
    public var computeSecondsPerStep: Double
    public var machines: [ScaleOutRow]

    public init(approach: Approach, name: String, globalBatch: Int, steps: Int, gradientBytes: Int, computeSecondsPerStep: Double,
                machines: [ScaleOutRow]) {
        (self.approach, self.name, self.globalBatch, self.steps, self.gradientBytes, self.computeSecondsPerStep, self.machines)
            = (approach, name, globalBatch, steps, gradientBytes, computeSecondsPerStep, machines)
    }
}

public struct ScaleOutRow: Codable, Sendable, Equatable {
    public var machines: Int
    /// The ring all-reduce of the gradient over the assumed network, per step (0 on one machine).
    public var allreduceSecondsPerStep: Double
    public var wallSeconds: Double

    public init(machines: Int, allreduceSecondsPerStep: Double, wallSeconds: Double) {
        (self.machines, self.allreduceSecondsPerStep, self.wallSeconds) = (machines, allreduceSecondsPerStep, wallSeconds)
    }
}

/// The scaling chapter's paper-preset study, projected like Table 5's fine-tunings.
public struct ScalingStudyCost: Codable, Sendable, Equatable {
    /// What the study runs, in a sentence.
    public var study: String
    public var fineTunings: [ScalingStudyFineTunings]

    public init(study: String, fineTunings: [ScalingStudyFineTunings]) {
        (self.study, self.fineTunings) = (study, fineTunings)
    }
}

/// All of the study's fine-tunings of one approach.
public struct ScalingStudyFineTunings: Codable, Sendable, Equatable {
    public var approach: Approach
    /// Images x epochs, summed over the study's runs.
    public var trainedImages: Int
    public var trainingFlops: Double
    public var trainingSecondsOnHardware: Double
    public var trainingSecondsHere: Double

    public init(approach: Approach, trainedImages: Int, trainingFlops: Double, trainingSecondsOnHardware: Double, trainingSecondsHere: Double) {
        (self.approach, self.trainedImages, self.trainingFlops, self.trainingSecondsOnHardware, self.trainingSecondsHere)
            = (approach, trainedImages, trainingFlops, trainingSecondsOnHardware, trainingSecondsHere)
    }
}

extension CostResults {
    public static func metrics(of file: ChapterResultsFile<CostResults>) -> [Metric]? {
        var list = MetricList(preset: file.preset)
        for cost in file.results.approaches {
            let id = "cost.\(cost.approach.rawValue)"
            list.add("\(id).tier", "\(cost.name) deployment cost tier", .text(cost.tier.rawValue), unit: "")
            list.count("\(id).trainable_parameters", "\(cost.name) trainable parameters", cost.trainableParameters, unit: "parameters")
            list.add("\(id).flops_per_image", "\(cost.name) FLOPs per image", .number(cost.flopsPerImage), unit: "FLOPs")
            list.add("\(id).inference_images_per_second", "\(cost.name) inference throughput here",
                     .number(cost.inferenceImagesPerSecond), unit: "images/s")
            if let training = cost.trainingImagesPerSecond {
                list.add("\(id).training_images_per_second", "\(cost.name) training throughput here", .number(training), unit: "images/s")
            }
            if let seconds = cost.chapterWallSeconds {
                list.add("\(id).chapter_wall_seconds", "\(cost.name) chapter run wall time", .number(seconds), unit: "s")
            }
            if let bytes = cost.chapterPeakMemoryBytes {
                list.add("\(id).chapter_peak_memory_gib", "\(cost.name) chapter run peak memory", .number(Double(bytes) / Double(1 << 30)), unit: "GiB")
            }
            let projection = cost.projection
            list.add("\(id).projected_training_hours", "\(cost.name) projected training time on \(projection.hardware)",
                     .number(projection.trainingSecondsOnHardware / 3600), unit: "h")
            list.add("\(id).projected_training_hours_here", "\(cost.name) projected training time on this machine",
                     .number(projection.trainingSecondsHere / 3600), unit: "h")
        }
        return list.metrics
    }

    public static func summary(of file: ChapterResultsFile<CostResults>) -> String? {
        let costs = file.results.approaches
        guard let vit = costs.first(where: { $0.approach == .vit }), let zeroShot = costs.first(where: { $0.approach == .clipZeroShot }),
              let fineTune = costs.first(where: { $0.approach == .clipFineTune }),
              let vitTraining = vit.trainingFlopsPerImage, let clipTraining = fineTune.trainingFlopsPerImage else {
            return "The cost chapter measured fewer than the three approaches."
        }
        func hours(_ seconds: Double) -> String { String(format: seconds < 36_000 ? "%.1f h" : "%.0f h", seconds / 3600) }
        // The rates measured here depend on the products' precision; the counted FLOPs do not.
        let mark = PrecisionMark(file)
        let tokens = (fineTune.tokensPerImage ?? 0, vit.tokensPerImage ?? 0)
        var text = String(format: "Counted from their configurations, fine-tuning ViT-B/16 costs %.0f GFLOPs per image and fine-tuning "
                          + "CLIP ViT-B/32 %.0f (%.1fx less: %d tokens per image instead of %d), while zero-shot CLIP trains nothing; "
                          + "serving an image costs %.1f and %.1f GFLOPs. ",
                          vitTraining / 1e9, clipTraining / 1e9, vitTraining / clipTraining, tokens.0, tokens.1,
                          vit.flopsPerImage / 1e9, zeroShot.flopsPerImage / 1e9)
        let projection = vit.projection
        let sustained = projection.sustainedFraction.map { " (\(Int((100 * $0).rounded()))% of peak FP32 assumed)" } ?? ""
        text += "Projected onto the paper's \(projection.trainingImages.formatted()) images x \(projection.epochs) epochs on "
            + "\(projection.hardware)\(sustained), fine-tuning takes \(hours(projection.trainingSecondsOnHardware)) for ViT and "
            + "\(hours(fineTune.projection.trainingSecondsOnHardware)) for CLIP; at the rates measured on this machine "
            + "\(presetTag(file)), \(mark(hours(projection.trainingSecondsHere))) and \(mark(hours(fineTune.projection.trainingSecondsHere))). "
            + "By the rule stated, zero-shot CLIP is \(zeroShot.tier.rawValue), fine-tuned ViT \(vit.tier.rawValue) and fine-tuned "
            + "CLIP \(fineTune.tier.rawValue)."
        if let mini = vit.atMiniSize?.trainingImagesPerSecond, let miniCLIP = fineTune.atMiniSize?.trainingImagesPerSecond {
            text += " The mini models train at \(mark(String(format: "%.0f", mini))) (ViT) and \(mark(String(format: "%.0f", miniCLIP))) (CLIP) images/s here."
        }
        if let scaleOut = file.results.scaleOut { text += " " + scaleOutSentence(scaleOut, hours: hours) }
        return text
    }

    /// The fine-tunings on the most machines projected, and the all-reduce measured here (or why not).
    private static func scaleOutSentence(_ scaleOut: ScaleOut, hours: (Double) -> String) -> String {
        let largest = scaleOut.approaches.compactMap { approach in approach.machines.last.map { (approach, $0) } }
        var text = ""
        if let machines = largest.first?.1.machines {
            let times = largest.map { "\(hours($0.1.wallSeconds)) for \($0.0.name) (\(hours($0.0.machines.first!.wallSeconds)) on one)" }
            text += "On \(machines) machines like this one (\(scaleOut.machineCores) cores each) joined by an assumed "
                + String(format: "%g", scaleOut.networkGigabitsPerSecond) + " Gbit/s network, fine-tuning would take "
                + times.joined(separator: " and ") + ". "
        }
        if let local = scaleOut.localAllreduce {
            text += String(format: "Two ranks on this machine all-reduced %@ at %.2f GB/s (bus bandwidth %.2f GB/s), through shared memory: "
                           + "an upper bound, not a network.", local.gradient, local.algorithmBytesPerSecond / 1e9, local.busBytesPerSecond / 1e9)
        } else {
            text += "The all-reduce between two ranks on this machine was not measured (\(scaleOut.localAllreduceNotMeasured ?? "no reason recorded"))."
        }
        return text
    }
}
