// The trainer driving the project's real models (the tiny HF-named ViT and CLIP fixtures):
// their names parse into the expected groups and layers, freezing holds, and CLIP's contrastive
// loss reaches every parameter, as mini pretraining will need.
import Checkpoints
import Common
import Results
@testable import Training
import Foundation
import Models
import Testing
import TensorCore
import TestSupport

@Suite struct ModelTraining {
    /// Uniform noise images [n, 3, 224, 224] drawn from the trainer's generator.
    static func noiseImages(_ count: Int, _ generator: inout SeededGenerator) -> Tensor {
        let pixels = Tensor(uninitializedShape: [count, 3, 224, 224])
        for i in 0..<pixels.count { pixels.pointer[i] = Float(generator.unit()) * 2 - 1 }
        return pixels
    }

    @Test func fineTuningTheLastViTBlock() throws {
        let checkpoint = try Checkpoint(directory: Fixtures.url("models/vit"))
        let model = try ViTForImageClassification(try checkpoint.config(ViTConfig.self))
        try model.load(from: checkpoint)
        let before = snapshot(model.namedParameters)
        let configuration = TrainingConfiguration(
            optimizer: AdamWHyperparameters(learningRate: 1e-3, beta1: 0.9, beta2: 0.99, epsilon: 1e-6, weightDecay: 0.05),
            epochs: 1, batchSize: 4, microBatchSize: 2, layerDecay: 0.65, seed: 1)
        let trainer = Trainer(parameters: model.namedParameters, trainable: .lastBlocks(1), configuration: configuration,
                              examplesPerEpoch: 8, progress: .none)
        try trainer.fit(batch: { indices, generator in (Self.noiseImages(indices.count, &generator), indices.map { $0 % 5 }) },
                        loss: { crossEntropy(model($0.0), labels: $0.1, labelSmoothing: 0.1) })

        let trained = trainer.optimizer.parameters
        #expect(trained.allSatisfy { $0.name.hasPrefix("vit.encoder.layer.1.") || $0.name.hasPrefix("vit.layernorm.") || $0.name.hasPrefix("classifier.") })
        for parameter in trained {
            let exempt = parameter.name.hasSuffix(".bias") || parameter.name.contains("layernorm")
            #expect(parameter.weightDecay == (exempt ? 0 : 0.05), "\(parameter.name)")
            let head = !parameter.name.hasPrefix("vit.encoder.")
            #expect(abs(parameter.learningRateScale - (head ? 1 : 0.65)) < 1e-12, "\(parameter.name)")
        }
        let trainedNames = Set(trained.map(\.name))
        for (name, tensor) in model.namedParameters {
            #expect((tensor.scalars != before[name]!) == trainedNames.contains(name), "\(name)")
        }
    }

    @Test func contrastivePretrainingReachesEveryCLIPParameter() throws {
        let checkpoint = try Checkpoint(directory: Fixtures.url("models/clip"))
        let model = try CLIPModel(try checkpoint.config(CLIPConfig.self))
        try model.load(from: checkpoint)
        let configuration = TrainingConfiguration(
            optimizer: AdamWHyperparameters(learningRate: 1e-3, beta1: 0.9, beta2: 0.98, epsilon: 1e-6, weightDecay: 0.2),
            epochs: 1, batchSize: 4, seed: 2)
        let trainer = Trainer(parameters: model.namedParameters, configuration: configuration, examplesPerEpoch: 4, progress: .none)
        try trainer.fit(
            batch: { indices, generator in
                (Self.noiseImages(indices.count, &generator), TokenBatch(indices.map { [49406, 320 + $0, 49407] }, padding: 49407))
            },
            loss: { model.contrastiveLoss($0.0, $0.1) })

        let optimizer = trainer.optimizer
        #expect(optimizer.stepCounts.allSatisfy { $0 == 1 }, "every parameter should have had a gradient")
        let exempt = optimizer.parameters.filter { $0.weightDecay == 0 }.map(\.name)
        #expect(exempt.contains("logit_scale") && exempt.contains("text_model.embeddings.token_embedding.weight")
            && exempt.contains("vision_model.embeddings.class_embedding") && exempt.contains("vision_model.pre_layrnorm.weight"))
        #expect(!exempt.contains("vision_model.embeddings.patch_embedding.weight") && !exempt.contains("visual_projection.weight"))
        #expect(trainer.history.steps.count == 1 && trainer.history.steps[0].loss.isFinite)
    }
}
