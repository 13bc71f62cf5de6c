// The `clip-finetune` chapter's payload.
import Training

/// `clip-finetune`: CLIP's image tower fine-tuned on the 91 classes (Tables 2, 3 and 4), with a
/// classifier initialised from the text embeddings of the class prompts (FT-CLIP).
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
    /// The classification head (`zero-shot` or `huggingface`).
    public var head: String

    public init(model: String, checkpointSource: String, dataset: String, trainableParameters: Int,
                hyperParameters: HyperParameters, test: Accuracy, extended: Accuracy, lossCurve: [LossPoint],
                fineTunedCheckpoint: String? = nil, extendedPromptEnsembles: [ExtendedEnsembleAccuracy]? = nil,
                seedRuns: SeedRuns? = nil, classes: ClassCounts, head: String) {
        (self.model, self.checkpointSource, self.dataset, self.trainableParameters, self.hyperParameters, self.test, self.extended, self.lossCurve, self.fineTunedCheckpoint, self.extendedPromptEnsembles, self.seedRuns, self.classes, self.head)
            = (model, checkpointSource, dataset, trainableParameters, hyperParameters, test, extended, lossCurve, fineTunedCheckpoint, extendedPromptEnsembles, seedRuns, classes, head)
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
