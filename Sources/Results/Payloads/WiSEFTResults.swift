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
