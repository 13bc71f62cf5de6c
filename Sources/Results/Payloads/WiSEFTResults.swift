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
    /// The alpha the chapter calls best, and the rule that chose it.
    public var bestAlpha: Double?
    public var bestAlphaRule: String?
    /// How many classes the model was trained on and how many were held out.
    public var classes: ClassCounts

    public init(dataset: String, points: [WiSEFTPoint], model: String? = nil, zeroShotCheckpoint: String? = nil,
                fineTunedCheckpoint: String? = nil, mixed: String? = nil, bestAlpha: Double? = nil, bestAlphaRule: String? = nil, classes: ClassCounts) {
        (self.dataset, self.points, self.model, self.zeroShotCheckpoint, self.fineTunedCheckpoint, self.mixed, self.bestAlpha, self.bestAlphaRule, self.classes)
            = (dataset, points, model, zeroShotCheckpoint, fineTunedCheckpoint, mixed, bestAlpha, bestAlphaRule, classes)
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
