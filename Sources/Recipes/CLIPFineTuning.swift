// Fine-tuning CLIP on the 91 trained classes by one of the recipes of CLIPFineTuningModel.swift:
// a head on the image tower trained with cross-entropy (ft-clip, zero-shot-head, huggingface),
// or both towers with CLIP's contrastive loss on (image, class prompt) pairs (flyp). Afterwards
// the model is measured twice: on the 91 classes (the paper's test accuracy; through the head,
// or zero-shot against the fine-tuned text tower for flyp) and, zero-shot, on the 10 held-out
// classes: the held-out images through the fine-tuned image tower (class token, post-LayerNorm,
// projection) against the held-out names through the text tower as it now is (its extended
// accuracy; the pretrained text tower except under flyp).
import Datasets
import Common
import Results
import Training
import Foundation
import Models
import TensorCore
import Tokenizer

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

    /// Each trained class's prompt, tokenised (flyp's captions).
    private let classPrompts: [[Int]]
    /// FT-CLIP's label smoothing, when asked for (the paper's Table 2 has none).
    public let labelSmoothing: Float

    /// Loads `checkpoint`, builds `recipe`'s classifier for the 91 training classes and a trainer
    /// that checkpoints to `trainerDirectory` (when given) every quarter epoch.
    public init(checkpoint: URL, data: ExperimentData, configuration: TrainingConfiguration, recipe: CLIPFineTuningRecipe = .ftCLIP,
                labelSmoothing: Float = 0, trainerDirectory: URL? = nil, prompts: PromptTemplates = .food,
                progress: ProgressDisplay = .automatic) throws {
        precondition(data.train.classNames == data.validation.classNames, "CLIPFineTuning: train and validation name different classes")
        source = checkpoint
        zeroShot = try ZeroShotClassifier(checkpoint: checkpoint)
        self.data = data
        self.prompts = prompts
        self.labelSmoothing = labelSmoothing
        classPrompts = data.train.classNames.map { [zeroShot] name in zeroShot.tokenizer.encode(PromptTemplates.fill(prompts.templates[0], with: name)) }
        classifier = CLIPImageClassifier(clip: zeroShot.model, recipe: recipe,
                                         classEmbeddings: zeroShot.classEmbeddings(data.train.classNames, prompts: prompts),
                                         seed: configuration.seed)
        trainPixels = try DatasetPixels(data.train, processor: zeroShot.processor)
        let stepsPerEpoch = (data.train.count + configuration.batchSize - 1) / configuration.batchSize
        // FLYP's contrastive loss couples each micro-batch's pairs: the ranks share whole micro-batches.
        trainer = Trainer(parameters: classifier.namedParameters, configuration: configuration, examplesPerEpoch: data.train.count,
                          coupling: recipe == .flyp ? .perMicroBatch : .independent,
                          checkpoints: trainerDirectory.map { CheckpointPolicy(directory: $0, everySteps: max(1, stepsPerEpoch / 4)) },
                          progress: progress)
    }

    /// Parameters the optimiser updates (see `CLIPFineTuningRecipe.trained`).
    public var trainableParameters: Int { classifier.parameterCount }

    public var recipe: CLIPFineTuningRecipe { classifier.recipe }

    /// The configuration's settings under Table 2's names, the recipe and its own settings.
    public var hyperParameters: HyperParameters {
        var recipeSettings: HyperParameters = ["recipe": .text(recipe.rawValue), "label_smoothing": .number(Double(labelSmoothing))]
        switch recipe {
        case .ftCLIP:
            recipeSettings["head_init"] = .text("trunc_normal(std 0.02) weight, uniform(±width^-1/2) bias, both × \(CLIPImageClassifier.ftCLIPInitScale)")
            recipeSettings["frozen"] = .text("patch embedding")
        case .huggingFace: recipeSettings["head_init"] = .text("normal(std width^-1/2) weight, zero bias")
        case .zeroShotHead: recipeSettings["head_init"] = .text("class prompts' text embeddings × exp(logit_scale)")
        case .flyp: recipeSettings["captions"] = .text(prompts.templates[0])
        }
        return trainer.configuration.hyperParameters.merging(recipeSettings) { $1 }
    }

    /// Restores the trainer's checkpoint when its directory holds one; returns the step reached.
    public func resume() throws -> Int? {
        guard let directory = trainer.checkpoints?.directory, Trainer.hasCheckpoint(in: directory) else { return nil }
        try trainer.restore(from: directory)
        return trainer.step
    }

    /// The recipe's loss on a batch: the mean cross-entropy of the head's logits, or for flyp
    /// CLIP's symmetric contrastive loss between the images and their classes' prompts (two
    /// images of one class in a batch are each other's negatives, as in FLYP's code).
    public func loss(pixels: Tensor, labels: [Int]) -> Tensor {
        guard recipe == .flyp else { return crossEntropy(classifier(pixels), labels: labels, labelSmoothing: labelSmoothing) }
        return zeroShot.model.contrastiveLoss(pixels, TokenBatch(labels.map { classPrompts[$0] }, padding: zeroShot.tokenizer.padding))
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
        if recipe == .flyp { return try zeroShot.zeroShotScores(dataset, promptSets: [prompts], batchSize: batchSize)[0] }
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
    /// beside the single template): the fine-tuned image tower against the text tower as it now
    /// is (pretrained, except under flyp), the held-out images embedded once.
    public func extendedScores(promptSets: [PromptTemplates], batchSize: Int = 64) throws -> [ClassificationHits] {
        try zeroShot.zeroShotScores(data.heldOut, promptSets: promptSets, batchSize: batchSize)
    }
}
