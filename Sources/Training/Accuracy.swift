// Accuracy, counted once. `ClassificationHits` keeps, image by image, whether the label ranked
// first and among the five best; everything else derives from it: the `Accuracy` a results file
// records (a fraction in [0, 1] over a count of images, never a percentage), its 95% bootstrap
// interval (Bootstrap.swift), top-5 and per-class accuracy. A label counts as within the top k
// when fewer than k classes score strictly above it (ties in the label's favour).
import Cluster
import TensorCore

/// A classification accuracy over `images` images, as results files record it.
public struct Accuracy: Codable, Sendable, Equatable {
    /// Fraction of images classified correctly, in [0, 1].
    public var value: Double
    public var images: Int
    /// The 95% bootstrap interval, when the chapter resampled the images.
    public var interval: BootstrapInterval?

    public init(value: Double, images: Int, interval: BootstrapInterval? = nil) {
        (self.value, self.images, self.interval) = (value, images, interval)
    }

    /// The share of `hits` that are true, over `hits.count` images, without an interval.
    public init(hits: [Bool]) {
        self.init(value: Double(hits.lazy.filter { $0 }.count) / Double(max(hits.count, 1)), images: hits.count)
    }
}

/// Top-1 and top-5 accuracy on one set of images.
public struct TopKAccuracy: Codable, Sendable, Equatable {
    public var top1: Accuracy
    public var top5: Accuracy

    public init(top1: Accuracy, top5: Accuracy) {
        (self.top1, self.top5) = (top1, top5)
    }
}

/// What a classifier got right, image by image, in the order the images were scored.
public struct ClassificationHits: Sendable, Equatable {
    public let classNames: [String]
    public private(set) var labels: [Int] = []
    /// Whether each image's label ranked first.
    public private(set) var top1: [Bool] = []
    /// Whether each image's label ranked among the five best (always, with five classes or fewer).
    public private(set) var top5: [Bool] = []

    public init(classNames: [String]) {
        self.classNames = classNames
    }

    /// The hits of `logits` [images, classes] against `labels` in one go.
    public init(classNames: [String], logits: Tensor, labels: [Int]) {
        self.init(classNames: classNames)
        add(logits, labels: labels)
    }

    /// The hits of `examples` items scored `batchSize` at a time without recording gradients;
    /// `logitsAndLabels` returns the [n, C] logits and the labels of the items in its range.
    /// Under MPI the batches are split across the ranks and every rank gets all the hits
    /// (ShardedScoring.swift).
    public static func counting(classNames: [String], examples: Int, batchSize: Int,
                                _ logitsAndLabels: (Range<Int>) throws -> (logits: Tensor, labels: [Int])) rethrows -> ClassificationHits {
        precondition(examples > 0 && batchSize > 0, "ClassificationHits: needs examples and a positive batch size")
        var hits = ClassificationHits(classNames: classNames)
        let world = MPIWorld.current
        try GradMode.with(enabled: false) {
            for range in world.shareOfBatches(examples: examples, batchSize: batchSize) {
                let (logits, labels) = try logitsAndLabels(range)
                precondition(labels.count == range.count, "ClassificationHits: \(labels.count) labels for \(range.count) items")
                hits.add(logits, labels: labels)
            }
        }
        do { return try hits.gathered(over: world) } catch { world.abort("\(error)") }
    }

    /// Counts one batch of logits [n, classes].
    public mutating func add(_ logits: Tensor, labels: [Int]) {
        precondition(logits.rank == 2 && logits.shape == [labels.count, classNames.count],
                     "ClassificationHits: logits \(logits.shape) for \(labels.count) labels of \(classNames.count) classes")
        self.labels += labels
        top1 += topKHitsPerRow(logits, labels: labels, k: 1)
        top5 += topKHitsPerRow(logits, labels: labels, k: 5)
    }

    mutating func append(label: Int, top1: Bool, top5: Bool) {
        labels.append(label)
        self.top1.append(top1)
        self.top5.append(top5)
    }

    public var count: Int { labels.count }
    public var top1Count: Int { top1.lazy.filter { $0 }.count }
    public var top5Count: Int { top5.lazy.filter { $0 }.count }

    /// Top-1 and top-5 without intervals (a training loop's per-epoch check).
    public var accuracy: TopKAccuracy { TopKAccuracy(top1: Accuracy(hits: top1), top5: Accuracy(hits: top5)) }

    /// Top-1 and top-5, each with its 95% bootstrap interval over the images.
    public func bootstrapped(seed: UInt64) -> TopKAccuracy {
        TopKAccuracy(top1: bootstrappedTop1(seed: seed),
                     top5: bootstrappedAccuracy(top5, resamples: BootstrapInterval.standardResamples, seed: seed))
    }

    /// Top-1 with its 95% bootstrap interval over the images.
    public func bootstrappedTop1(seed: UInt64) -> Accuracy {
        bootstrappedAccuracy(top1, resamples: BootstrapInterval.standardResamples, seed: seed)
    }

    /// Top-1 hits of each class, in class order.
    public var hitsPerClass: [Int] {
        var hits = Array(repeating: 0, count: classNames.count)
        for (label, hit) in zip(labels, top1) where hit { hits[label] += 1 }
        return hits
    }

    /// Images of each class, in class order.
    public var imagesPerClass: [Int] {
        var images = Array(repeating: 0, count: classNames.count)
        for label in labels { images[label] += 1 }
        return images
    }

    /// Top-1 of each class that has images, in class order.
    public var perClass: [(className: String, accuracy: Accuracy)] {
        let (hits, images) = (hitsPerClass, imagesPerClass)
        return classNames.indices.filter { images[$0] > 0 }.map {
            (classNames[$0], Accuracy(value: Double(hits[$0]) / Double(images[$0]), images: images[$0]))
        }
    }
}

/// How many rows of `logits` [N, C] rank their label among their `k` largest entries.
public func topKHits(_ logits: Tensor, labels: [Int], k: Int) -> Int {
    topKHitsPerRow(logits, labels: labels, k: k).lazy.filter { $0 }.count
}

/// For each row of `logits` [N, C], whether its label is among its `k` largest entries.
public func topKHitsPerRow(_ logits: Tensor, labels: [Int], k: Int) -> [Bool] {
    precondition(logits.rank == 2 && logits.shape[0] == labels.count, "topKHits: logits \(logits.shape), \(labels.count) labels")
    let classes = logits.shape[1]
    return labels.enumerated().map { row, label in
        precondition((0..<classes).contains(label), "topKHits: label \(label) out of range 0..<\(classes)")
        let values = logits.pointer + row * classes, target = values[label]
        var above = 0
        for j in 0..<classes where values[j] > target { above += 1 }
        return above < k
    }
}
