// The `wise-ft` chapter's payload.
import Training

/// `wise-ft`: weight-space ensembles between zero-shot and fine-tuned CLIP.
public struct WiSEFTResults: ChapterPayload, Equatable {
    public static let chapter = "wise-ft"
    public var dataset: String
    /// One point per alpha, in the order run; accuracies with their bootstrap intervals.
    public var points: [WiSEFTPoint]
    public var model: String?
    public var zeroShotCheckpoint: String?
    public var fineTunedCheckpoint: String?
    /// What was mixed, the classification head included, in a sentence.
    public var mixed: String?
    /// The alpha chosen on the selection images (never on the images of `points`), and the rule.
    public var bestAlpha: Double?
    public var bestAlphaRule: String?
    /// How many classes the model was trained on and how many were held out.
    public var classes: ClassCounts
    /// The clip-finetune recipe of this curve (`zero-shot-head` unless told otherwise).
    public var recipe: String?
    /// Which images chose alpha, and each alpha's score on them.
    public var selection: AlphaSelection?
    /// The same study on the other recipes' fine-tuned models (ft-clip, the paper's), each with
    /// its own curve and its own chosen alpha.
    public var otherRecipes: [WiSEFTCurve]?
    /// Recipes the interpolation was not run for, and why.
    public var notDefined: [String: String]?

    public init(dataset: String, points: [WiSEFTPoint], model: String? = nil, zeroShotCheckpoint: String? = nil,
                fineTunedCheckpoint: String? = nil, mixed: String? = nil, bestAlpha: Double? = nil, bestAlphaRule: String? = nil,
                classes: ClassCounts, recipe: String? = nil, selection: AlphaSelection? = nil, otherRecipes: [WiSEFTCurve]? = nil,
                notDefined: [String: String]? = nil) {
        (self.dataset, self.points, self.model, self.zeroShotCheckpoint, self.fineTunedCheckpoint, self.mixed, self.bestAlpha, self.bestAlphaRule, self.classes)
            = (dataset, points, model, zeroShotCheckpoint, fineTunedCheckpoint, mixed, bestAlpha, bestAlphaRule, classes)
        (self.recipe, self.selection, self.otherRecipes, self.notDefined) = (recipe, selection, otherRecipes, notDefined)
    }
}

/// The images that chose alpha: which part of the data they come from, how many, a checksum of
/// their list, and the parts the reported accuracies use (disjoint from them by the split).
public struct AlphaSelection: Codable, Sendable, Equatable {
    public var images: String
    public var count: Int
    public var listSha256: String
    public var reportedOn: String
    public var scores: [AlphaSelectionScore]

    public init(images: String, count: Int, listSha256: String, reportedOn: String, scores: [AlphaSelectionScore]) {
        (self.images, self.count, self.listSha256, self.reportedOn, self.scores) = (images, count, listSha256, reportedOn, scores)
    }
}

/// One alpha on the selection images: the head's top-1 and zero-shot top-1 among the trained classes.
public struct AlphaSelectionScore: Codable, Sendable, Equatable {
    public var alpha: Double
    public var head: Double
    public var zeroShot: Double
    public var mean: Double { (head + zeroShot) / 2 }

    public init(alpha: Double, head: Double, zeroShot: Double) {
        (self.alpha, self.head, self.zeroShot) = (alpha, head, zeroShot)
    }
}

/// WiSE-FT on one more recipe's fine-tuned model.
public struct WiSEFTCurve: Codable, Sendable, Equatable {
    public var recipe: String
    public var fineTunedCheckpoint: String
    public var mixed: String
    public var points: [WiSEFTPoint]
    public var chosenAlpha: Double
    public var selection: [AlphaSelectionScore]

    public init(recipe: String, fineTunedCheckpoint: String, mixed: String, points: [WiSEFTPoint], chosenAlpha: Double,
                selection: [AlphaSelectionScore]) {
        (self.recipe, self.fineTunedCheckpoint, self.mixed, self.points, self.chosenAlpha, self.selection)
            = (recipe, fineTunedCheckpoint, mixed, points, chosenAlpha, selection)
    }
}

// MARK: - Reading results back

/// One mixing weight of WiSE-FT: weights = (1 - alpha) * zero-shot + alpha * fine-tuned.
public struct WiSEFTPoint: Codable, Sendable, Equatable {
    public var alpha: Double
    public var test: Accuracy
    public var extended: Accuracy

    public init(alpha: Double, test: Accuracy, extended: Accuracy) {
        (self.alpha, self.test, self.extended) = (alpha, test, extended)
    }
}

extension WiSEFTResults {
    public static func metrics(of file: ChapterResultsFile<WiSEFTResults>) -> [Metric]? {
        let classes = file.results.classes
        var list = MetricList(preset: file.preset)
        for point in file.results.points {
            let alpha = formatNumber(point.alpha)
            list.accuracy("wise-ft.alpha_\(alpha).test", "WiSE-FT alpha \(alpha) test accuracy", point.test, among: classes.trained)
            list.accuracy("wise-ft.alpha_\(alpha).extended", "WiSE-FT alpha \(alpha) extended accuracy", point.extended, among: classes.heldOut)
        }
        return list.metrics
    }

    public static func summary(of file: ChapterResultsFile<WiSEFTResults>) -> String? {
        let r = file.results, ordered = r.points.sorted { $0.alpha < $1.alpha }, mark = PrecisionMark(file)
        guard let first = ordered.first, let last = ordered.last else { return "No mixing weight was scored." }
        var text = "Mixing the weights of zero-shot and fine-tuned \(r.model ?? "CLIP") \(presetTag(file))"
            + (r.recipe.map { ", fine-tuned by the \($0) recipe" } ?? "") + " (\(r.mixed ?? "image tower, projection and head")) "
            + "at \(r.points.count) values of alpha: alpha \(alphaWords(first.alpha))\(first.alpha == 0 ? " (zero-shot)" : "") reaches "
            + "\(mark(first.test.percentWithInterval)) test accuracy on \(first.test.images) images of the \(r.classes.trained) trained classes "
            + "and \(mark(first.extended.percentWithInterval)) extended accuracy on \(first.extended.images) images of the \(r.classes.heldOut) "
            + "held-out classes; alpha \(alphaWords(last.alpha))\(last.alpha == 1 ? " (fine-tuned)" : "") reaches "
            + "\(mark(last.test.percentWithInterval)) and \(mark(last.extended.percentWithInterval))."
        if let best = r.bestAlpha, let point = r.points.first(where: { $0.alpha == best }), let rule = r.bestAlphaRule {
            let images = r.selection.map { " (\($0.count) images, none of them among those reported)" } ?? ""
            text += " Choosing alpha by \(rule)\(images) gives alpha \(alphaWords(best)): \(mark(point.test.percentWithInterval)) test and "
                + "\(mark(point.extended.percentWithInterval)) extended accuracy."
        }
        for curve in r.otherRecipes ?? [] {
            guard let point = curve.points.first(where: { $0.alpha == curve.chosenAlpha }) else { continue }
            text += " On the \(curve.recipe) recipe's model (\(curve.mixed)) the same rule chooses alpha \(alphaWords(curve.chosenAlpha)): "
                + "\(mark(point.test.percentWithInterval)) test and \(mark(point.extended.percentWithInterval)) extended accuracy."
        }
        for (recipe, reason) in (r.notDefined ?? [:]).sorted(by: { $0.key < $1.key }) {
            text += " Not mixed: \(recipe) (\(reason))."
        }
        return text
    }
}
