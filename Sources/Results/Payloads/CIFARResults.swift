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

extension CIFARResults {
    public static func metrics(of file: ChapterResultsFile<CIFARResults>) -> [Metric]? {
        let trained = file.results.classes?.trained
        var list = MetricList(preset: file.preset)
        for model in file.results.models {
            let id = "cifar.\(metricSlug(model.name))"
            list.accuracy("\(id).validation", "\(model.name) validation accuracy", model.validation, among: trained)
            list.accuracy("\(id).train", "\(model.name) train accuracy", model.train, among: trained)
            list.count("\(id).trainable_parameters", "\(model.name) trainable parameters", model.trainableParameters, unit: "parameters")
            list.add("\(id).train_seconds_per_epoch", "\(model.name) training time per epoch", .number(model.trainSecondsPerEpoch), unit: "s")
            list.add("\(id).validation_seconds_per_epoch", "\(model.name) validation time per epoch",
                     .number(model.validationSecondsPerEpoch), unit: "s")
        }
        list.hyperParameters("cifar.hyper_parameters", "CIFAR-10 study", file.results.hyperParameters)
        return list.metrics
    }

    public static func summary(of file: ChapterResultsFile<CIFARResults>) -> String? {
        let models = file.results.models, mark = PrecisionMark(file)
        let accuracies = models.map { "\($0.name) \(mark($0.validation.percentWithInterval)) (\($0.trainableParameters) trainable parameters)" }
        var text = "Single-block fine-tuning \(presetTag(file)) on \(file.results.dataset) reached validation accuracies of "
            + accuracies.joined(separator: ", ") + "."
        let cnn = models.first { $0.family == "CNN" }, transformers = models.filter { $0.family == "Transformer" }
        if let cnn, !transformers.isEmpty {
            let better = transformers.filter { $0.validation.value > cnn.validation.value }.map(\.name)
            text += better.count == transformers.count ? " As in the study, every transformer beat the CNN."
                : better.isEmpty ? " Unlike the study, the CNN beat every transformer."
                : " Only \(better.joined(separator: " and ")) beat the CNN; the study found every transformer ahead."
        }
        return text
    }
}
