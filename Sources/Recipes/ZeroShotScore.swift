// Counting what a classifier got right: top-1 and top-5 over all images and top-1 per class,
// from logits [images, classes] batch by batch. A label counts as within the top k when fewer
// than k classes score strictly above it (ties in the label's favour, as `topKHits` counts).
// Top-1 is also kept image by image, for its bootstrap interval.
import Experiment
import TensorCore
import Training

public struct ClassificationScore: Sendable, Equatable {
    public let classNames: [String]
    public private(set) var top1Hits = 0
    public private(set) var top5Hits = 0
    public private(set) var count = 0
    public private(set) var hitsPerClass: [Int]
    public private(set) var imagesPerClass: [Int]
    /// Whether each image scored so far, in order, had its label ranked first.
    public private(set) var top1PerImage: [Bool] = []

    public init(classNames: [String]) {
        self.classNames = classNames
        hitsPerClass = Array(repeating: 0, count: classNames.count)
        imagesPerClass = Array(repeating: 0, count: classNames.count)
    }

    /// The score of `logits` against `labels` in one go.
    public init(classNames: [String], logits: Tensor, labels: [Int]) {
        self.init(classNames: classNames)
        add(logits, labels: labels)
    }

    /// Counts one batch.
    public mutating func add(_ logits: Tensor, labels: [Int]) {
        let classes = classNames.count
        precondition(logits.rank == 2 && logits.shape == [labels.count, classes],
                     "ClassificationScore: logits \(logits.shape) for \(labels.count) labels of \(classes) classes")
        let top1 = topKHitsPerRow(logits, labels: labels, k: 1), top5 = topKHitsPerRow(logits, labels: labels, k: 5)
        for (row, label) in labels.enumerated() {
            count += 1
            imagesPerClass[label] += 1
            top1PerImage.append(top1[row])
            if top1[row] {
                top1Hits += 1
                hitsPerClass[label] += 1
            }
            if top5[row] { top5Hits += 1 }
        }
    }

    public var top1: Experiment.Accuracy { Experiment.Accuracy(value: fraction(top1Hits, of: count), images: count) }
    /// Top-5 (trivially 1 with five classes or fewer).
    public var top5: Experiment.Accuracy { Experiment.Accuracy(value: fraction(top5Hits, of: count), images: count) }

    /// Top-1 with its 95% bootstrap interval over the images, resampled as the vit chapter does.
    public func bootstrappedTop1(seed: UInt64) -> Experiment.Accuracy {
        bootstrappedAccuracy(top1PerImage, resamples: BootstrapInterval.standardResamples, seed: seed)
    }

    /// Top-1 of each class that has images, in class order.
    public var perClass: [(className: String, accuracy: Experiment.Accuracy)] {
        classNames.indices.filter { imagesPerClass[$0] > 0 }.map {
            (classNames[$0], Experiment.Accuracy(value: fraction(hitsPerClass[$0], of: imagesPerClass[$0]), images: imagesPerClass[$0]))
        }
    }

    private func fraction(_ part: Int, of whole: Int) -> Double {
        whole == 0 ? 0 : Double(part) / Double(whole)
    }
}
