// Fine-tuning CLIP's image tower on the 91 trained classes, FT-CLIP style: the classifier starts
// as the zero-shot head (text embeddings of "a photo of {}, a type of food." for the 91 names),
// the image tower, projection and head are trained with cross-entropy, and the text tower is
// left as pretrained. Afterwards the model is measured twice: on the 91 classes through its
// trained head (the paper's test accuracy) and, zero-shot, on the 10 held-out classes with the
// fine-tuned image tower against the original text tower (its extended accuracy).
import Datasets
import Common
import Results
import Training
import Foundation
import Models
import TensorCore
import Training

public final class CLIPFineTuning {
    /// The pretrained checkpoint directory fine-tuning starts from.
    public let source: URL
    /// The CLIP model being fine-tuned (its image tower) beside its untouched text tower.
    public let zeroShot: ZeroShotClassifier
    public let classifier: CLIPImageClassifier
    public let trainer: Trainer
    public let data: ExperimentData
    /// The template the head is initialised from and the held-out classes are prompted with.
    public let prompts: PromptTemplates
    private let trainPixels: DatasetPixels

    /// Loads `checkpoint`, builds the head for the 91 training classes (FT-CLIP's zero-shot head
    /// unless told otherwise) and a trainer that checkpoints to `trainerDirectory` (when given)
    /// every quarter epoch.
    public init(checkpoint: URL, data: ExperimentData, configuration: TrainingConfiguration, head: CLIPClassifierHead = .zeroShot,
                trainerDirectory: URL? = nil, prompts: PromptTemplates = .food, progress: ProgressDisplay = .automatic) throws {
        precondition(data.train.classNames == data.validation.classNames, "CLIPFineTuning: train and validation name different classes")
        source = checkpoint
        zeroShot = try ZeroShotClassifier(checkpoint: checkpoint)
        self.data = data
        self.prompts = prompts
        classifier = CLIPImageClassifier(clip: zeroShot.model, head: head,
                                         classEmbeddings: zeroShot.classEmbeddings(data.train.classNames, prompts: prompts),
                                         seed: configuration.seed)
        trainPixels = try DatasetPixels(data.train, processor: zeroShot.processor)
        let stepsPerEpoch = (data.train.count + configuration.batchSize - 1) / configuration.batchSize
        trainer = Trainer(parameters: classifier.namedParameters, configuration: configuration, examplesPerEpoch: data.train.count,
                          checkpoints: trainerDirectory.map { CheckpointPolicy(directory: $0, everySteps: max(1, stepsPerEpoch / 4)) },
                          progress: progress)
    }

    /// Parameters the optimiser updates: the image tower, the projection (zero-shot head) and the head.
    public var trainableParameters: Int { classifier.parameterCount }

    /// The configuration's settings under Table 2's names, and the head.
    public var hyperParameters: HyperParameters {
        trainer.configuration.hyperParameters.merging(["head": .text(classifier.kind.rawValue)]) { $1 }
    }

    /// Restores the trainer's checkpoint when its directory holds one; returns the step reached.
    public func resume() throws -> Int? {
        guard let directory = trainer.checkpoints?.directory, Trainer.hasCheckpoint(in: directory) else { return nil }
        try trainer.restore(from: directory)
        return trainer.step
    }

    /// The mean cross-entropy of the head's logits on a batch.
    public func loss(pixels: Tensor, labels: [Int]) -> Tensor {
        crossEntropy(classifier(pixels), labels: labels)
    }

    /// Trains the remaining steps (stopping after `stopStep` when given).
    public func train(stoppingAfter stopStep: Int? = nil) throws {
        try trainer.fit(batch: { indices, _ in (pixels: try self.trainPixels.pixels(indices), labels: self.trainPixels.labels(indices)) },
                        loss: { self.loss(pixels: $0.pixels, labels: $0.labels) },
                        stoppingAfter: stopStep)
    }

    /// Figure 4's curve: each step's mean loss and learning rate.
    public var lossCurve: [LossPoint] { trainer.lossCurve }

    /// The head's accuracy on `dataset` (the validation images of the 91 classes).
    public func score(_ dataset: any Dataset, batchSize: Int = 64) throws -> ClassificationHits {
        precondition(dataset.classNames == data.train.classNames, "CLIPFineTuning: the head classifies the training classes only")
        let pixels = try DatasetPixels(dataset, processor: zeroShot.processor, memoryBudget: 0)
        var score = ClassificationHits(classNames: dataset.classNames)
        try GradMode.with(enabled: false) {
            for start in stride(from: 0, to: dataset.count, by: batchSize) {
                let indices = Array(start..<min(dataset.count, start + batchSize))
                score.add(classifier(try pixels.pixels(indices)), labels: pixels.labels(indices))
            }
        }
        return score
    }

    /// Zero-shot accuracy on the held-out classes under each of `promptSets` (a prompt ensemble
    /// beside the single template): the fine-tuned image tower against the text tower (and text
    /// projection) as pretrained, the held-out images embedded once.
    public func extendedScores(promptSets: [PromptTemplates], batchSize: Int = 64) throws -> [ClassificationHits] {
        try zeroShot.zeroShotScores(data.heldOut, promptSets: promptSets, batchSize: batchSize)
    }
}
