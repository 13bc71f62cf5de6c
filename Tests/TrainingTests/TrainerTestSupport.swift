// A small classification run of ToyEncoder that the trainer tests repeat under variations.
import Foundation
import TensorCore
@testable import Training

struct ToyRun {
    static let data = ToyClassification(count: 40, width: 6, classes: 3, seed: 11)

    static func configuration(microBatchSize: Int = 8, epochs: Int = 3) -> TrainingConfiguration {
        TrainingConfiguration(
            optimizer: AdamWHyperparameters(learningRate: 1e-2, beta1: 0.9, beta2: 0.99, epsilon: 1e-6, weightDecay: 0.05),
            schedule: .warmupCosine(warmupSteps: 2), epochs: epochs, batchSize: 16, microBatchSize: microBatchSize,
            layerDecay: 0.75, maxGradientNorm: 1.0, seed: 7)
    }

    /// Trains `model` with input noise drawn from the trainer's generator (so that resuming must
    /// restore it), evaluating after each epoch.
    static func fit(_ trainer: Trainer, _ model: ToyEncoder, stoppingAfter stop: Int? = nil) throws {
        try trainer.fit(
            batch: { indices, generator -> (inputs: Tensor, labels: [Int]) in
                let (inputs, labels) = data.batch(indices)
                for i in 0..<inputs.count { inputs.pointer[i] += 0.01 * (Float(generator.unit()) - 0.5) }
                return (inputs, labels)
            },
            loss: { batch in crossEntropy(model.logits(batch.inputs), labels: batch.labels, labelSmoothing: 0.1) },
            evaluate: {
                ClassificationHits.counting(classNames: ["a", "b", "c"], examples: 40, batchSize: 16) { range in
                    let (inputs, labels) = data.batch(Array(range))
                    return (model.logits(inputs), labels)
                }.accuracy
            },
            stoppingAfter: stop)
    }
}

extension ParameterSelection {
    /// The last `count` encoder blocks and the head (no recipe trains this; tests use it as a
    /// selection that cuts through the encoder).
    static func lastBlocks(_ count: Int) -> ParameterSelection {
        ParameterSelection { name, depth in ParameterNames.layerIndex(of: name, depth: depth) > depth - count }
    }
}
