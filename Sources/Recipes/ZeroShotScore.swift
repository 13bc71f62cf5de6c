// Counting what a classifier got right: top-1 and top-5 over all images and top-1 per class,
// from logits [images, classes] batch by batch. A label counts as within the top k when fewer
// than k classes score strictly above it (ties in the label's favour, as `topKHits` counts).
import Experiment
import TensorCore

public struct ClassificationScore: Sendable, Equatable {
    public let classNames: [String]
    public private(set) var top1Hits = 0
    public private(set) var top5Hits = 0
    public private(set) var count = 0
    public private(set) var hitsPerClass: [Int]
    public private(set) var imagesPerClass: [Int]
    /// Whether each image, in the order counted, had its label ranked first (for bootstrapping).
    public private(set) var top1ByImage: [Bool] = []

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
        for (row, label) in labels.enumerated() {
            precondition((0..<classes).contains(label), "ClassificationScore: label \(label) out of range 0..<\(classes)")
            let values = logits.pointer + row * classes, target = values[label]
            var above = 0
            for j in 0..<classes where values[j] > target { above += 1 }
            count += 1
            imagesPerClass[label] += 1
            top1ByImage.append(above < 1)
            if above < 1 {
                top1Hits += 1
                hitsPerClass[label] += 1
            }
            if above < 5 { top5Hits += 1 }
        }
    }

    public var top1: Accuracy { Accuracy(value: fraction(top1Hits, of: count), images: count) }
    /// Top-5 (trivially 1 with five classes or fewer).
    public var top5: Accuracy { Accuracy(value: fraction(top5Hits, of: count), images: count) }

    /// Top-1 of each class that has images, in class order.
    public var perClass: [(className: String, accuracy: Accuracy)] {
        classNames.indices.filter { imagesPerClass[$0] > 0 }.map {
            (classNames[$0], Accuracy(value: fraction(hitsPerClass[$0], of: imagesPerClass[$0]), images: imagesPerClass[$0]))
        }
    }

    private func fraction(_ part: Int, of whole: Int) -> Double {
        whole == 0 ? 0 : Double(part) / Double(whole)
    }
}
