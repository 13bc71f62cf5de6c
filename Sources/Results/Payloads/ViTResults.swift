// The `vit` chapter's payload.
import Training

/// `vit`: ViT-B/16 fine-tuned on the 91 trained classes (the paper's Table 1 and Table 3).
public struct ViTResults: ChapterPayload, Equatable {
    public static let chapter = "vit"
    public var model: String
    public var checkpointSource: String
    /// What the images were: "Food-101, paper split" or the mini world's name.
    public var dataset: String
    public var trainableParameters: Int
    public var hyperParameters: HyperParameters
    public var validation: TopKAccuracy
    public var test: TopKAccuracy
    public var lossCurve: [LossPoint]
    /// The validation accuracy after each epoch, when the chapter evaluated every epoch.
    public var epochs: [EpochAccuracy]?
    /// The fine-tuning repeated with further seeds (`--seeds`), when it was.
    public var seedRuns: SeedRuns?
    /// How many classes the model was trained on and how many were held out.
    public var classes: ClassCounts
    /// Training images, and the step an interrupted run resumed at, when it did.
    public var trainImages: Int
    public var resumedFromStep: Int?
    /// Where the fine-tuned Hugging Face checkpoint was saved (the first seed's), for `lit`.
    public var fineTunedCheckpoint: String?

    public init(model: String, checkpointSource: String, dataset: String, trainableParameters: Int,
                hyperParameters: HyperParameters, validation: TopKAccuracy, test: TopKAccuracy, lossCurve: [LossPoint],
                epochs: [EpochAccuracy]? = nil, seedRuns: SeedRuns? = nil, classes: ClassCounts, trainImages: Int, resumedFromStep: Int?, fineTunedCheckpoint: String? = nil) {
        (self.model, self.checkpointSource, self.dataset, self.trainableParameters, self.hyperParameters, self.validation, self.test, self.lossCurve, self.epochs, self.seedRuns, self.classes, self.trainImages, self.resumedFromStep, self.fineTunedCheckpoint)
            = (model, checkpointSource, dataset, trainableParameters, hyperParameters, validation, test, lossCurve, epochs, seedRuns, classes, trainImages, resumedFromStep, fineTunedCheckpoint)
    }
}

/// The evaluation after one epoch of fine-tuning.
public struct EpochAccuracy: Codable, Sendable, Equatable {
    /// 1 for the first epoch.
    public var epoch: Int
    /// The mean training loss of the epoch's steps.
    public var meanLoss: Double
    public var validation: TopKAccuracy

    public init(epoch: Int, meanLoss: Double, validation: TopKAccuracy) {
        (self.epoch, self.meanLoss, self.validation) = (epoch, meanLoss, validation)
    }
}
