// The three approaches' figures at one model size: what each trains, what an image costs in
// FLOPs, and how fast this machine runs it. The approaches are the paper's, as the chapters run
// them:
//   ViT fine-tuned      ViTForImageClassification with a 91-way head, every parameter trained
//                       with cross-entropy (the vit chapter);
//   CLIP zero-shot      CLIP's image embedding scored against cached class-prompt embeddings;
//                       nothing trained (the clip chapter);
//   CLIP fine-tuned     the ft-clip recipe (the paper's): the image encoder, a LayerNorm and a
//                       fresh head on the mean patch token trained with cross-entropy, the text
//                       tower frozen (the clip-finetune chapter); its forward FLOPs are counted
//                       as zero-shot CLIP's image embedding and similarities. Its text
//                       tower runs once per run, for the class prompts: a few hundred GFLOPs in
//                       all, nothing beside 10 epochs of images, and left out.
import Checkpoints
import Common
import Results
import Training
import Foundation
import Models

public struct ApproachFigures: Sendable {
    public let approach: Approach
    public let name: String
    public let trainableParameters: Int
    /// Forward FLOPs to classify one image.
    public let forwardFLOPs: Double
    /// Forward and backward FLOPs to train on one image; nil when nothing is trained.
    public let trainingFLOPsPerImage: Double?
    public let throughput: Throughput
}

public enum CostStudy {
    /// The paper's models: ViT-B/16 at 224 pixels with a head for `classes` classes, and CLIP ViT-B/32.
    public static func paperConfigurations(classes: Int) -> (vit: ViTConfig, clip: CLIPConfig) {
        var vit = ViTConfig.basePatch16_224
        vit.labels = ViTConfig.genericLabels(classes)
        return (vit, .vitBasePatch32)
    }

    /// Counts and measures the three approaches for these configurations; `vit.labels` sets the
    /// classes served.
    public static func figures(vit: ViTConfig, clip: CLIPConfig, names: (vit: String, clip: String),
                               plan: ThroughputPlan, seed: UInt64) throws -> [ApproachFigures] {
        let classes = vit.labels.count
        let vitThroughput = try ThroughputMeasurement.vit(vit, plan: plan, seed: seed)
        let clipMeasured = try ThroughputMeasurement.clip(clip, classes: classes, plan: plan, seed: seed)
        let vitForward = ForwardFLOPs.vit(vit)
        let clipForward = ForwardFLOPs.clipImage(clip) + ForwardFLOPs.similarities(clip, classes: classes)
        return [
            ApproachFigures(approach: .vit, name: "\(names.vit) fine-tuned", trainableParameters: try ViTForImageClassification(vit).parameterCount,
                            forwardFLOPs: vitForward, trainingFLOPsPerImage: 3 * vitForward, throughput: vitThroughput),
            ApproachFigures(approach: .clipZeroShot, name: "\(names.clip) zero-shot", trainableParameters: 0,
                            forwardFLOPs: clipForward, trainingFLOPsPerImage: nil, throughput: clipMeasured.zeroShot),
            ApproachFigures(approach: .clipFineTune, name: "\(names.clip) fine-tuned", trainableParameters: clipMeasured.fineTunedParameters,
                            forwardFLOPs: clipForward, trainingFLOPsPerImage: 3 * clipForward, throughput: clipMeasured.fineTune),
        ]
    }

    /// Wall time and peak memory of the chapter behind each approach, from the results files in
    /// `directory` written at `preset` (a run at the other preset says nothing about this one).
    public static func chapterRuns(in directory: URL, preset: Preset) throws -> [Approach: (seconds: Double, peakMemoryBytes: UInt64?)] {
        var runs: [Approach: (seconds: Double, peakMemoryBytes: UInt64?)] = [:]
        if let file = try ChapterResultsFile<ViTResults>.load(from: directory), file.preset == preset {
            runs[.vit] = (file.seconds, file.peakMemoryBytes)
        }
        if let file = try ChapterResultsFile<CLIPZeroShotResults>.load(from: directory), file.preset == preset {
            runs[.clipZeroShot] = (file.seconds, file.peakMemoryBytes)
        }
        if let file = try ChapterResultsFile<CLIPFineTuneResults>.load(from: directory), file.preset == preset {
            runs[.clipFineTune] = (file.seconds, file.peakMemoryBytes)
        }
        return runs
    }

    /// Table 5's rows: the paper-size figures, their projection and grade, the chapter runs, and
    /// the same figures at the mini preset's model sizes when measured.
    public static func costs(paperSize: [ApproachFigures], miniSize: [ApproachFigures]?, miniNames: [Approach: String],
                             chapterRuns: [Approach: (seconds: Double, peakMemoryBytes: UInt64?)]) -> [ApproachCost] {
        let projections = Dictionary(uniqueKeysWithValues: paperSize.map { ($0.approach, PaperProjection.projection($0)) })
        let tiers = CostTiers.grade(trainingFLOPs: projections.mapValues(\.trainingFlops))
        return paperSize.map { figures in
            let mini = miniSize?.first { $0.approach == figures.approach }.map { mini in
                ScaledCost(model: miniNames[mini.approach] ?? mini.name, trainableParameters: mini.trainableParameters,
                           flopsPerImage: mini.forwardFLOPs, trainingFlopsPerImage: mini.trainingFLOPsPerImage,
                           inferenceImagesPerSecond: mini.throughput.inferenceImagesPerSecond,
                           trainingImagesPerSecond: mini.throughput.trainingImagesPerSecond)
            }
            let run = chapterRuns[figures.approach]
            return ApproachCost(
                approach: figures.approach, name: figures.name, trainableParameters: figures.trainableParameters,
                flopsPerImage: figures.forwardFLOPs, inferenceImagesPerSecond: figures.throughput.inferenceImagesPerSecond,
                trainingImagesPerSecond: figures.throughput.trainingImagesPerSecond, chapterWallSeconds: run?.seconds,
                chapterPeakMemoryBytes: run?.peakMemoryBytes, projection: projections[figures.approach]!, tier: tiers[figures.approach]!,
                trainingFlopsPerImage: figures.trainingFLOPsPerImage, atMiniSize: mini)
        }
    }
}
