// Top-1 and top-5 accuracy of a classifier on a set of images, kept image by image so that a
// 95% interval can be drawn by resampling the images (`bootstrappedAccuracy`, in Experiment).
import Experiment
import Models
import TensorCore
import Training

/// Which images a classifier ranked the true class first (`top1`) or among its five best (`top5`).
public struct ImageHits: Sendable, Equatable {
    public var top1: [Bool]
    public var top5: [Bool]

    /// The trainer's per-epoch record of these hits.
    var trainingAccuracy: Training.Accuracy {
        Training.Accuracy(top1: Experiment.Accuracy(hits: top1).value, top5: Experiment.Accuracy(hits: top5).value, count: top1.count)
    }

    /// The hits of `examples` items as `evaluateHits` counts them, `batchSize` at a time.
    static func counting(examples: Int, batchSize: Int,
                         _ logitsAndLabels: (Range<Int>) throws -> (logits: Tensor, labels: [Int])) rethrows -> ImageHits {
        let hits = try evaluateHits(examples: examples, batchSize: batchSize, logitsAndLabels)
        return ImageHits(top1: hits.top1, top5: hits.top5)
    }

    /// Both accuracies with their bootstrap intervals.
    public func accuracy(resamples: Int = BootstrapInterval.standardResamples, seed: UInt64) -> TopKAccuracy {
        TopKAccuracy(top1: bootstrappedAccuracy(top1, resamples: resamples, seed: seed),
                     top5: bootstrappedAccuracy(top5, resamples: resamples, seed: seed))
    }
}

/// Classifies every image of `images`, `batchSize` at a time, without recording gradients.
public func evaluate(_ model: ViTForImageClassification, on images: DatasetPixels, batchSize: Int) throws -> ImageHits {
    try ImageHits.counting(examples: images.count, batchSize: batchSize) { range in
        (model(try images.pixels(Array(range))), images.labels(Array(range)))
    }
}
