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

extension CLIPZeroShotResults {
    public static func metrics(of file: ChapterResultsFile<CLIPZeroShotResults>) -> [Metric]? {
        let r = file.results
        var list = MetricList(preset: file.preset)
        list.accuracy("clip.test", "CLIP zero-shot test accuracy (trained classes)", r.test, among: r.classes.trained)
        list.accuracy("clip.extended", "CLIP zero-shot extended accuracy (held-out classes)", r.extended, among: r.classes.heldOut)
        list.ensembles("clip.ensemble", r.promptEnsembles ?? [], classes: r.classes) { "CLIP zero-shot, \($0.templates.count)-template ensemble" }
        return list.metrics
    }

    public static func summary(of file: ChapterResultsFile<CLIPZeroShotResults>) -> String? {
        let r = file.results, mark = PrecisionMark(file)
        var text = "Zero-shot \(r.model) \(presetTag(file)) classifies \(mark(r.test.percentWithInterval)) of \(r.test.images) test "
            + "images of the \(r.classes.trained) trained classes and \(mark(r.extended.percentWithInterval)) of \(r.extended.images) images "
            + "of the \(r.classes.heldOut) held-out classes, with the prompt \"\(r.templates.first ?? "")\" and no training on either."
        for ensemble in r.promptEnsembles ?? [] {
            text += " Averaging the \(ensemble.templates.count) templates\(ensemble.name.map { " of \"\($0)\"" } ?? "") gives "
                + "\(mark(ensemble.test.percentWithInterval)) and \(mark(ensemble.extended.percentWithInterval))."
        }
        return text
    }
}
