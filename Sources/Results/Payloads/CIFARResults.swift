// The `cifar` chapter's payload.
import Training

/// `cifar`: the single-block fine-tuning study (Malpure et al. 2021) repeated as this project's own
/// comparison; the paper does not cite it.
public struct CIFARResults: ChapterPayload, Equatable {
    public static let chapter = "cifar"
    public var dataset: String
    public var hyperParameters: HyperParameters
    public var models: [CIFARModelResult]
    /// The classes the new head chooses among (`trained`; none held out), so the report can set
    /// each accuracy against chance; absent from files written before it was recorded.
    public var classes: ClassCounts?

    public init(dataset: String, hyperParameters: HyperParameters, models: [CIFARModelResult], classes: ClassCounts? = nil) {
        (self.dataset, self.hyperParameters, self.models, self.classes) = (dataset, hyperParameters, models, classes)
    }
}

/// One model of the CIFAR-10 single-block fine-tuning study.
public struct CIFARModelResult: Codable, Sendable, Equatable {
    /// The baseline's name for the model: "DenseNet201", "DeiT-Base-Distilled", "CaiT-S24".
    public var name: String
    /// "CNN" or "Transformer".
    public var family: String
    public var trainableParameters: Int
    public var validation: Accuracy
    public var train: Accuracy
    public var trainSecondsPerEpoch: Double
    public var validationSecondsPerEpoch: Double

    public init(name: String, family: String, trainableParameters: Int, validation: Accuracy, train: Accuracy,
                trainSecondsPerEpoch: Double, validationSecondsPerEpoch: Double) {
        (self.name, self.family, self.trainableParameters, self.validation, self.train, self.trainSecondsPerEpoch, self.validationSecondsPerEpoch)
            = (name, family, trainableParameters, validation, train, trainSecondsPerEpoch, validationSecondsPerEpoch)
    }
}
