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

extension ViTResults {
    public static func metrics(of file: ChapterResultsFile<ViTResults>) -> [Metric]? {
        let r = file.results, trained = r.classes.trained
        var list = MetricList(preset: file.preset)
        list.accuracy("vit.validation.top1", "ViT validation top-1 accuracy", r.validation.top1, among: trained)
        list.accuracy("vit.validation.top5", "ViT validation top-5 accuracy", r.validation.top5, among: trained, top: 5)
        list.accuracy("vit.test.top1", "ViT test top-1 accuracy", r.test.top1, among: trained)
        list.accuracy("vit.test.top5", "ViT test top-5 accuracy", r.test.top5, among: trained, top: 5)
        list.count("vit.trainable_parameters", "ViT trainable parameters", r.trainableParameters, unit: "parameters")
        list.finalLoss("vit.final_loss", "ViT", r.lossCurve)
        list.hyperParameters("vit.hyper_parameters", "ViT", r.hyperParameters)
        return list.metrics
    }

    public static func summary(of file: ChapterResultsFile<ViTResults>) -> String? {
        let r = file.results, epochs = r.epochs ?? [], curve = r.lossCurve, mark = PrecisionMark(file)
        var text = "Fine-tuned end to end for \(epochs.count) epoch\(epochs.count == 1 ? "" : "s") (\(curve.count) steps) on "
            + "\(r.trainImages) images of \(r.dataset) \(presetTag(file)), the \(r.model) classifies the \(r.test.top1.images) held-back "
            + "images of the \(r.classes.trained) trained classes with \(mark(r.test.top1.percentWithInterval)) top-1 and "
            + "\(mark(r.test.top5.percentWithInterval)) top-5 accuracy; its training loss went from \(mark(lossWords(curve.first?.loss))) at the first "
            + "step to \(mark(lossWords(curve.last?.loss))) at the last"
        if let opening = epochs.first, epochs.count > 1 {
            text += ", its validation top-1 from \(mark(percent(opening.validation.top1.value))) after the first epoch"
        }
        text += ". "
        if let best = epochs.max(by: { $0.validation.top1.value < $1.validation.top1.value }), best.epoch != epochs.count {
            text += "Validation top-1 peaked after epoch \(best.epoch) (\(mark(percent(best.validation.top1.value)))), before the last. "
        }
        if let resumed = r.resumedFromStep { text += "The run resumed an interrupted one at step \(resumed). " }
        if let seedRuns = r.seedRuns {
            text += "Over \(seedRuns.seeds.count) seeds of the fine-tuning (\(seedRuns.seeds.map(String.init).joined(separator: ", "))) "
                + "top-1 averages \(mark(spreadWords(seedRuns.test))). "
        }
        return text + "A head with one output per trained class has no extended accuracy: it cannot name the held-out dishes."
    }
}
