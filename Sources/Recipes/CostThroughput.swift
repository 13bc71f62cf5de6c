// Measured throughput: images per second through a model on this machine, for inference
// (forward, no gradients) and for training (forward and backward of the loss the approach
// trains with; the optimiser's update, a few operations per parameter once per batch, is left
// out: at a batch of 256 it is under 1% of a step). Models are built from their configuration
// with random weights as transformers initialises them, which cost the same arithmetic as
// trained ones, so the paper's ViT-B/16 and CLIP ViT-B/32 are measured without downloading them.
import Checkpoints
import Common
import Results
import Training
import Foundation
import Models
import TensorCore

/// How long to measure: one untimed warm-up pass (page faults, BLAS buffers), then timed ones.
public struct ThroughputPlan: Sendable {
    public var batchSize: Int
    public var iterations: Int
    public var warmUp: Bool

    public init(batchSize: Int, iterations: Int, warmUp: Bool) {
        self.batchSize = batchSize
        self.iterations = iterations
        self.warmUp = warmUp
    }

    public var description: String {
        "batches of \(batchSize), \(iterations) timed pass\(iterations == 1 ? "" : "es")" + (warmUp ? " after one warm-up pass" : "")
    }
}

/// One model's measured figures.
public struct Throughput: Sendable, Equatable {
    public var inferenceImagesPerSecond: Double
    /// Nil when the approach trains nothing.
    public var trainingImagesPerSecond: Double?
}

public enum ThroughputMeasurement {
    /// A ViT classifier of `config`: inference, and training with cross-entropy over every parameter.
    public static func vit(_ config: ViTConfig, plan: ThroughputPlan, seed: UInt64) throws -> Throughput {
        let model = try ViTForImageClassification(config)
        model.initializeRandomly(seed: seed)
        model.setRequiresGrad(true)
        var generator = SeededGenerator(seed: seed).derived("vit-inputs")
        let pixels = randomPixels(plan.batchSize, size: config.imageSize, channels: config.numChannels, &generator)
        let labels = (0..<plan.batchSize).map { _ in generator.int(below: config.labels.count) }
        let inference = imagesPerSecond(plan) { _ = model(pixels) }
        let training = imagesPerSecond(plan, recordingGradients: true) {
            crossEntropy(model(pixels), labels: labels).backward()
            for parameter in model.parameters { parameter.zeroGrad() }
        }
        return Throughput(inferenceImagesPerSecond: inference, trainingImagesPerSecond: training)
    }

    /// CLIP of `config`: zero-shot inference (image embeddings scored against `classes` cached
    /// class embeddings), and fine-tuning as the clip-finetune chapter's default recipe does it
    /// (ft-clip, the paper's): the image encoder, FT-CLIP's fc_norm and a fresh head of `classes`
    /// rows trained with cross-entropy, the text tower frozen. Returns the throughputs and the
    /// trainable parameter count.
    public static func clip(_ config: CLIPConfig, classes: Int, plan: ThroughputPlan,
                            seed: UInt64) throws -> (zeroShot: Throughput, fineTune: Throughput, fineTunedParameters: Int) {
        let model = try CLIPModel(config)
        model.initializeRandomly(seed: seed)
        var generator = SeededGenerator(seed: seed).derived("clip-inputs")
        let vision = config.visionConfig
        let pixels = randomPixels(plan.batchSize, size: vision.imageSize, channels: vision.numChannels, &generator)
        let labels = (0..<plan.batchSize).map { _ in generator.int(below: classes) }
        let classEmbeddings = l2Normalized(Tensor(shape: [classes, config.projectionDim],
                                                  scalars: (0..<(classes * config.projectionDim)).map { _ in Float(generator.uniform(-1, 1)) }))
        let classifier = CLIPImageClassifier(clip: model, recipe: .ftCLIP, classEmbeddings: classEmbeddings, seed: seed)
        let trained = classifier.parameters
        for tensor in trained { tensor.requiresGrad = true }

        let inference = imagesPerSecond(plan) {
            _ = model.logitsPerImage(imageEmbeddings: model.imageEmbeddings(pixels), textEmbeddings: classEmbeddings)
        }
        let training = imagesPerSecond(plan, recordingGradients: true) {
            crossEntropy(classifier(pixels), labels: labels).backward()
            for tensor in trained { tensor.zeroGrad() }
        }
        return (Throughput(inferenceImagesPerSecond: inference, trainingImagesPerSecond: nil),
                Throughput(inferenceImagesPerSecond: inference, trainingImagesPerSecond: training),
                trained.reduce(0) { $0 + $1.count })
    }

    /// Images per second of `pass`, which processes one batch of the plan.
    private static func imagesPerSecond(_ plan: ThroughputPlan, recordingGradients: Bool = false, _ pass: () -> Void) -> Double {
        GradMode.with(enabled: recordingGradients) {
            if plan.warmUp { pass() }
            let clock = ContinuousClock()
            let elapsed = clock.measure { for _ in 0..<plan.iterations { pass() } }
            return Double(plan.batchSize * plan.iterations) / elapsed.inSeconds
        }
    }

    private static func randomPixels(_ count: Int, size: Int, channels: Int, _ generator: inout SeededGenerator) -> Tensor {
        let shape = [count, channels, size, size]
        return Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in Float(generator.uniform(-1, 1)) })
    }
}
