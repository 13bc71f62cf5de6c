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
