// The settings of a ViT fine-tuning: Table 1 for the paper preset, a scaled-down analogue for
// the mini one, and the rows of results/vit.json that record them; then one run of the plan.
import Common
import Foundation
import Results
import Training

public struct ViTFineTuningPlan: Sendable {
    /// The optimiser, schedule, epochs, batch and micro-batch.
    public var training: TrainingConfiguration
    /// Images per forward pass when evaluating.
    public var evaluationBatchSize: Int
    /// A trainer checkpoint every this many steps, from which a killed run resumes.
    public var checkpointEverySteps: Int

    public init(training: TrainingConfiguration, evaluationBatchSize: Int, checkpointEverySteps: Int) {
        self.training = training
        self.evaluationBatchSize = evaluationBatchSize
        self.checkpointEverySteps = checkpointEverySteps
    }

    /// Table 1 of the paper: AdamW at 1e-4, betas 0.9 / 0.99, epsilon 1e-6, weight decay 0.05,
    /// batches of 256 (accumulated from micro-batches of 32), 10 epochs.
    public static let table1 = TrainingConfiguration(
        optimizer: AdamWHyperparameters(learningRate: 1e-4, beta1: 0.9, beta2: 0.99, epsilon: 1e-6, weightDecay: 0.05),
        epochs: 10, batchSize: 256, microBatchSize: 32)

    /// Table 1. A step of 256 images at 224 pixels takes minutes on a CPU, so every fifth step is
    /// checkpointed.
    public static func paper(schedule: LearningRateSchedule, seed: UInt64) -> ViTFineTuningPlan {
        var training = table1
        training.schedule = schedule
        training.seed = seed
        return ViTFineTuningPlan(training: training, evaluationBatchSize: 32, checkpointEverySteps: 5)
    }

    /// Table 1 with one change, the batch, scaled with the dataset: 256 x (training images /
    /// 72,800), 13 for MiniFood's 3,640, so that an epoch takes as many optimiser steps as the
    /// paper's (280 against 285) and the run as many updates, at Table 1's learning rate, weight
    /// decay, betas, epsilon and 10 epochs; the fresh head's rate scaled by 768 / 128 as the mini
    /// CLIP's is (`MiniModels.headLearningRateScale`). `quick` is a smoke test of two epochs at Table 1's rates.
    public static func mini(trainingImages: Int, quick: Bool, schedule: LearningRateSchedule, seed: UInt64) -> ViTFineTuningPlan {
        var training = table1
        training.schedule = schedule
        training.seed = seed
        training.epochs = quick ? 2 : table1.epochs
        let scaled = Double(table1.batchSize * trainingImages) / Double(paperTrainingImages)
        training.batchSize = max(1, Int(scaled.rounded()))
        training.microBatchSize = training.batchSize
        training.headLearningRateScale = quick ? nil : MiniModels.headLearningRateScale(width: MiniViTRecipe.geometry.hiddenSize)
        return ViTFineTuningPlan(training: training, evaluationBatchSize: 128, checkpointEverySteps: 200)
    }

    /// The paper split's training part: 91 classes x 1,000 photos x 0.8.
    public static let paperTrainingImages = 72_800

    /// What results/vit.json records: Table 1's rows under their published names, and the
    /// settings the table leaves unsaid under names of their own.
    public var hyperParameters: HyperParameters {
        var rows = training.tableRows.merging([
            "trained_parameters": .text("all"),
            "label_smoothing": .number(0),
            "gradient_clipping": .text(training.maxGradientNorm.map { "global norm \($0)" } ?? "none"),
            "weight_decay_exempt": .text(training.exemptNormsBiasesAndEmbeddings ? "norms, biases, [CLS] and position embeddings" : "none"),
        ]) { $1 }
        if case let .warmupCosine(warmupSteps) = training.schedule { rows["warmup_steps"] = .number(Double(warmupSteps)) }
        return rows
    }
}

extension ViTFineTuningPlan {
    /// The encoder of `pretrained` under a fresh head for `data.train`'s classes, fine-tuned by
    /// this plan (`ViTFineTuning.run`: trainer checkpoints under `work`, the model saved to
    /// `output`); nil when `stopStep` stopped it before its last step.
    public func run(pretrained: URL, data: ExperimentData, work: URL, output: URL, stoppingAfter stopStep: Int? = nil,
                    progress: ProgressDisplay = .automatic, say: (String) -> Void) throws -> ViTFineTuningOutcome? {
        let fineTuning = try ViTFineTuning(pretrained: pretrained, classNames: data.train.classNames, plan: self)
        say("the pretrained model from \(pretrained.path): \(fineTuning.model.parameterCount) parameters, a fresh head of \(data.train.classNames.count) outputs")
        return try fineTuning.run(data, work: work, output: output, stoppingAfter: stopStep, progress: progress, say: say)
    }
}
