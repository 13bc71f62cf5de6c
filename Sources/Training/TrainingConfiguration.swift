// Everything that determines a run's arithmetic, with the paper's settings as presets. A run is
// resumed only under the configuration it started with (checked against the checkpoint).

public struct TrainingConfiguration: Codable, Equatable, Sendable {
    public var optimizer: AdamWHyperparameters
    public var schedule: LearningRateSchedule
    public var epochs: Int
    /// Examples per optimiser step.
    public var batchSize: Int
    /// Examples per forward/backward pass. A step accumulates the gradients of its micro-batches,
    /// each loss weighted by its share of the batch, so this bounds memory without changing the
    /// gradient (beyond rounding).
    public var microBatchSize: Int
    /// No weight decay on norms, biases, embeddings and logit_scale (FT-CLIP; the HF Trainer
    /// likewise spares biases and LayerNorms).
    public var exemptNormsBiasesAndEmbeddings: Bool
    /// Layer-wise learning-rate decay (FT-CLIP's key setting): the rate of layer l is scaled by
    /// layerDecay^(depth + 1 − l). Nil trains every layer at the same rate.
    public var layerDecay: Double?
    /// The classification head's (`classifier.*`) learning rate is the rate times this; nil is 1.
    /// A narrow scale model's correction (muP's output-layer rule for Adam: the head's rate
    /// grows as its input width shrinks), not a setting the paper names.
    public var headLearningRateScale: Double?
    /// Clips the global gradient norm to this value before each update.
    public var maxGradientNorm: Double?
    /// A fresh permutation of the examples every epoch, drawn from the seed.
    public var shuffle: Bool
    /// Skips the last, smaller batch of an epoch.
    public var dropLastPartialBatch: Bool
    public var seed: UInt64

    public init(optimizer: AdamWHyperparameters, schedule: LearningRateSchedule = .constant, epochs: Int, batchSize: Int,
                microBatchSize: Int? = nil, exemptNormsBiasesAndEmbeddings: Bool = true, layerDecay: Double? = nil,
                maxGradientNorm: Double? = nil, shuffle: Bool = true, dropLastPartialBatch: Bool = false, seed: UInt64 = 0) {
        precondition(epochs > 0 && batchSize > 0, "TrainingConfiguration: epochs and batch size must be positive")
        self.optimizer = optimizer
        self.schedule = schedule
        self.epochs = epochs
        self.batchSize = batchSize
        self.microBatchSize = min(microBatchSize ?? batchSize, batchSize)
        precondition(self.microBatchSize > 0, "TrainingConfiguration: micro-batch size must be positive")
        self.exemptNormsBiasesAndEmbeddings = exemptNormsBiasesAndEmbeddings
        self.layerDecay = layerDecay
        self.maxGradientNorm = maxGradientNorm
        self.shuffle = shuffle
        self.dropLastPartialBatch = dropLastPartialBatch
        self.seed = seed
    }
}
