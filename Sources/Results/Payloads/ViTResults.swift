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
    /// Top-1 and top-5 on the paper's test images (the 0.2 of the 91 classes' photos held back
    /// from training), after the last epoch.
    public var test: TopKAccuracy
    public var lossCurve: [LossPoint]
    /// The test accuracy after each epoch, when the chapter evaluated every epoch.
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
                hyperParameters: HyperParameters, test: TopKAccuracy, lossCurve: [LossPoint],
                epochs: [EpochAccuracy]? = nil, seedRuns: SeedRuns? = nil, classes: ClassCounts, trainImages: Int, resumedFromStep: Int?, fineTunedCheckpoint: String? = nil) {
        (self.model, self.checkpointSource, self.dataset, self.trainableParameters, self.hyperParameters, self.test, self.lossCurve, self.epochs, self.seedRuns, self.classes, self.trainImages, self.resumedFromStep, self.fineTunedCheckpoint)
            = (model, checkpointSource, dataset, trainableParameters, hyperParameters, test, lossCurve, epochs, seedRuns, classes, trainImages, resumedFromStep, fineTunedCheckpoint)
    }

    private enum CodingKeys: String, CodingKey {
        case model, checkpointSource, dataset, trainableParameters, hyperParameters, test, lossCurve, epochs, seedRuns, classes, trainImages,
             resumedFromStep, fineTunedCheckpoint
        /// Older files wrote `test` a second time under this name.
        case validation
    }

    /// Reads `test`, or in a file written before it was the only name, `validation`.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let test = try c.decodeIfPresent(TopKAccuracy.self, forKey: .test) ?? c.decode(TopKAccuracy.self, forKey: .validation)
        self.init(model: try c.decode(String.self, forKey: .model), checkpointSource: try c.decode(String.self, forKey: .checkpointSource),
                  dataset: try c.decode(String.self, forKey: .dataset), trainableParameters: try c.decode(Int.self, forKey: .trainableParameters),
                  hyperParameters: try c.decode(HyperParameters.self, forKey: .hyperParameters), test: test,
                  lossCurve: try c.decode([LossPoint].self, forKey: .lossCurve), epochs: try c.decodeIfPresent([EpochAccuracy].self, forKey: .epochs),
                  seedRuns: try c.decodeIfPresent(SeedRuns.self, forKey: .seedRuns), classes: try c.decode(ClassCounts.self, forKey: .classes),
                  trainImages: try c.decode(Int.self, forKey: .trainImages), resumedFromStep: try c.decodeIfPresent(Int.self, forKey: .resumedFromStep),
                  fineTunedCheckpoint: try c.decodeIfPresent(String.self, forKey: .fineTunedCheckpoint))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(model, forKey: .model)
        try c.encode(checkpointSource, forKey: .checkpointSource)
        try c.encode(dataset, forKey: .dataset)
        try c.encode(trainableParameters, forKey: .trainableParameters)
        try c.encode(hyperParameters, forKey: .hyperParameters)
        try c.encode(test, forKey: .test)
        try c.encode(lossCurve, forKey: .lossCurve)
        try c.encodeIfPresent(epochs, forKey: .epochs)
        try c.encodeIfPresent(seedRuns, forKey: .seedRuns)
        try c.encode(classes, forKey: .classes)
        try c.encode(trainImages, forKey: .trainImages)
        try c.encodeIfPresent(resumedFromStep, forKey: .resumedFromStep)
        try c.encodeIfPresent(fineTunedCheckpoint, forKey: .fineTunedCheckpoint)
    }
}

/// The evaluation after one epoch of fine-tuning.
public struct EpochAccuracy: Codable, Sendable, Equatable {
    /// 1 for the first epoch.
    public var epoch: Int
    /// The mean training loss of the epoch's steps.
    public var meanLoss: Double
    /// The paper's test images, classified after the epoch.
    public var test: TopKAccuracy

    public init(epoch: Int, meanLoss: Double, test: TopKAccuracy) {
        (self.epoch, self.meanLoss, self.test) = (epoch, meanLoss, test)
    }

    private enum CodingKeys: String, CodingKey {
        case epoch, meanLoss, test
        /// The name older files gave `test`.
        case validation
    }

    /// Reads `test`, or in a file written before it was named so, `validation`.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(epoch: try c.decode(Int.self, forKey: .epoch), meanLoss: try c.decode(Double.self, forKey: .meanLoss),
                  test: try c.decodeIfPresent(TopKAccuracy.self, forKey: .test) ?? c.decode(TopKAccuracy.self, forKey: .validation))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(epoch, forKey: .epoch)
        try c.encode(meanLoss, forKey: .meanLoss)
        try c.encode(test, forKey: .test)
    }
}

extension ViTResults {
    public static func metrics(of file: ChapterResultsFile<ViTResults>) -> [Metric]? {
        let r = file.results, trained = r.classes.trained
        var list = MetricList(preset: file.preset)
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
            text += ", its test top-1 from \(mark(percent(opening.test.top1.value))) after the first epoch"
        }
        text += ". "
        if let best = epochs.max(by: { $0.test.top1.value < $1.test.top1.value }), best.epoch != epochs.count {
            text += "Test top-1 peaked after epoch \(best.epoch) (\(mark(percent(best.test.top1.value)))), before the last. "
        }
        if let resumed = r.resumedFromStep { text += "The run resumed an interrupted one at step \(resumed). " }
        if let seedRuns = r.seedRuns {
            text += "Over \(seedRuns.seeds.count) seeds of the fine-tuning (\(seedRuns.seeds.map(String.init).joined(separator: ", "))) "
                + "top-1 averages \(mark(spreadWords(seedRuns.test))). "
        }
        return text + "A head with one output per trained class has no extended accuracy: it cannot name the held-out dishes."
    }
}
