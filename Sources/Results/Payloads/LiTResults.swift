// The `lit` chapter's payload.
import Training

/// `lit`: an image tower locked and a text tower tuned contrastively to match it (LiT, Zhai et
/// al. 2022), then evaluated zero-shot like the `clip` chapter; one entry per image tower run.
public struct LiTResults: ChapterPayload, Equatable {
    public static let chapter = "lit"
    public var dataset: String
    /// How many classes the evaluation's trained and held-out parts have.
    public var classes: ClassCounts
    /// One entry per image tower, in the order the chapter ran them.
    public var variants: [LiTVariantResults]

    public init(dataset: String, classes: ClassCounts, variants: [LiTVariantResults]) {
        (self.dataset, self.classes, self.variants) = (dataset, classes, variants)
    }

    /// The entry of `tower`, when the chapter ran it.
    public subscript(tower: LiTImageTower) -> LiTVariantResults? { variants.first { $0.imageTower == tower } }
}

/// The locked image towers the chapter can pair with a tuned text tower.
public enum LiTImageTower: String, Codable, Sendable, CaseIterable {
    /// CLIP's own image tower and visual projection, already trained to match text.
    case clip
    /// The pretrained ViT (google/vit-base-patch16-224, or the mini ViT), read at its pre-logits.
    case vitPretrained = "vit-pretrained"
    /// The ViT the `vit` chapter fine-tuned on the trained classes, read at its pre-logits.
    case vitFineTuned = "vit-fine-tuned"
}

/// One LiT run: which tower was locked, what trained on which pairs, and how it scores.
public struct LiTVariantResults: Codable, Sendable, Equatable {
    public var imageTower: LiTImageTower
    /// The locked image model ("CLIP ViT-B/32", "ViT-B/16", "mini ViT") and where it was loaded from.
    public var model: String
    public var imageCheckpoint: String
    /// The CLIP checkpoint the text tower started from; nil when it started from random weights.
    public var textCheckpoint: String?
    /// The training pairs in words, and how many there were.
    public var trainingPairs: String
    public var trainingPairCount: Int
    public var trainableParameters: Int
    public var hyperParameters: HyperParameters
    /// The prompt template behind `test` and `extended`: "a photo of {}, a type of food.".
    public var templates: [String]
    /// On the trained classes' test images, choosing among the trained classes.
    public var test: Accuracy
    /// On the held-out classes' images, choosing among the held-out classes.
    public var extended: Accuracy
    /// The preset's prompt ensemble, after tuning.
    public var promptEnsembles: [PromptEnsembleAccuracy]
    /// The same images and prompts before tuning (zero-shot CLIP), the single template first:
    /// only for the CLIP tower, since a ViT's text side starts with a fresh projection.
    public var beforeTuning: [PromptEnsembleAccuracy]?
    public var lossCurve: [LossPoint]
    public var epochMeanLosses: [Double]

    public init(imageTower: LiTImageTower, model: String, imageCheckpoint: String, textCheckpoint: String?, trainingPairs: String,
                trainingPairCount: Int, trainableParameters: Int, hyperParameters: HyperParameters, templates: [String], test: Accuracy,
                extended: Accuracy, promptEnsembles: [PromptEnsembleAccuracy], beforeTuning: [PromptEnsembleAccuracy]?,
                lossCurve: [LossPoint], epochMeanLosses: [Double]) {
        (self.imageTower, self.model, self.imageCheckpoint, self.textCheckpoint, self.trainingPairs, self.trainingPairCount)
            = (imageTower, model, imageCheckpoint, textCheckpoint, trainingPairs, trainingPairCount)
        (self.trainableParameters, self.hyperParameters, self.templates, self.test, self.extended, self.promptEnsembles)
            = (trainableParameters, hyperParameters, templates, test, extended, promptEnsembles)
        (self.beforeTuning, self.lossCurve, self.epochMeanLosses) = (beforeTuning, lossCurve, epochMeanLosses)
    }
}

extension LiTResults {
    public static func metrics(of file: ChapterResultsFile<LiTResults>) -> [Metric]? {
        let classes = file.results.classes
        var list = MetricList(preset: file.preset)
        for v in file.results.variants {
            // One id per image tower: lit.clip.test, lit.vit-fine-tuned.extended, ...
            let id = "lit.\(v.imageTower.rawValue)", name = "LiT (\(litTowerName(v.imageTower)))"
            list.accuracy("\(id).test", "\(name) test accuracy (trained classes)", v.test, among: classes.trained)
            list.accuracy("\(id).extended", "\(name) extended accuracy (held-out classes)", v.extended, among: classes.heldOut)
            list.ensembles("\(id).ensemble", v.promptEnsembles, classes: classes) { "\(name), \($0.templates.count)-template ensemble" }
            list.ensembles("\(id).before_tuning", v.beforeTuning ?? [], classes: classes) { "\(name) before tuning, \($0.templates.count) template(s)" }
            list.count("\(id).trainable_parameters", "\(name) trainable parameters", v.trainableParameters, unit: "parameters")
            list.count("\(id).training_pairs", "\(name) training pairs", v.trainingPairCount, unit: "pairs")
            list.finalLoss("\(id).final_loss", name, v.lossCurve)
            list.hyperParameters("\(id).hyper_parameters", name, v.hyperParameters)
        }
        return list.metrics
    }

    public static func summary(of file: ChapterResultsFile<LiTResults>) -> String? {
        let r = file.results, mark = PrecisionMark(file)
        return r.variants.map { v in
            let batch = v.hyperParameters[HyperParameterName.batchSize].map { " of \($0) pairs" } ?? ""
            let text = v.textCheckpoint == nil ? "a text tower from random weights" : "its text tower"
            var words = "Locking the \(litTowerName(v.imageTower)) (\(v.model)) \(presetTag(file)) and tuning \(text) to it on "
                + "\(v.trainingPairs) (\(v.lossCurve.count) steps\(batch)) brings the mean training loss from "
                + "\(mark(lossWords(v.epochMeanLosses.first))) in the first epoch to \(mark(lossWords(v.epochMeanLosses.last))) in the last."
            let tuned = [PromptEnsembleAccuracy(templates: v.templates, test: v.test, extended: v.extended)] + v.promptEnsembles
            for (index, after) in tuned.enumerated() {
                let before = v.beforeTuning.flatMap { index < $0.count ? $0[index] : nil }
                let prompts = index == 0 ? "With \"\(v.templates.first ?? "")\"" : "With the \"\(after.name ?? "")\" ensemble"
                words += " \(prompts), test accuracy \(before.map { "goes from \(mark(percent($0.test.value))) (zero-shot) to " } ?? "is ")"
                    + "\(mark(after.test.percentWithInterval)) of \(after.test.images) images, and extended accuracy on the \(r.classes.heldOut) "
                    + "held-out classes \(before.map { "from \(mark(percent($0.extended.value))) to " } ?? "is ")"
                    + "\(mark(after.extended.percentWithInterval)) of \(after.extended.images)."
            }
            return words
        }.joined(separator: " ")
    }
}

/// The locked image tower of a LiT entry, in words.
public func litTowerName(_ tower: LiTImageTower) -> String {
    switch tower {
    case .clip: "CLIP image tower"
    case .vitPretrained: "pretrained ViT"
    case .vitFineTuned: "fine-tuned ViT"
    }
}
