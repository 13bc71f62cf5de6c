// The `clip` chapter's payload.
import Training

/// `clip`: zero-shot CLIP ViT-B/32 (Table 3's test and Table 4's extended accuracy).
public struct CLIPZeroShotResults: ChapterPayload, Equatable {
    public static let chapter = "clip"
    public var model: String
    public var checkpointSource: String
    public var dataset: String
    /// The prompt template(s) behind `test` and `extended`, e.g. "a photo of {}, a type of food.".
    public var templates: [String]
    /// On the 91 trained classes' test images, choosing among those 91 classes.
    public var test: Accuracy
    /// On the 10 held-out classes' images, choosing among those 10 classes.
    public var extended: Accuracy
    public var promptEnsembles: [PromptEnsembleAccuracy]?
    /// How many classes the model was trained on and how many were held out.
    public var classes: ClassCounts

    public init(model: String, checkpointSource: String, dataset: String, templates: [String],
                test: Accuracy, extended: Accuracy, promptEnsembles: [PromptEnsembleAccuracy]? = nil, classes: ClassCounts) {
        (self.model, self.checkpointSource, self.dataset, self.templates, self.test, self.extended, self.promptEnsembles, self.classes)
            = (model, checkpointSource, dataset, templates, test, extended, promptEnsembles, classes)
    }
}

/// Accuracy of one set of prompt templates, averaged in embedding space.
public struct PromptEnsembleAccuracy: Codable, Sendable, Equatable {
    public var templates: [String]
    public var test: Accuracy
    public var extended: Accuracy
    /// The ensemble's name ("MiniFood captions", "OpenAI ImageNet"), when recorded.
    public var name: String?

    public init(templates: [String], test: Accuracy, extended: Accuracy, name: String? = nil) {
        (self.templates, self.test, self.extended, self.name) = (templates, test, extended, name)
    }
}
