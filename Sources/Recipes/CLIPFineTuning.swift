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
    /// Label smoothing, drop path, augmentation and EMA beyond Table 2 (none by default;
    /// FT-CLIP's code defaults under ft-clip-code).
    public let regularization: CLIPFineTuningRegularization
    /// The moving average of the trained weights, when `regularization` asks for one.
    public let ema: ModelEMA?
    /// Black's normalised value per channel (the augmentation's padding).
    private let blackValues: [Float]

    /// Loads `checkpoint`, builds `recipe`'s classifier for the 91 training classes and a trainer
    /// that checkpoints to `trainerDirectory` (when given) every quarter epoch.
    public init(checkpoint: URL, data: ExperimentData, configuration: TrainingConfiguration, recipe: CLIPFineTuningRecipe = .ftCLIP,
                regularization: CLIPFineTuningRegularization = CLIPFineTuningRegularization(), trainerDirectory: URL? = nil, prompts: PromptTemplates = .food,
                progress: ProgressDisplay = .automatic) throws {
        precondition(data.train.classNames == data.validation.classNames, "CLIPFineTuning: train and validation name different classes")
        source = checkpoint
        zeroShot = try ZeroShotClassifier(checkpoint: checkpoint)
        self.data = data
        self.prompts = prompts
        self.regularization = regularization
        classPrompts = data.train.classNames.map { [zeroShot] name in zeroShot.tokenizer.encode(PromptTemplates.fill(prompts.templates[0], with: name)) }
        classifier = CLIPImageClassifier(clip: zeroShot.model, recipe: recipe,
                                         classEmbeddings: zeroShot.classEmbeddings(data.train.classNames, prompts: prompts),
                                         seed: configuration.seed)
        trainPixels = try DatasetPixels(data.train, processor: zeroShot.processor)
        let stepsPerEpoch = (data.train.count + configuration.batchSize - 1) / configuration.batchSize
        // FLYP's contrastive loss couples each micro-batch's pairs: the ranks share whole micro-batches.
        let trainer = Trainer(parameters: classifier.namedParameters, configuration: configuration, examplesPerEpoch: data.train.count,
                              coupling: recipe == .flyp ? .perMicroBatch : .independent,
                              checkpoints: trainerDirectory.map { CheckpointPolicy(directory: $0, everySteps: max(1, stepsPerEpoch / 4)) },
                              progress: progress)
        self.trainer = trainer
        ema = regularization.emaDecay.map { ModelEMA(trainer.optimizer.parameters.map { ($0.name, $0.tensor) }, decay: $0) }
        let processor = zeroShot.processor
        blackValues = (0..<3).map { Float((0 - processor.imageMean[$0]) / processor.imageStd[$0]) }
    }

    /// Parameters the optimiser updates (see `CLIPFineTuningRecipe.trained`).
    public var trainableParameters: Int { classifier.parameterCount }

    public var recipe: CLIPFineTuningRecipe { classifier.recipe }

    /// The configuration's settings under Table 2's names, the recipe and its own settings.
    public var hyperParameters: HyperParameters {
        var recipeSettings = regularization.hyperParameters
        recipeSettings["recipe"] = .text(recipe.rawValue)
        switch recipe {
        case .ftCLIP, .ftCLIPCode, .ftCLIPClassToken:
            recipeSettings["head_init"] = .text("trunc_normal(std 0.02) weight, uniform(±width^-1/2) bias, both × \(CLIPImageClassifier.ftCLIPInitScale)")
            recipeSettings["frozen"] = .text("patch embedding")
        case .ftCLIPHFHead:
            recipeSettings["head_init"] = .text("normal(std width^-1/2) weight, zero bias (Hugging Face's scale)")
            recipeSettings["frozen"] = .text("patch embedding")
        case .huggingFace: recipeSettings["head_init"] = .text("normal(std width^-1/2) weight, zero bias")
        case .zeroShotHead: recipeSettings["head_init"] = .text("class prompts' text embeddings × exp(logit_scale)")
        case .flyp: recipeSettings["captions"] = .text(prompts.templates[0])
        }
        if recipe == .ftCLIPClassToken { recipeSettings["pooling"] = .text("class token through fc_norm") }
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
        guard recipe == .flyp else { return crossEntropy(classifier(pixels), labels: labels, labelSmoothing: regularization.labelSmoothing) }
        return zeroShot.model.contrastiveLoss(pixels, TokenBatch(labels.map { classPrompts[$0] }, padding: zeroShot.tokenizer.padding))
    }

    /// Trains the remaining steps (stopping after `stopStep` when given). Augmentation and drop
    /// path draw from the trainer's per-micro-batch generator, so a resumed run repeats them. At
    /// the end the model holds the moving average when `regularization` keeps one (restarted
    /// from the resumed weights if the run was resumed: the average is not checkpointed).
    public func train(stoppingAfter stopStep: Int? = nil) throws {
        let encoderLayers = zeroShot.model.visionModel.encoder.layers
        let augmentation = regularization.augmentation, depth = regularization.stochasticDepth
        let vision = zeroShot.model.config.visionConfig
        let positions = (vision.imageSize / vision.patchSize) * (vision.imageSize / vision.patchSize) + 1, width = vision.hiddenSize
        try trainer.fit(
            batch: { indices, generator in
                let pixels = try self.trainPixels.pixels(indices)
                if !augmentation.isIdentity { augmentation.apply(to: pixels, zeroValues: self.blackValues, generator: &generator) }
                let masks = depth?.masks(depth: encoderLayers.count, positions: positions, width: width, generator: &generator)
                return (pixels: pixels, labels: self.trainPixels.labels(indices), masks: masks)
            },
            loss: { batch in
                for (layer, masks) in zip(encoderLayers, batch.masks ?? []) { layer.branchMasks = masks }
                defer { for layer in encoderLayers { layer.branchMasks = nil } }
                return self.loss(pixels: batch.pixels, labels: batch.labels)
            },
            afterStep: ema.map { ema in { _ in ema.update() } },
            stoppingAfter: stopStep)
        if let ema, trainer.step == trainer.totalSteps { ema.copyAveragesIntoModel() }
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
        zeroShot.zeroShotScores(try extendedImages(batchSize: batchSize), promptSets: promptSets)
    }

    /// The held-out images through the fine-tuned image tower (what extended accuracy and drift read).
    public func extendedImages(batchSize: Int = 64) throws -> EmbeddedImages {
        try zeroShot.embedImages(data.heldOut, batchSize: batchSize)
    }
}
