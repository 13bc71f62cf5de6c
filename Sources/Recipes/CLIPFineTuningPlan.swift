// The settings of a CLIP fine-tuning, each defined here once: Table 2 for the paper preset, its
// mini analogue, a recipe's regularisation, and the rows results/clip-finetune.json records;
// then one run of the plan, from the pretrained checkpoint to the measured and saved model.
import Checkpoints
import Common
import Datasets
import Foundation
import Models
import Results
import Training

public struct CLIPFineTuningPlan: Sendable {
    public var recipe: CLIPFineTuningRecipe
    /// The optimiser, schedule, epochs, batch and micro-batch.
    public var training: TrainingConfiguration
    /// Label smoothing, drop path, augmentation and EMA beyond Table 2 (none by default;
    /// FT-CLIP's code defaults under ft-clip-code).
    public var regularization: CLIPFineTuningRegularization
    /// The template the head is initialised from and the held-out classes are prompted with.
    public var prompts: PromptTemplates

    public init(recipe: CLIPFineTuningRecipe = .ftCLIP, training: TrainingConfiguration,
                regularization: CLIPFineTuningRegularization = CLIPFineTuningRegularization(), prompts: PromptTemplates = .food) {
        (self.recipe, self.training, self.regularization, self.prompts) = (recipe, training, regularization, prompts)
    }

    /// Table 2 of the paper: AdamW, lr 1e-4, betas 0.9/0.999, eps 1e-6, weight decay 0.05,
    /// batches of 2048 (accumulated from micro-batches of 32), 10 epochs.
    public static let table2 = TrainingConfiguration(
        optimizer: AdamWHyperparameters(learningRate: 1e-4, beta1: 0.9, beta2: 0.999, epsilon: 1e-6, weightDecay: 0.05),
        epochs: 10, batchSize: 2048, microBatchSize: 32)

    /// paper: Table 2 exactly, constant rate, with FT-CLIP's exemption of norms, biases and
    /// embeddings from weight decay.
    /// mini: the same optimiser, decay and rate on MiniFood's 7,280 training images, in batches
    /// of 256, so that an epoch takes 28 steps where Food-101's takes 36: about the same number
    /// of updates on a proportionally smaller set. The fresh head's rate is scaled by 768 / 128,
    /// the paper's width over the mini CLIP's (`MiniModels.headLearningRateScale`), so that it can
    /// move the logits as far in as many steps. `quick` is a smoke test (1 epoch of batches of 32,
    /// every rate Table 2's).
    /// `layerDecay` turns on FT-CLIP's layer-wise rate decay, which the paper does not use.
    public static func training(preset: Preset, quick: Bool, seed: UInt64, layerDecay: Double?) -> TrainingConfiguration {
        var configuration = table2
        if preset == .mini {
            configuration.batchSize = quick ? 32 : 256
            configuration.microBatchSize = configuration.batchSize
            configuration.epochs = quick ? 1 : 10
            configuration.headLearningRateScale = quick ? nil : MiniModels.headLearningRateScale(width: MiniCLIPRecipe.geometry.visionConfig.hiddenSize)
        }
        configuration.seed = seed
        configuration.layerDecay = layerDecay
        return configuration
    }

    /// `recipe` with the preset's Table 2 settings and the chapter's flags (`ftCLIPSchedule`,
    /// `regularization`), or for ft-clip-code FT-CLIP's code defaults for a CLIP of
    /// `imageSize` pixels.
    public static func chapter(_ recipe: CLIPFineTuningRecipe, preset: Preset, quick: Bool, seed: UInt64, layerDecay: Double?,
                               ftCLIPSchedule: (warmupEpochs: Int, minimumRate: Double)?, regularization: CLIPFineTuningRegularization,
                               imageSize: Int, trainingImages: Int) throws -> CLIPFineTuningPlan {
        var training = training(preset: preset, quick: quick, seed: seed, layerDecay: layerDecay)
        guard recipe == .ftCLIPCode else {
            if let ftCLIPSchedule {
                training = training.withFTCLIPSchedule(warmupEpochs: ftCLIPSchedule.warmupEpochs, minimumRate: ftCLIPSchedule.minimumRate,
                                                       stepsPerEpoch: (trainingImages + training.batchSize - 1) / training.batchSize)
            }
            return CLIPFineTuningPlan(recipe: recipe, training: training, regularization: regularization)
        }
        let codeDefaults = CLIPFineTuningRegularization.ftCLIPCode(imageSize: imageSize, emaDecay: regularization.emaDecay)
        return CLIPFineTuningPlan(recipe: recipe, training: training.ftCLIPCode(examplesPerEpoch: trainingImages), regularization: codeDefaults)
    }

    /// The training settings under Table 2's names, the recipe and its own settings.
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
        return training.hyperParameters.merging(recipeSettings) { $1 }
    }

    /// Everything that determines a run's arithmetic: the source weights (path, sizes, dates),
    /// the data, the recipe, its prompts and settings.
    private struct RunIdentity: Encodable {
        var checkpoint: String
        var weightFiles: [String]
        var data: String
        var images: [Int]
        var trainedClasses: [String]
        var heldOutClasses: [String]
        var recipe: CLIPFineTuningRecipe
        var prompts: [String]
        var regularization: CLIPFineTuningRegularization
        var training: TrainingConfiguration
    }

    /// `<cache>/clip-finetune/<preset>-seed<seed>-<run key>`: a run resumes only its own
    /// checkpoints, and a changed setting starts afresh beside them.
    public func runDirectory(cache: URL, preset: Preset, checkpoint: URL, data: ExperimentData) throws -> URL {
        let weightFiles = try Checkpoint(directory: checkpoint).weightFiles.map { file in
            let attributes = try FileManager.default.attributesOfItem(atPath: file.path)
            let size = (attributes[.size] as? NSNumber)?.int64Value ?? -1
            let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
            return "\(file.lastPathComponent) \(size) \(modified)"
        }
        let identity = RunIdentity(checkpoint: checkpoint.standardizedFileURL.path, weightFiles: weightFiles, data: data.source,
                                   images: [data.train.count, data.test.count, data.heldOut.count],
                                   trainedClasses: data.train.classNames, heldOutClasses: data.heldOut.classNames, recipe: recipe,
                                   prompts: prompts.templates, regularization: regularization, training: training)
        return cache.appendingPathComponent("clip-finetune")
            .appendingPathComponent("\(preset.rawValue)-seed\(training.seed)-\(try runKey(identity).prefix(12))")
    }
}

extension CLIPFineTuningPlan {
    /// Fine-tunes `checkpoint` on `data.train` by this plan (resuming a killed run's trainer
    /// checkpoint under `cache`), measures it on the test images of the 91 classes and, zero-shot,
    /// on the held-out classes (with the preset's prompt ensemble too), measures the drift, and
    /// saves the fine-tuned model beside the run's trainer checkpoints. `say` reports each part.
    public func run(checkpoint: URL, data: ExperimentData, cache: URL, preset: Preset, say: (String) -> Void) throws -> CLIPFineTuningOutcome {
        let started = Date()
        let directory = try runDirectory(cache: cache, preset: preset, checkpoint: checkpoint, data: data)
        let fineTuning = try CLIPFineTuning(checkpoint: checkpoint, data: data, plan: self, trainerDirectory: directory.appendingPathComponent("trainer"))
        say("recipe \(recipe.rawValue): \(recipe.description)")
        say("trains \(recipe.trained): \(fineTuning.trainableParameters) parameters, on \(data.train.count) images of "
            + "\(data.train.classNames.count) classes")
        say("AdamW lr \(training.optimizer.learningRate), batch \(training.batchSize) in micro-batches of "
            + "\(training.microBatchSize), weight decay \(training.optimizer.weightDecay), \(training.epochs) epochs = "
            + "\(fineTuning.trainer.totalSteps) steps, \(training.schedule.name) schedule" + (training.layerDecay.map { ", layer decay \($0)" } ?? ""))
        let extras = regularization.hyperParameters.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
        if regularization != CLIPFineTuningRegularization() { say("beyond Table 2: " + extras.joined(separator: ", ")) }
        if let step = try fineTuning.resume() {
            say("resuming from the checkpoint at step \(step) of \(fineTuning.trainer.totalSteps) in \(directory.path)")
        }
        try fineTuning.train()
        say(String(format: "trained in %.1f s", Date().timeIntervalSince(started)))

        let seed = training.seed
        let test = try fineTuning.score(data.test)
        let testAccuracy = test.bootstrappedTop1(seed: seed)
        say("test (\(data.test.count) test images, \(data.test.classNames.count) classes"
            + (recipe == .flyp ? ", zero-shot against the fine-tuned text tower" : ", through the head") + "): "
            + "top-1 \(testAccuracy.percentWithInterval), top-5 \(percent(test.accuracy.top5.value))")
        let ensemble = PromptTemplates.ensemble(for: preset)
        let heldOutImages = try fineTuning.extendedImages()
        let extendedScores = fineTuning.zeroShot.zeroShotScores(heldOutImages, promptSets: [prompts, ensemble])
        let extended = extendedScores[0], extendedAccuracy = extended.bootstrappedTop1(seed: seed)
        let ensembleAccuracy = extendedScores[1].bootstrappedTop1(seed: seed)
        say("extended (\(data.heldOut.count) images of \(data.heldOut.classNames.count) held-out classes, zero-shot: the fine-tuned "
            + "image tower's class token, post-LayerNorm and projection against the \(recipe == .flyp ? "fine-tuned" : "pretrained") text "
            + "tower): top-1 \(extendedAccuracy.percentWithInterval); with the \(ensemble.templates.count) templates of "
            + "\"\(ensemble.name)\": \(ensembleAccuracy.percentWithInterval)")
        for (className, accuracy) in extended.perClass {
            say("  held out \(className): \(percent(accuracy.value)) of \(accuracy.images)")
        }
        let drift = try fineTuning.drift(fineTuned: heldOutImages)
        say(String(format: "drift: held-out embeddings keep a mean cosine of %.3f with the pretrained ones; blocks' relative weight change ",
                   drift.embeddingCosine) + drift.relativeWeightChange.map { String(format: "%.3f", $0) }.joined(separator: " "))

        // The fine-tuned CLIP, for the chapters that build on it (WiSE-FT).
        let saved = directory.appendingPathComponent("model")
        try fineTuning.saveFineTuned(to: saved)
        say("saved the fine-tuned CLIP to \(saved.path)")
        let seconds = Date().timeIntervalSince(started)
        say(String(format: "recipe %@ took %.1f s", recipe.rawValue, seconds))
        return CLIPFineTuningOutcome(
            model: fineTuning.zeroShot.model.config.architectureName, hyperParameters: hyperParameters, lossCurve: fineTuning.lossCurve,
            result: CLIPRecipeResult(id: recipe.rawValue, test: testAccuracy, extended: extendedAccuracy, trained: recipe.trained,
                                     trainableParameters: fineTuning.trainableParameters, seconds: seconds,
                                     fineTunedCheckpoint: saved.recordedPath, drift: drift,
                                     hyperParameters: recipe == .ftCLIPCode ? hyperParameters : nil),
            ensemble: ExtendedEnsembleAccuracy(templates: ensemble.templates, extended: ensembleAccuracy), saved: saved)
    }
}

/// What one run of a CLIP fine-tuning plan leaves (the model itself is let go before the next
/// run loads its own).
public struct CLIPFineTuningOutcome {
    /// The fine-tuned architecture, in words.
    public var model: String
    public var hyperParameters: HyperParameters
    /// Figure 4's curve: each step's mean loss and learning rate.
    public var lossCurve: [LossPoint]
    /// Test and extended accuracy, drift, and what was trained.
    public var result: CLIPRecipeResult
    /// Extended accuracy with the preset's prompt ensemble.
    public var ensemble: ExtendedEnsembleAccuracy
    /// The fine-tuned model's directory.
    public var saved: URL
}
