// The payload of the `lit` chapter, beside the paper's own in ChapterResults.swift and on the
// same conventions: snake_case on disk, accuracies as fractions with their bootstrap intervals.

/// `lit`: CLIP with its image tower locked and its text tower tuned contrastively on the 91
/// trained classes (LiT, Zhai et al. 2022), then evaluated zero-shot like the `clip` chapter.
public struct LiTResults: ChapterPayload, Equatable {
    public static let chapter = "lit"

    public var summary: String
    public var model: String
    public var checkpointSource: String
    public var dataset: String
    public var trainableParameters: Int
    public var hyperParameters: HyperParameters
    /// The templates training captions were drawn from, and where the list comes from.
    public var trainingTemplates: [String]
    public var trainingTemplatesSource: String
    /// The prompt template behind `test` and `extended`: "a photo of {}, a type of food.".
    public var templates: [String]
    /// On the 91 trained classes' test images, choosing among those 91 classes.
    public var test: Accuracy
    /// On the 10 held-out classes' images, choosing among those 10 classes.
    public var extended: Accuracy
    /// The preset's prompt ensemble, after tuning.
    public var promptEnsembles: [PromptEnsembleAccuracy]
    /// The same images and prompts through the text tower before tuning (zero-shot CLIP): the
    /// single template first, then each ensemble.
    public var beforeTuning: [PromptEnsembleAccuracy]
    public var lossCurve: [LossPoint]

    public init(summary: String, model: String, checkpointSource: String, dataset: String, trainableParameters: Int,
                hyperParameters: HyperParameters, trainingTemplates: [String], trainingTemplatesSource: String, templates: [String],
                test: Accuracy, extended: Accuracy, promptEnsembles: [PromptEnsembleAccuracy], beforeTuning: [PromptEnsembleAccuracy],
                lossCurve: [LossPoint]) {
        self.summary = summary
        self.model = model
        self.checkpointSource = checkpointSource
        self.dataset = dataset
        self.trainableParameters = trainableParameters
        self.hyperParameters = hyperParameters
        self.trainingTemplates = trainingTemplates
        self.trainingTemplatesSource = trainingTemplatesSource
        self.templates = templates
        self.test = test
        self.extended = extended
        self.promptEnsembles = promptEnsembles
        self.beforeTuning = beforeTuning
        self.lossCurve = lossCurve
    }
}
