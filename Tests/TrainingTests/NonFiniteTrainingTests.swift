// A run whose loss or weights stop being finite stops there, says at which step, and leaves the
// last good checkpoint on disk to resume from.
import Foundation
import Testing
import TensorCore
import TestSupport
@testable import Training

@Suite struct NonFiniteTraining {
    /// A NaN loss at step 5 (injected) stops the run before any update: the checkpoint of step 4
    /// stays, holds the weights an uninterrupted run has after 4 steps, and resumes.
    @Test func aNaNLossStopsAtItsStepAndKeepsTheLastCheckpoint() throws {
        let reference = ToyEncoder(width: 6, classes: 3, seed: 5)
        try fit(Trainer(parameters: reference.parameters, configuration: ToyRun.configuration(), examplesPerEpoch: 40, progress: .none),
                reference, nanAtStep: nil, stoppingAfter: 4)

        let scratch = try ScratchDirectory()
        let model = ToyEncoder(width: 6, classes: 3, seed: 5)
        let trainer = Trainer(parameters: model.parameters, configuration: ToyRun.configuration(), examplesPerEpoch: 40,
                              checkpoints: CheckpointPolicy(directory: scratch.url, everySteps: 2), progress: .none)
        var thrown: (any Error)?
        do {
            try fit(trainer, model, nanAtStep: 5)
        } catch {
            thrown = error
        }
        let error = try #require(thrown as? TrainingError)
        guard case let .nonFiniteLoss(step, value) = error else { Issue.record("expected a non-finite loss, got \(error)"); return }
        #expect(step == 4 && value.isNaN && trainer.step == 4)
        #expect(error.description == "the loss became NaN at step 5; lower the learning rate or check the inputs")
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.url.path).sorted()
            == ["trainer-state.json", "trainer-step-00000004.safetensors"])

        let resumed = ToyEncoder(width: 6, classes: 3, seed: 99)
        let second = Trainer(parameters: resumed.parameters, configuration: ToyRun.configuration(), examplesPerEpoch: 40, progress: .none)
        try second.restore(from: scratch.url)
        #expect(second.step == 4 && second.history.steps.count == 4)
        for ((name, expected), (_, actual)) in zip(reference.parameters, resumed.parameters) {
            #expect(actual.scalars.map(\.bitPattern) == expected.scalars.map(\.bitPattern), "\(name) differs from the good run's")
        }
    }

    /// A learning rate of 1e30 blows the weights up within a few steps: the run stops with a
    /// non-finite error naming the step, and every checkpoint it left holds finite weights.
    @Test func anExplodingLearningRateStopsTheRunWithFiniteCheckpoints() throws {
        let scratch = try ScratchDirectory()
        let model = ToyEncoder(width: 6, classes: 3, seed: 5)
        var configuration = ToyRun.configuration(epochs: 20)
        configuration.optimizer.learningRate = 1e30
        configuration.schedule = .constant
        let trainer = Trainer(parameters: model.parameters, configuration: configuration, examplesPerEpoch: 40,
                              checkpoints: CheckpointPolicy(directory: scratch.url, everySteps: 1), progress: .none)
        var thrown: (any Error)?
        do { try ToyRun.fit(trainer, model) } catch { thrown = error }
        let error = try #require(thrown as? TrainingError, "a learning rate of 1e30 trained \(trainer.step) steps without a fault")
        print("learning rate 1e30: \(error)")
        switch error {
        case .nonFiniteLoss, .nonFiniteGradient, .nonFiniteParameter: #expect(error.description.contains("step \(trainer.step)")
                                                                               || error.description.contains("step \(trainer.step + 1)"))
        default: Issue.record("expected a non-finite fault, got \(error)")
        }
        #expect(trainer.step < trainer.totalSteps)

        let restored = ToyEncoder(width: 6, classes: 3, seed: 1)
        let second = Trainer(parameters: restored.parameters, configuration: configuration, examplesPerEpoch: 40, progress: .none)
        try second.restore(from: scratch.url)
        #expect(second.step >= 1 && second.step <= trainer.step)
        #expect(restored.parameters.allSatisfy { $0.tensor.scalars.allSatisfy(\.isFinite) })
    }

    /// A checkpoint is never written over weights that hold a NaN or an infinity: the directory
    /// keeps the one before.
    @Test func aCheckpointOfNonFiniteWeightsIsRefused() throws {
        let scratch = try ScratchDirectory()
        let model = ToyEncoder(width: 6, classes: 3, seed: 5)
        let trainer = Trainer(parameters: model.parameters, configuration: ToyRun.configuration(), examplesPerEpoch: 40,
                              checkpoints: CheckpointPolicy(directory: scratch.url, everySteps: 2), progress: .none)
        try ToyRun.fit(trainer, model, stoppingAfter: 2)
        let state = scratch.url.appendingPathComponent("trainer-state.json")
        let before = try Data(contentsOf: state)

        model["classifier.bias"].pointer[1] = .infinity
        #expect(throws: TrainingError.nonFiniteParameter(step: 2, name: "classifier.bias")) { try trainer.saveCheckpoint(to: scratch.url) }
        #expect(try Data(contentsOf: state) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.url.path).sorted()
            == ["trainer-state.json", "trainer-step-00000002.safetensors"])
    }
}

/// Trains `model` on the toy data; the loss of step `nanAtStep` (1-based) is made NaN.
private func fit(_ trainer: Trainer, _ model: ToyEncoder, nanAtStep: Int?, stoppingAfter stop: Int? = nil) throws {
    try trainer.fit(batch: { indices, _ in ToyRun.data.batch(indices) },
                    loss: { batch in
                        let loss = crossEntropy(model.logits(batch.inputs), labels: batch.labels)
                        return trainer.step + 1 == nanAtStep ? loss * Float.nan : loss
                    },
                    stoppingAfter: stop)
}
