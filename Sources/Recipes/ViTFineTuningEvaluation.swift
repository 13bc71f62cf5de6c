// Top-1 and top-5 accuracy of a classifier on a set of images, kept image by image so that a
// 95% interval can be drawn by resampling the images (the percentile bootstrap): on MiniFood's
// 910 validation images an accuracy is only good to about ±3 points, and the interval says so.
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
        Training.Accuracy(top1: fraction(top1), top5: fraction(top5), count: top1.count)
    }

    /// Both accuracies with their bootstrap intervals.
    public func accuracy(resamples: Int = 1000, seed: UInt64) -> TopKAccuracy {
        TopKAccuracy(top1: bootstrappedAccuracy(top1, resamples: resamples, seed: seed),
                     top5: bootstrappedAccuracy(top5, resamples: resamples, seed: seed))
    }
}

/// Classifies every image of `images`, `batchSize` at a time, without recording gradients.
public func evaluate(_ model: ViTForImageClassification, on images: DatasetPixels, batchSize: Int) throws -> ImageHits {
    var hits = ImageHits(top1: [], top5: [])
    try GradMode.with(enabled: false) {
        for start in stride(from: 0, to: images.count, by: batchSize) {
            let indices = Array(start..<min(images.count, start + batchSize))
            let logits = model(try images.pixels(indices)), labels = images.labels(indices)
            for (row, label) in labels.enumerated() {
                let one = logits.slice(row..<(row + 1))
                hits.top1.append(topKHits(one, labels: [label], k: 1) == 1)
                hits.top5.append(topKHits(one, labels: [label], k: 5) == 1)
            }
        }
    }
    return hits
}

/// The share of `hits` that are true, with the 2.5th and 97.5th percentiles of that share over
/// `resamples` resamplings of the images with replacement, drawn from `seed`.
public func bootstrappedAccuracy(_ hits: [Bool], resamples: Int, seed: UInt64) -> Experiment.Accuracy {
    precondition(!hits.isEmpty && resamples > 0, "bootstrappedAccuracy: needs images and resamples")
    var generator = SeededGenerator(seed: seed).derived("bootstrap")
    let shares = (0..<resamples).map { _ in
        var correct = 0
        for _ in hits.indices where hits[generator.int(below: hits.count)] { correct += 1 }
        return Double(correct) / Double(hits.count)
    }.sorted()
    func percentile(_ p: Double) -> Double { shares[min(resamples - 1, Int((p * Double(resamples - 1)).rounded()))] }
    return Experiment.Accuracy(value: fraction(hits), images: hits.count,
                               interval: BootstrapInterval(low: percentile(0.025), high: percentile(0.975), resamples: resamples))
}

private func fraction(_ hits: [Bool]) -> Double {
    Double(hits.lazy.filter { $0 }.count) / Double(max(hits.count, 1))
}
