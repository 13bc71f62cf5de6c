// The curves a run records (Figure 4 plots loss and learning rate per step), saved with every
// checkpoint so that a resumed run's history is whole.
import Common

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
    public var accuracy: TopKAccuracy?
}

public struct TrainingHistory: Codable, Equatable, Sendable {
    public var steps: [StepRecord] = []
    public var epochs: [EpochRecord] = []

    public init() {}

    /// Every step's mean loss and learning rate against fractional epochs (Figure 4's curve).
    public func lossCurve(stepsPerEpoch: Int) -> [LossPoint] {
        steps.map {
            LossPoint(step: $0.step, epoch: Double($0.step) / Double(stepsPerEpoch), loss: Double($0.loss), learningRate: $0.learningRate)
        }
    }
}

/// One logged point of a training run.
public struct LossPoint: Codable, Sendable, Equatable {
    public var step: Int
    /// Fractional epoch (step / steps per epoch), so runs of different batch sizes align.
    public var epoch: Double
    public var loss: Double
    public var learningRate: Double

    public init(step: Int, epoch: Double, loss: Double, learningRate: Double) {
        (self.step, self.epoch, self.loss, self.learningRate) = (step, epoch, loss, learningRate)
    }
}
