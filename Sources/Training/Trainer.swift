// The training loop. The caller supplies the data as a function of example indices and the loss
// as a function of a batch; the trainer owns everything else: the epoch order (a permutation
// drawn from the seed), micro-batch accumulation, clipping, the schedule, AdamW, the recorded
// curves, evaluation after each epoch, progress, and checkpoints from which a killed run resumes
// to the same weights, bit for bit.
import Cluster
import Common
import Foundation
import TensorCore

public struct CheckpointPolicy: Sendable {
    public var directory: URL
    /// A checkpoint after every `everySteps` steps, and one after the last.
    public var everySteps: Int

    public init(directory: URL, everySteps: Int) {
        precondition(everySteps > 0, "CheckpointPolicy: everySteps must be positive")
        self.directory = directory
        self.everySteps = everySteps
    }
}

public final class Trainer {
    public let configuration: TrainingConfiguration
    public let examplesPerEpoch: Int
    public let stepsPerEpoch: Int
    public var totalSteps: Int { stepsPerEpoch * configuration.epochs }
    /// Every parameter given, trained or frozen (checkpoints hold them all).
    public let parameters: [(name: String, tensor: Tensor)]
    public let optimizer: AdamW
    public let checkpoints: CheckpointPolicy?
    public var progress: ProgressDisplay
    /// The ranks that train together (TrainerDataParallel.swift); a world of one by default.
    public let world = MPIWorld.current
    /// How an example's loss depends on the rest of its batch, which decides how the ranks
    /// share a batch (TrainerDataParallel.swift).
    public let coupling: BatchCoupling

    /// Optimiser steps done.
    public internal(set) var step = 0
    public internal(set) var history = TrainingHistory()
    /// The root of the batch function's randomness (augmentation, noise): each micro-batch gets
    /// a generator derived from it, the step and the micro-batch's place; saved with checkpoints.
    public internal(set) var generator: SeededGenerator

    /// Trains the `trainable` subset of `parameters` (the others get requiresGrad = false) over
    /// `examplesPerEpoch` examples per epoch.
    public init(parameters: [(name: String, tensor: Tensor)], trainable: ParameterSelection = .all,
                configuration: TrainingConfiguration, examplesPerEpoch: Int, coupling: BatchCoupling = .independent,
                checkpoints: CheckpointPolicy? = nil, progress: ProgressDisplay = .automatic) {
        precondition(Set(parameters.map(\.name)).count == parameters.count, "Trainer: parameter names must be unique")
        let trained = trainable.select(parameters)
        precondition(!trained.isEmpty, "Trainer: no parameter is selected for training")
        let trainedNames = Set(trained.map(\.name))
        for (name, tensor) in parameters { tensor.requiresGrad = trainedNames.contains(name) }

        self.parameters = parameters
        self.configuration = configuration
        self.examplesPerEpoch = examplesPerEpoch
        precondition(coupling != .gathered || configuration.microBatchSize >= configuration.batchSize,
                     "Trainer: a gathered loss couples the whole batch, so it cannot be split into micro-batches")
        self.coupling = coupling
        let batch = configuration.batchSize
        stepsPerEpoch = configuration.dropLastPartialBatch ? examplesPerEpoch / batch : (examplesPerEpoch + batch - 1) / batch
        precondition(stepsPerEpoch > 0, "Trainer: \(examplesPerEpoch) examples make no batch of \(batch)")
        optimizer = AdamW(trained, hyperparameters: configuration.optimizer,
                          exemptNormsBiasesAndEmbeddings: configuration.exemptNormsBiasesAndEmbeddings,
                          layerDecay: configuration.layerDecay, depth: ParameterNames.encoderDepth(parameters.map(\.name)),
                          headLearningRateScale: configuration.headLearningRateScale)
        self.checkpoints = checkpoints
        self.progress = progress
        generator = SeededGenerator(seed: configuration.seed)
    }

    /// Runs the remaining steps (all of them, or those after a restored checkpoint), stopping
    /// early after step `stopStep` when given.
    /// - batch: the inputs of the examples at `indices` (a micro-batch); randomness must come
    ///   from the generator it is given for the run to be reproducible, resumable and the same
    ///   on any number of ranks.
    /// - loss: the mean loss of a batch, a scalar recorded for autograd.
    /// - evaluate: run after each epoch; its accuracy joins the history.
    /// - afterStep: run after each update (e.g. to clamp CLIP's logit scale).
    public func fit<Batch>(batch makeBatch: (_ indices: [Int], _ generator: inout SeededGenerator) throws -> Batch,
                           loss: (Batch) throws -> Tensor,
                           evaluate: (() throws -> TopKAccuracy)? = nil,
                           afterStep: ((StepRecord) throws -> Void)? = nil,
                           stoppingAfter stopStep: Int? = nil) throws {
        let end = min(totalSteps, stopStep ?? totalSteps)
        try synchronizeWithLeader()
        let reporter = ProgressReporter(world.isLeader ? progress : .none, totalSteps: totalSteps, stepsPerEpoch: stepsPerEpoch, epochs: configuration.epochs)
        defer { reporter.finish() }
        var orderEpoch = -1, order: [Int] = []
        var (examplesTrained, secondsTrained) = (0, 0.0)
        while step < end {
            let started = ProcessInfo.processInfo.systemUptime
            let epoch = step / stepsPerEpoch, position = step % stepsPerEpoch
            if orderEpoch != epoch { (orderEpoch, order) = (epoch, epochOrder(epoch)) }
            let batchSize = configuration.batchSize
            let items = Array(order[(position * batchSize)..<min(order.count, (position + 1) * batchSize)])

            let meanLoss = try accumulateGradients(items, makeBatch: makeBatch, loss: loss)
            examplesTrained += trainedExamples(of: items.count)
            secondsTrained += ProcessInfo.processInfo.systemUptime - started
            let record = try update(epoch: epoch, loss: meanLoss)
            try afterStep?(record)
            reporter.stepFinished(record, examples: items.count, seconds: ProcessInfo.processInfo.systemUptime - started)

            if step % stepsPerEpoch == 0 {
                let losses = history.steps.filter { $0.epoch == epoch }.map { Double($0.loss) }
                let summary = EpochRecord(epoch: epoch, meanLoss: losses.reduce(0, +) / Double(max(losses.count, 1)),
                                          accuracy: try evaluate?())
                history.epochs.append(summary)
                reporter.epochFinished(summary)
            }
            if let checkpoints, step % checkpoints.everySteps == 0 || step == totalSteps {
                try saveCheckpoint(to: checkpoints.directory)
            }
        }
        try recordThroughput(examples: examplesTrained, seconds: secondsTrained)
    }

    /// The examples of `epoch` in the order its batches take them.
    func epochOrder(_ epoch: Int) -> [Int] {
        var shuffler = SeededGenerator(seed: configuration.seed).derived(UInt64(epoch) + 1)
        var order = configuration.shuffle ? shuffler.permutation(examplesPerEpoch) : Array(0..<examplesPerEpoch)
        if configuration.dropLastPartialBatch { order.removeSubrange((stepsPerEpoch * configuration.batchSize)...) }
        return order
    }

    /// Forward and backward over the micro-batches of this rank's slice of one batch; each loss
    /// is weighted by its share of the whole batch, so the accumulated (and, over the ranks,
    /// summed) gradient is the gradient of the batch's mean loss. A micro-batch's randomness
    /// comes from a generator derived from the step and its place in the batch, so it does not
    /// depend on which rank draws it.
    private func accumulateGradients<Batch>(_ items: [Int], makeBatch: ([Int], inout SeededGenerator) throws -> Batch,
                                            loss: (Batch) throws -> Tensor) throws -> Float {
        var total: Float = 0
        let mine = slice(of: items.count)
        for start in stride(from: mine.lowerBound, to: mine.upperBound, by: configuration.microBatchSize) {
            let micro = Array(items[start..<min(mine.upperBound, start + configuration.microBatchSize)])
            let weight = Float(micro.count) / Float(items.count)
            var generator = self.generator.derived(UInt64(step)).derived(UInt64(start))
            try GradMode.with(enabled: true) {
                let inputs = try makeBatch(micro, &generator)
                let value = try loss(inputs)
                precondition(value.count == 1, "Trainer: the loss must be a scalar, got shape \(value.shape)")
                guard value.item.isFinite else { throw TrainingError.nonFiniteLoss(step: step, value: value.item) }
                value.backward(Tensor(shape: value.shape, scalars: [weight]))
                total += value.item * weight
            }
        }
        switch coupling {
        case .replicated: return total  // every rank computed the same whole batch
        case .gathered:  // every rank's loss is the whole batch's; its gradient reached this rank's rows only
            try allreduceGradients()
            return total
        case .independent, .perMicroBatch:
            try allreduceGradients()
            return world.size > 1 ? Float(try world.allreduceSum([Double(total)])[0]) : total
        }
    }

    /// Clipping, the scheduled rate, the AdamW update, and the step's record.
    private func update(epoch: Int, loss: Float) throws -> StepRecord {
        let tensors = optimizer.parameters.map(\.tensor)
        let norm = configuration.maxGradientNorm.map { clipGradientNorm(tensors, maxNorm: $0) } ?? gradientNorm(tensors)
        guard norm.isFinite else { throw TrainingError.nonFiniteGradient(step: step) }
        let learningRate = configuration.optimizer.learningRate * configuration.schedule.multiplier(step: step, totalSteps: totalSteps)
        optimizer.step(learningRate: learningRate)
        optimizer.zeroGrad()
        step += 1
        let record = StepRecord(step: step, epoch: epoch, loss: loss, learningRate: learningRate, gradientNorm: norm)
        history.steps.append(record)
        return record
    }
}

extension Trainer {
    /// Every step's mean loss and learning rate against fractional epochs (Figure 4's curve).
    public var lossCurve: [LossPoint] { history.lossCurve(stepsPerEpoch: stepsPerEpoch) }

    /// How many numbers the optimiser updates.
    public var trainableParameterCount: Int { optimizer.parameters.reduce(0) { $0 + $1.tensor.count } }
}
