// The `scaling` chapter's payload.
import Training

/// `scaling`: fine-tuned ViT and fine-tuned CLIP against zero-shot CLIP as the training set grows,
/// and at three or more learning rates.
public struct ScalingResults: ChapterPayload, Equatable {
    public static let chapter = "scaling"
    public var dataset: String
    /// How many classes were trained on and held out (each accuracy's chance level follows).
    public var classes: ClassCounts
    /// How each size's training images were drawn, and which images stayed fixed.
    public var draw: String
    /// The full training set, on which the learning-rate axis runs (the size axis's largest size
    /// when every class has as many training images).
    public var defaultTrainImages: Int
    /// The models fine-tuned, by id (`vit`, `ft-clip`, `zero-shot-head`), in the order run.
    public var models: [ScalingModel]
    /// One object per size, smallest first.
    public var sizes: [ScalingSize]
    /// One object per learning rate and model.
    public var learningRates: [LearningRatePoint]
    /// Zero-shot CLIP on the same test and held-out images: it does not depend on the size.
    public var zeroShot: ScalingZeroShot

    public init(dataset: String, classes: ClassCounts, draw: String, defaultTrainImages: Int, models: [ScalingModel],
                sizes: [ScalingSize], learningRates: [LearningRatePoint], zeroShot: ScalingZeroShot) {
        (self.dataset, self.classes, self.draw, self.defaultTrainImages, self.models) = (dataset, classes, draw, defaultTrainImages, models)
        (self.sizes, self.learningRates, self.zeroShot) = (sizes, learningRates, zeroShot)
    }
}

/// One fine-tuning of the study: what it is and its published (1x) settings.
public struct ScalingModel: Codable, Sendable, Equatable {
    /// `vit`, or the clip-finetune recipe's id.
    public var id: String
    public var description: String
    public var checkpointSource: String
    /// The published learning rate (Table 1 or Table 2), the learning-rate axis's 1x.
    public var learningRate: Double
    /// Fixed over the sizes, so that the steps grow with the data at the same epochs.
    public var batchSize: Int
    public var epochs: Int

    public init(id: String, description: String, checkpointSource: String, learningRate: Double, batchSize: Int, epochs: Int) {
        (self.id, self.description, self.checkpointSource, self.learningRate, self.batchSize, self.epochs)
            = (id, description, checkpointSource, learningRate, batchSize, epochs)
    }
}

/// Every model fine-tuned on `imagesPerClass` training images of each trained class.
public struct ScalingSize: Codable, Sendable, Equatable {
    public var imagesPerClass: Int
    public var trainImages: Int
    /// By model id.
    public var models: [String: ScalingAccuracy]

    public init(imagesPerClass: Int, trainImages: Int, models: [String: ScalingAccuracy]) {
        (self.imagesPerClass, self.trainImages, self.models) = (imagesPerClass, trainImages, models)
    }
}

/// One fine-tuning's measurements: test accuracy on the trained classes' test images, and
/// extended accuracy (zero-shot on the held-out classes), nil where the model cannot name them (ViT).
public struct ScalingAccuracy: Codable, Sendable, Equatable {
    public var test: Accuracy
    public var extended: Accuracy?
    public var steps: Int
    public var seconds: Double

    public init(test: Accuracy, extended: Accuracy?, steps: Int, seconds: Double) {
        (self.test, self.extended, self.steps, self.seconds) = (test, extended, steps, seconds)
    }
}

/// One model at one learning rate (`factor` times its published one), at the default size.
public struct LearningRatePoint: Codable, Sendable, Equatable {
    public var model: String
    public var factor: Double
    public var learningRate: Double
    public var test: Accuracy
    public var extended: Accuracy?

    public init(model: String, factor: Double, learningRate: Double, test: Accuracy, extended: Accuracy?) {
        (self.model, self.factor, self.learningRate, self.test, self.extended) = (model, factor, learningRate, test, extended)
    }
}

/// Zero-shot CLIP, the line fine-tuning has to cross.
public struct ScalingZeroShot: Codable, Sendable, Equatable {
    public var template: String
    public var test: Accuracy
    public var extended: Accuracy

    public init(template: String, test: Accuracy, extended: Accuracy) {
        (self.template, self.test, self.extended) = (template, test, extended)
    }
}

extension ScalingResults {
    public static func summary(of file: ChapterResultsFile<ScalingResults>) -> String? {
        let r = file.results, mark = PrecisionMark(file)
        let tag = file.quick == true ? "[\(file.preset.rawValue) preset, quick run]" : "[\(file.preset.rawValue) preset]"
        var text = "Fine-tuned at \(r.sizes.map { "\($0.imagesPerClass)" }.joined(separator: ", ")) training images a class of \(r.dataset) \(tag), "
            + "against zero-shot CLIP's \(mark(r.zeroShot.test.percentWithInterval)) test and \(mark(r.zeroShot.extended.percentWithInterval)) extended accuracy: "
        text += r.models.map { model in
            let points = r.sizes.compactMap { size in size.models[model.id].map { "\(size.imagesPerClass): \(mark(percent($0.test.value)))" } }
            return "\(model.id) test " + points.joined(separator: ", ")
        }.joined(separator: "; ") + "."
        let spreads = Set(r.learningRates.map(\.model)).sorted().compactMap { model in
            r.learningRateSpread(model: model).map { "\(model) \(mark(formatPercent(100 * $0))) points" }
        }
        if !spreads.isEmpty { text += " Over the learning rates, test accuracy spreads " + spreads.joined(separator: ", ") + "." }
        return text
    }

    /// The highest test accuracy minus the lowest over `model`'s learning rates; nil under two rates.
    public func learningRateSpread(model: String) -> Double? {
        let tests = learningRates.filter { $0.model == model }.map(\.test.value)
        guard tests.count >= 2 else { return nil }
        return tests.max()! - tests.min()!
    }
}
