// The curves a run records (Figure 4 plots loss and learning rate per step), saved with every
// checkpoint so that a resumed run's history is whole.

public struct StepRecord: Codable, Equatable, Sendable {
    /// Optimiser steps done, this one included (1-based).
    public var step: Int
    public var epoch: Int
    /// The batch's mean loss (the micro-batch losses weighted by their share).
    public var loss: Float
    /// The scheduled rate of this update, before any layer-wise scaling.
    public var learningRate: Double
    /// The global gradient norm, before clipping.
    public var gradientNorm: Double
}

public struct EpochRecord: Codable, Equatable, Sendable {
    public var epoch: Int
    public var meanLoss: Double
    /// The evaluation after the epoch, when the run has one.
    public var accuracy: Accuracy?
}

public struct TrainingHistory: Codable, Equatable, Sendable {
    public var steps: [StepRecord] = []
    public var epochs: [EpochRecord] = []

    public init() {}
}
