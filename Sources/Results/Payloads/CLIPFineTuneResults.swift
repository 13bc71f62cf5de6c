// The `clip-finetune` chapter's payload.
import Training

/// `clip-finetune`: CLIP fine-tuned on the 91 classes (Tables 2, 3 and 4). The top-level fields
/// are the main recipe's (`ft-clip`, the paper's, unless told otherwise); `recipes` holds every
/// recipe the run compared, the main one included.
public struct CLIPFineTuneResults: ChapterPayload, Equatable {
    public static let chapter = "clip-finetune"
    public var model: String
    public var checkpointSource: String
    public var dataset: String
    public var trainableParameters: Int
    public var hyperParameters: HyperParameters
    public var test: Accuracy
    public var extended: Accuracy
    public var lossCurve: [LossPoint]
    /// The fine-tuned model as a Hugging Face CLIP directory (fine-tuned image tower, pretrained
    /// text tower), for chapters that build on it such as WiSE-FT.
    public var fineTunedCheckpoint: String?
    /// The extended accuracy again with each prompt ensemble (beyond the paper); the trained
    /// head, and so the test accuracy, knows only the single template.
    public var extendedPromptEnsembles: [ExtendedEnsembleAccuracy]?
    /// The fine-tuning repeated with further seeds (`--seeds`), when it was.
    public var seedRuns: SeedRuns?
    /// How many classes the model was trained on and how many were held out.
    public var classes: ClassCounts
    /// The main recipe (`ft-clip`, `zero-shot-head`, `huggingface` or `flyp`).
    public var recipe: String
    /// Every recipe run, in the chapter's order (beyond the paper: what makes CLIP forget).
    public var recipes: [CLIPRecipeResult]

    public init(model: String, checkpointSource: String, dataset: String, trainableParameters: Int,
                hyperParameters: HyperParameters, test: Accuracy, extended: Accuracy, lossCurve: [LossPoint],
                fineTunedCheckpoint: String? = nil, extendedPromptEnsembles: [ExtendedEnsembleAccuracy]? = nil,
                seedRuns: SeedRuns? = nil, classes: ClassCounts, recipe: String, recipes: [CLIPRecipeResult]) {
        (self.model, self.checkpointSource, self.dataset, self.trainableParameters, self.hyperParameters, self.test, self.extended, self.lossCurve, self.fineTunedCheckpoint, self.extendedPromptEnsembles, self.seedRuns, self.classes, self.recipe, self.recipes)
            = (model, checkpointSource, dataset, trainableParameters, hyperParameters, test, extended, lossCurve, fineTunedCheckpoint, extendedPromptEnsembles, seedRuns, classes, recipe, recipes)
    }
}

/// Zero-shot accuracy on the held-out classes with one set of prompt templates averaged in
/// embedding space.
public struct ExtendedEnsembleAccuracy: Codable, Sendable, Equatable {
    public var templates: [String]
    public var extended: Accuracy

    public init(templates: [String], extended: Accuracy) {
        (self.templates, self.extended) = (templates, extended)
    }
}

/// One fine-tuning recipe's outcome: test accuracy on the trained classes, extended (zero-shot)
/// accuracy on the held-out ones, and what the recipe trained.
public struct CLIPRecipeResult: Codable, Sendable, Equatable {
    public var id: String
    public var test: Accuracy
    public var extended: Accuracy
    /// The parameters that moved, in words.
    public var trained: String
    public var trainableParameters: Int
    /// Wall-clock seconds of this recipe's training and measurement.
    public var seconds: Double
    /// The fine-tuned model as a Hugging Face CLIP directory (for WiSE-FT).
    public var fineTunedCheckpoint: String?
    /// How far the image tower moved (nil in results written before it was measured).
    public var drift: CLIPDrift?
    /// The recipe's own settings where they differ from the main recipe's (ft-clip-code's).
    public var hyperParameters: HyperParameters?

    public init(id: String, test: Accuracy, extended: Accuracy, trained: String, trainableParameters: Int, seconds: Double,
                fineTunedCheckpoint: String? = nil, drift: CLIPDrift? = nil, hyperParameters: HyperParameters? = nil) {
        (self.id, self.test, self.extended, self.trained, self.trainableParameters, self.seconds, self.fineTunedCheckpoint)
            = (id, test, extended, trained, trainableParameters, seconds, fineTunedCheckpoint)
        (self.drift, self.hyperParameters) = (drift, hyperParameters)
    }
}

/// How far fine-tuning moved the image tower that zero-shot reads (beyond the paper): the mean
/// cosine between each held-out image's pretrained and fine-tuned embedding (class token,
/// post-LayerNorm, projection; 1 means unmoved), and each encoder block's relative weight
/// change ‖W_ft − W_0‖ / ‖W_0‖ over all its tensors together, block 0 first.
public struct CLIPDrift: Codable, Sendable, Equatable {
    public var embeddingCosine: Double
    public var relativeWeightChange: [Double]

    public init(embeddingCosine: Double, relativeWeightChange: [Double]) {
        (self.embeddingCosine, self.relativeWeightChange) = (embeddingCosine, relativeWeightChange)
    }
}

extension CLIPFineTuneResults {
    public static func metrics(of file: ChapterResultsFile<CLIPFineTuneResults>) -> [Metric]? {
        let r = file.results, (trained, heldOut) = (r.classes.trained, r.classes.heldOut)
        var list = MetricList(preset: file.preset)
        list.accuracy("clip-finetune.test", "Fine-tuned CLIP test accuracy (trained classes)", r.test, among: trained)
        list.accuracy("clip-finetune.extended", "Fine-tuned CLIP extended accuracy (held-out classes)", r.extended, among: heldOut)
        for (index, ensemble) in (r.extendedPromptEnsembles ?? []).enumerated() {
            list.accuracy("clip-finetune.ensemble.\(index + 1).extended",
                          "Fine-tuned CLIP, \(ensemble.templates.count)-template ensemble, extended accuracy", ensemble.extended, among: heldOut)
        }
        list.count("clip-finetune.trainable_parameters", "Fine-tuned CLIP trainable parameters", r.trainableParameters, unit: "parameters")
        for recipe in r.recipes {
            list.accuracy("clip-finetune.recipes.\(recipe.id).test", "Fine-tuned CLIP (\(recipe.id)) test accuracy", recipe.test, among: trained)
            list.accuracy("clip-finetune.recipes.\(recipe.id).extended", "Fine-tuned CLIP (\(recipe.id)) extended accuracy", recipe.extended,
                          among: heldOut)
            if let drift = recipe.drift {
                list.add("clip-finetune.recipes.\(recipe.id).drift.embedding_cosine",
                         "Fine-tuned CLIP (\(recipe.id)) held-out embedding cosine to pretrained", .number(drift.embeddingCosine), unit: "")
            }
        }
        list.finalLoss("clip-finetune.final_loss", "Fine-tuned CLIP", r.lossCurve)
        list.hyperParameters("clip-finetune.hyper_parameters", "CLIP fine-tuning", r.hyperParameters)
        return list.metrics
    }

    public static func summary(of file: ChapterResultsFile<CLIPFineTuneResults>) -> String? {
        let r = file.results, curve = r.lossCurve, mark = PrecisionMark(file)
        let batch = r.hyperParameters[HyperParameterName.batchSize].map { " of \($0) images" } ?? ""
        var text = "Fine-tuning \(r.model) on the \(r.classes.trained) trained classes \(presetTag(file)) "
            + "(\(curve.count) steps\(batch), \(recipePhrase(r.recipe))) brings the training loss from \(mark(lossWords(curve.first?.loss))) to "
            + "\(mark(lossWords(curve.last?.loss))) and reaches \(mark(r.test.percentWithInterval)) on \(r.test.images) test images; zero-shot on "
            + "the \(r.classes.heldOut) held-out classes, the fine-tuned image tower against the "
            + "\(r.recipe == "flyp" ? "fine-tuned" : "pretrained") text tower reaches \(mark(r.extended.percentWithInterval)) of \(r.extended.images) images"
        if let ensemble = r.extendedPromptEnsembles?.first {
            text += " (\(mark(ensemble.extended.percentWithInterval)) with the \(ensemble.templates.count)-template prompt ensemble)"
        }
        text += "."
        if let seedRuns = r.seedRuns, let extended = seedRuns.extended {
            text += " Over \(seedRuns.seeds.count) seeds of the fine-tuning, test accuracy averages \(mark(spreadWords(seedRuns.test))) "
                + "and extended accuracy \(mark(spreadWords(extended)))."
        }
        return text
    }

    static func recipePhrase(_ recipe: String) -> String {
        switch recipe {
        case "ft-clip": "FT-CLIP's recipe, the paper's: a fresh head on the LayerNorm-ed mean of the patch tokens"
        case "huggingface": "a fresh head on the mean patch token, as transformers' CLIPForImageClassification"
        case "zero-shot-head": "a head initialised from the prompts' text embeddings"
        case "flyp": "FLYP: both towers trained contrastively on image / class-prompt pairs"
        default: "recipe \(recipe)"
        }
    }
}
