// Fine-tuning CLIP on the 91 trained classes by one of the recipes of CLIPFineTuningModel.swift:
// a head on the image tower trained with cross-entropy (ft-clip, zero-shot-head, huggingface),
// or both towers with CLIP's contrastive loss on (image, class prompt) pairs (flyp). Afterwards
// the model is measured twice: on the 91 classes (the paper's test accuracy; through the head,
// or zero-shot against the fine-tuned text tower for flyp) and, zero-shot, on the 10 held-out
// classes: the held-out images through the fine-tuned image tower (class token, post-LayerNorm,
// projection) against the held-out names through the text tower as it now is (its extended
// accuracy; the pretrained text tower except under flyp). The fine-tuned model is written as a
// Hugging Face CLIP checkpoint: config, preprocessor and tokenizer files from the source,
// model.safetensors with the fine-tuned image tower and projection beside the pretrained text
// tower, and the trained head in classifier.safetensors. Later chapters load it like any CLIP
// checkpoint (WiSE-FT interpolates its image tower with the zero-shot one).
import Checkpoints
import Cluster
import Datasets
import Common
import Results
import Training
import Foundation
import Imaging
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
    /// The recipe, its training settings and prompts.
    public let plan: CLIPFineTuningPlan
    private let trainPixels: DatasetPixels

    /// Each trained class's prompt, tokenised (flyp's captions).
    private let classPrompts: [[Int]]
    /// The moving average of the trained weights, when the plan's regularisation asks for one.
    public let ema: ModelEMA?
    /// Black's normalised value per channel (the augmentation's padding).
    private let blackValues: [Float]

    /// Loads `checkpoint`, builds the plan's classifier for the 91 training classes and a trainer
    /// that checkpoints to `trainerDirectory` (when given) every quarter epoch.
    public init(checkpoint: URL, data: ExperimentData, plan: CLIPFineTuningPlan, trainerDirectory: URL? = nil,
                progress: ProgressDisplay = .automatic) throws {
        precondition(data.train.classNames == data.test.classNames, "CLIPFineTuning: train and test name different classes")
        source = checkpoint
        zeroShot = try ZeroShotClassifier(checkpoint: checkpoint)
        self.data = data
        self.plan = plan
        let (configuration, prompts) = (plan.training, plan.prompts)
        classPrompts = data.train.classNames.map { [zeroShot] name in zeroShot.tokenizer.encode(PromptTemplates.fill(prompts.templates[0], with: name)) }
        classifier = CLIPImageClassifier(clip: zeroShot.model, recipe: plan.recipe,
                                         classEmbeddings: zeroShot.classEmbeddings(data.train.classNames, prompts: prompts),
                                         seed: configuration.seed)
        trainPixels = try DatasetPixels(data.train, processor: zeroShot.processor)
        let stepsPerEpoch = (data.train.count + configuration.batchSize - 1) / configuration.batchSize
        // FLYP's contrastive loss couples each micro-batch's pairs: the ranks share whole micro-batches.
        let trainer = Trainer(parameters: classifier.namedParameters, configuration: configuration, examplesPerEpoch: data.train.count,
                              coupling: plan.recipe == .flyp ? .perMicroBatch : .independent,
                              checkpoints: trainerDirectory.map { CheckpointPolicy(directory: $0, everySteps: max(1, stepsPerEpoch / 4)) },
                              progress: progress)
        self.trainer = trainer
        ema = plan.regularization.emaDecay.map { ModelEMA(trainer.optimizer.parameters.map { ($0.name, $0.tensor) }, decay: $0) }
        let processor = zeroShot.processor
        blackValues = (0..<3).map { Float((0 - processor.imageMean[$0]) / processor.imageStd[$0]) }
    }

    /// Parameters the optimiser updates (see `CLIPFineTuningRecipe.trained`).
    public var trainableParameters: Int { classifier.parameterCount }

    public var recipe: CLIPFineTuningRecipe { plan.recipe }
    /// Label smoothing, drop path, augmentation and EMA beyond Table 2.
    public var regularization: CLIPFineTuningRegularization { plan.regularization }
    /// The template the head is initialised from and the held-out classes are prompted with.
    public var prompts: PromptTemplates { plan.prompts }
    /// The plan's settings as the results file records them.
    public var hyperParameters: HyperParameters { plan.hyperParameters }

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
        let (pixelRows, pixelColumns) = trainPixels.processor.outputSize
        let crop = RandomResizedCrop(width: pixelColumns, height: pixelRows)
        try trainer.fit(
            batch: { indices, generator in
                let pixels = augmentation.randomResizedCrop
                    ? try self.trainPixels.pixels(indices, crop: crop, generator: &generator)
                    : try self.trainPixels.pixels(indices)
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

    /// The head's accuracy on `dataset` (the test images of the 91 classes).
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

extension CLIPFineTuning {
    /// The files of a Hugging Face CLIP directory, besides the weights, that a copy needs.
    static let companionFiles = ["config.json", "preprocessor_config.json", "tokenizer_config.json", "special_tokens_map.json",
                                 "vocab.json", "merges.txt", "tokenizer.json"]
    public static let classifierFileName = "classifier.safetensors"

    /// Writes the fine-tuned CLIP to `directory`, replacing what is there only once every file
    /// is written (`writeDirectoryAtomically`: a kill at any step leaves the old model or the new
    /// one whole).
    public func saveFineTuned(to directory: URL) throws {
        guard MPIWorld.current.isLeader else { return }  // under MPI, rank 0 alone writes
        let manager = FileManager.default
        try writeDirectoryAtomically(directory) { staging in
            for name in Self.companionFiles {
                let file = source.appendingPathComponent(name)
                guard manager.fileExists(atPath: file.path) else { continue }
                try manager.copyItem(at: file.resolvingSymlinksInPath(), to: staging.appendingPathComponent(name))
            }
            let weights = Dictionary(uniqueKeysWithValues: zeroShot.model.namedParameters.map { ($0.name, $0.tensor) })
            try writeSafeTensors(weights, metadata: ["format": "pt", "fine_tuned": recipe.trained, "recipe": recipe.rawValue],
                                 to: staging.appendingPathComponent(Checkpoint.weightsFileName))
            let classes = String(decoding: try JSONEncoder().encode(data.train.classNames), as: UTF8.self)
            // The head as `weight`/`bias` (what WiSE-FT reads), FT-CLIP's norm as `fc_norm.*`; flyp has neither.
            if let head = classifier.head {
                let norm = classifier.fcNorm.map { $0.namedParameters.map { ("fc_norm." + $0.name, $0.tensor) } } ?? []
                try writeSafeTensors(Dictionary(uniqueKeysWithValues: head.namedParameters + norm), metadata: ["classes": classes, "recipe": recipe.rawValue],
                                     to: staging.appendingPathComponent(Self.classifierFileName))
            }
        }
    }
}
