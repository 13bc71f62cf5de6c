// Top-1 and top-5 accuracy, counted over batches of logits.
import TensorCore

public struct Accuracy: Codable, Equatable, Sendable {
    public var top1: Double
    public var top5: Double
    public var count: Int

    public init(top1: Double, top5: Double, count: Int) {
        self.top1 = top1
        self.top5 = top5
        self.count = count
    }
}

/// How many rows of `logits` [N, C] rank their label among their `k` largest entries (ties
/// count in the label's favour).
public func topKHits(_ logits: Tensor, labels: [Int], k: Int) -> Int {
    topKHitsPerRow(logits, labels: labels, k: k).lazy.filter { $0 }.count
}

/// For each row of `logits` [N, C], whether its label is among its `k` largest entries (ties
/// count in the label's favour): the per-image record a bootstrap interval resamples.
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

/// For each of `examples` items evaluated `batchSize` at a time without recording gradients,
/// whether its label ranked first and among the five best. `logitsAndLabels` returns the [n, C]
/// logits and the labels of the items in its range.
public func evaluateHits(examples: Int, batchSize: Int,
                         _ logitsAndLabels: (Range<Int>) throws -> (logits: Tensor, labels: [Int])) rethrows -> (top1: [Bool], top5: [Bool]) {
    precondition(examples > 0 && batchSize > 0, "evaluateHits: needs examples and a positive batch size")
    var top1: [Bool] = [], top5: [Bool] = []
    try GradMode.with(enabled: false) {
        for start in stride(from: 0, to: examples, by: batchSize) {
            let range = start..<min(examples, start + batchSize)
            let (logits, labels) = try logitsAndLabels(range)
            precondition(labels.count == range.count, "evaluateHits: \(labels.count) labels for \(range.count) items")
            top1 += topKHitsPerRow(logits, labels: labels, k: 1)
            top5 += topKHitsPerRow(logits, labels: labels, k: 5)
        }
    }
    return (top1, top5)
}
