// The training loop: accumulation equivalence, bit-identical resumption, freezing, the recorded
// history, checkpoint files and their errors.
import Foundation
import Testing
import TensorCore
import TestSupport
@testable import Training

@Suite struct TrainerLoop {
    /// 4 micro-batches of 8 give the gradient of one batch of 32, here on a linear classifier:
    /// the weights after three steps agree to rounding.
    @Test func accumulationEqualsTheFullBatch() throws {
        let data = ToyClassification(count: 96, width: 6, classes: 5, seed: 21)
        func train(microBatchSize: Int) throws -> (weights: [Float], history: TrainingHistory) {
            let weight = randomTensor([5, 6], seed: 4, scale: 0.3), bias = Tensor(zeros: [5])
            let configuration = TrainingConfiguration(
                optimizer: AdamWHyperparameters(learningRate: 1e-2, weightDecay: 0.05),
                epochs: 1, batchSize: 32, microBatchSize: microBatchSize, seed: 3)
            let trainer = Trainer(parameters: [("classifier.weight", weight), ("classifier.bias", bias)],
                                  configuration: configuration, examplesPerEpoch: 96, progress: .none)
            try trainer.fit(batch: { indices, _ in data.batch(indices) },
                            loss: { crossEntropy(linear($0.inputs, weight: weight, bias: bias), labels: $0.labels) })
            return (weight.scalars + bias.scalars, trainer.history)
        }
        let whole = try train(microBatchSize: 32), accumulated = try train(microBatchSize: 8)
        let error = relativeError(accumulated.weights, whole.weights)
        let lossError = zip(accumulated.history.steps, whole.history.steps).map { abs($0.loss - $1.loss) }.max()!
        print("accumulation 4×8 vs 32: max relative weight error \(error), max loss difference \(lossError)")
        #expect(whole.history.steps.count == 3)
        #expect(error <= 1e-6)
        #expect(lossError <= 1e-6)
    }

    /// A run killed after a checkpoint and resumed in a new trainer (on a model initialised
    /// differently) ends with the same weights, history and generator as an uninterrupted run.
    @Test func resumingIsBitIdentical() throws {
        let uninterrupted = ToyEncoder(width: 6, classes: 3, seed: 5)
        let reference = Trainer(parameters: uninterrupted.parameters, configuration: ToyRun.configuration(),
                                examplesPerEpoch: 40, progress: .none)
        try ToyRun.fit(reference, uninterrupted)
        #expect(reference.step == 9)

        let scratch = try ScratchDirectory()
        let policy = CheckpointPolicy(directory: scratch.url, everySteps: 4)
        let killed = ToyEncoder(width: 6, classes: 3, seed: 5)
        let first = Trainer(parameters: killed.parameters, configuration: ToyRun.configuration(), examplesPerEpoch: 40,
                            checkpoints: policy, progress: .none)
        try ToyRun.fit(first, killed, stoppingAfter: 6)  // steps 5 and 6 are lost with the process

        let resumed = ToyEncoder(width: 6, classes: 3, seed: 99)
        let second = Trainer(parameters: resumed.parameters, configuration: ToyRun.configuration(), examplesPerEpoch: 40,
                             checkpoints: policy, progress: .none)
        #expect(Trainer.hasCheckpoint(in: scratch.url))
        try second.restore(from: scratch.url)
        #expect(second.step == 4)
        try ToyRun.fit(second, resumed)

        for ((name, expected), (_, actual)) in zip(uninterrupted.parameters, resumed.parameters) {
            #expect(actual.scalars.map(\.bitPattern) == expected.scalars.map(\.bitPattern), "\(name) differs after resuming")
        }
        #expect(second.history == reference.history)
        #expect(second.generator == reference.generator)
        #expect(second.history.epochs.count == 3 && second.history.epochs.allSatisfy { $0.accuracy != nil })
    }

    @Test func frozenParametersDoNotChange() throws {
        for selection in [ParameterSelection.head, .lastBlocks(1)] {
            let model = ToyEncoder(width: 6, classes: 3, seed: 5)
            let before = snapshot(model.parameters)
            let trainer = Trainer(parameters: model.parameters, trainable: selection, configuration: ToyRun.configuration(epochs: 1),
                                  examplesPerEpoch: 40, progress: .none)
            try ToyRun.fit(trainer, model)
            let trained = Set(selection.select(model.parameters).map(\.name))
            for (name, tensor) in model.parameters {
                if trained.contains(name) {
                    #expect(tensor.requiresGrad && tensor.scalars != before[name]!, "\(name) should have trained")
                } else {
                    #expect(!tensor.requiresGrad && tensor.scalars == before[name]!, "\(name) should be frozen")
                }
            }
            #expect(trainer.optimizer.parameters.map(\.name).sorted() == trained.sorted())
        }
    }

    @Test func historyRecordsTheScheduleAndEpochs() throws {
        let model = ToyEncoder(width: 6, classes: 3, seed: 5)
        let configuration = ToyRun.configuration()
        let trainer = Trainer(parameters: model.parameters, configuration: configuration, examplesPerEpoch: 40, progress: .none)
        try ToyRun.fit(trainer, model)
        let steps = trainer.history.steps
        #expect(steps.map(\.step) == Array(1...9))
        #expect(steps.map(\.epoch) == [0, 0, 0, 1, 1, 1, 2, 2, 2])
        #expect(steps.map(\.learningRate) == (0..<9).map { 1e-2 * configuration.schedule.multiplier(step: $0, totalSteps: 9) })
        #expect(steps.allSatisfy { $0.loss.isFinite && $0.gradientNorm > 0 })
        #expect(trainer.history.epochs.map(\.epoch) == [0, 1, 2])
        #expect(trainer.history.epochs[2].meanLoss < trainer.history.epochs[0].meanLoss)
    }

    @Test func checkpointsReplaceTheirPredecessorAndLeftovers() throws {
        let scratch = try ScratchDirectory()
        let leftover = scratch.url.appendingPathComponent(".trainer-step-00000002.safetensors.tmp-1-2")
        try Data("half a checkpoint of a killed run".utf8).write(to: leftover)
        let model = ToyEncoder(width: 6, classes: 3, seed: 5)
        let trainer = Trainer(parameters: model.parameters, configuration: ToyRun.configuration(), examplesPerEpoch: 40,
                              checkpoints: CheckpointPolicy(directory: scratch.url, everySteps: 2), progress: .none)
        try ToyRun.fit(trainer, model)
        let files = try FileManager.default.contentsOfDirectory(atPath: scratch.url.path).sorted()
        #expect(files == ["trainer-state.json", "trainer-step-00000009.safetensors"])
    }

    @Test func resumingUnderAnotherConfigurationIsRefused() throws {
        let scratch = try ScratchDirectory()
        let model = ToyEncoder(width: 6, classes: 3, seed: 5)
        let trainer = Trainer(parameters: model.parameters, configuration: ToyRun.configuration(), examplesPerEpoch: 40,
                              checkpoints: CheckpointPolicy(directory: scratch.url, everySteps: 3), progress: .none)
        try ToyRun.fit(trainer, model, stoppingAfter: 3)

        var changed = ToyRun.configuration()
        changed.optimizer.learningRate = 2e-2
        let other = Trainer(parameters: model.parameters, configuration: changed, examplesPerEpoch: 40, progress: .none)
        let stateFile = scratch.url.appendingPathComponent("trainer-state.json").path
        #expect {
            try other.restore(from: scratch.url)
        } throws: { error in
            guard case let .incompatibleCheckpoint(file, _) = error as? TrainingError else { return false }
            return file == stateFile
        }
        let empty = try ScratchDirectory()
        #expect(throws: TrainingError.noCheckpoint(directory: empty.url.path)) { try other.restore(from: empty.url) }
    }

    @Test func aNonFiniteLossStopsTheRun() {
        let weight = Tensor(zeros: [2, 2])
        let trainer = Trainer(parameters: [("classifier.weight", weight)],
                              configuration: TrainingConfiguration(optimizer: AdamWHyperparameters(learningRate: 1), epochs: 1, batchSize: 2),
                              examplesPerEpoch: 2, progress: .none)
        #expect(throws: TrainingError.nonFiniteLoss(step: 0, value: .infinity)) {
            try trainer.fit(batch: { indices, _ in indices }, loss: { _ in (weight.sum() + .infinity) })
        }
        #expect(weight.scalars == [0, 0, 0, 0])
    }
}

/// How the ranks of an MPI job share a batch (the collective parts run in DataParallelChapterTests).
@Suite struct DataParallelSlices {
    /// Whole micro-batches where there are enough: every rank's micro-batches start where a
    /// single process's do, for any number of ranks, and together they cover the batch once.
    @Test func ranksTakeWholeMicroBatchesOfOneProcesssBatch() {
        for (count, micro) in [(256, 32), (2048, 32), (70, 32), (32, 8)] {
            let starts = Set(stride(from: 0, to: count, by: micro))
            for ranks in 1...((count + micro - 1) / micro) {
                let slices = (0..<ranks).map { Trainer.slice(of: count, microBatchSize: micro, rank: $0, ranks: ranks) }
                #expect(slices.map(\.count).reduce(0, +) == count && slices.first?.lowerBound == 0 && slices.last?.upperBound == count)
                #expect(zip(slices, slices.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound }, "\(count)/\(micro) on \(ranks) ranks")
                let rankStarts = slices.flatMap { slice in stride(from: slice.lowerBound, to: slice.upperBound, by: micro) }
                #expect(Set(rankStarts) == starts, "\(count)/\(micro) on \(ranks) ranks: micro-batch starts \(rankStarts)")
            }
        }
        #expect(Trainer.slice(of: 256, microBatchSize: 32, rank: 1, ranks: 3) == 96..<192)
        #expect(Trainer.slice(of: 256, microBatchSize: 32, rank: 2, ranks: 3) == 192..<256)
    }

    /// Fewer micro-batches than ranks: the examples are shared instead, so that every rank works;
    /// unless a loss couples each micro-batch, which is then never split (a rank may get none).
    @Test func fewerMicroBatchesThanRanksShareTheExamples() {
        #expect((0..<4).map { Trainer.slice(of: 32, microBatchSize: 32, rank: $0, ranks: 4) } == [0..<8, 8..<16, 16..<24, 24..<32])
        #expect((0..<3).map { Trainer.slice(of: 64, microBatchSize: 32, rank: $0, ranks: 3) } == [0..<22, 22..<43, 43..<64])
        #expect((0..<3).map { Trainer.wholeMicroBatches(of: 64, microBatchSize: 32, rank: $0, ranks: 3) } == [0..<32, 32..<64, 64..<64])
    }
}
