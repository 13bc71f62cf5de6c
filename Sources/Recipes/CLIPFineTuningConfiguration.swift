// The settings of CLIP fine-tuning at each preset, and how the results file names them.
import Common
import Results
import Training


extension TrainingConfiguration {
    /// paper: Table 2 exactly (AdamW, lr 1e-4, batches of 2048 accumulated from micro-batches of
    /// 32, weight decay 0.05, betas 0.9/0.999, eps 1e-6, 10 epochs, constant rate), with FT-CLIP's
    /// exemption of norms, biases and embeddings from weight decay.
    /// mini: the same optimiser, decay and rate on MiniFood's 7,280 training images, in batches
    /// of 256, so that an epoch takes 28 steps where Food-101's takes 36: about the same number
    /// of updates on a proportionally smaller set. The fresh head's rate is scaled by 768 / 128,
    /// the paper's width over the mini CLIP's (`MiniModels.headLearningRateScale`), so that it can
    /// move the logits as far in as many steps. `quick` is a smoke test (1 epoch of batches of 32,
    /// every rate Table 2's).
    /// `layerDecay` turns on FT-CLIP's layer-wise rate decay, which the paper does not use.
    public static func clipFineTuning(preset: Preset, quick: Bool, seed: UInt64, layerDecay: Double?) -> TrainingConfiguration {
        var configuration: TrainingConfiguration
        switch preset {
        case .paper:
            configuration = .paperCLIP
        case .mini:
            configuration = .paperCLIP
            configuration.batchSize = quick ? 32 : 256
            configuration.microBatchSize = configuration.batchSize
            configuration.epochs = quick ? 1 : 10
            configuration.headLearningRateScale = quick ? nil : MiniModels.headLearningRateScale(width: MiniCLIPRecipe.geometry.visionConfig.hiddenSize)
        }
        configuration.seed = seed
        configuration.layerDecay = layerDecay
        return configuration
    }

    /// The settings under the names Table 2 uses, with the others this project adds.
    public var hyperParameters: HyperParameters {
        var parameters: HyperParameters = [
            HyperParameterName.learningRate: .number(optimizer.learningRate),
            HyperParameterName.batchSize: .number(Double(batchSize)),
            HyperParameterName.weightDecay: .number(optimizer.weightDecay),
            HyperParameterName.epochs: .number(Double(epochs)),
            HyperParameterName.beta1: .number(optimizer.beta1),
            HyperParameterName.beta2: .number(optimizer.beta2),
            HyperParameterName.epsilon: .number(optimizer.epsilon),
            "optimizer": .text("AdamW"),
            "micro_batch_size": .number(Double(microBatchSize)),
            "schedule": .text(schedule.name),
            "weight_decay_exempt": .text(exemptNormsBiasesAndEmbeddings ? "norms, biases, embeddings" : "none"),
            "layer_decay": layerDecay.map { .number($0) } ?? .text("none"),
            "seed": .number(Double(seed)),
        ]
        if let headLearningRateScale { parameters["head_lr_scale"] = .number(headLearningRateScale) }
        if let maxGradientNorm { parameters["max_gradient_norm"] = .number(maxGradientNorm) }
        return parameters
    }
}

extension LearningRateSchedule {
    var name: String {
        switch self {
        case .constant: "constant"
        case let .warmupCosine(warmupSteps): "cosine after \(warmupSteps) warm-up steps"
        case let .warmupCosineToFloor(warmupSteps, floor):
            "FT-CLIP's per-step cosine to \(floor) × lr after \(warmupSteps) linear warm-up steps"
        }
    }
}
