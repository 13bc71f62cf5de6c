// The `lit` chapter's payload.
import Training

/// `lit`: CLIP with its image tower locked and its text tower tuned contrastively on the 91
/// trained classes (LiT, Zhai et al. 2022), then evaluated zero-shot like the `clip` chapter.
public struct LiTResults: ChapterPayload, Equatable {
    public static let chapter = "lit"
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
    /// How many classes the model was trained on and how many were held out.
    public var classes: ClassCounts
    /// The training captions' template set, by name, and each epoch's mean training loss.
    public var trainingTemplatesName: String
    public var epochMeanLosses: [Double]

    public init(model: String, checkpointSource: String, dataset: String, trainableParameters: Int,
                hyperParameters: HyperParameters, trainingTemplates: [String], trainingTemplatesSource: String, templates: [String],
                test: Accuracy, extended: Accuracy, promptEnsembles: [PromptEnsembleAccuracy], beforeTuning: [PromptEnsembleAccuracy],
                lossCurve: [LossPoint], classes: ClassCounts, trainingTemplatesName: String, epochMeanLosses: [Double]) {
        (self.model, self.checkpointSource, self.dataset, self.trainableParameters, self.hyperParameters, self.trainingTemplates, self.trainingTemplatesSource, self.templates, self.test, self.extended, self.promptEnsembles, self.beforeTuning, self.lossCurve, self.classes, self.trainingTemplatesName, self.epochMeanLosses)
            = (model, checkpointSource, dataset, trainableParameters, hyperParameters, trainingTemplates, trainingTemplatesSource, templates, test, extended, promptEnsembles, beforeTuning, lossCurve, classes, trainingTemplatesName, epochMeanLosses)
    }
}
