import Common
import Foundation
import Imaging

/// The order a stream visits a dataset in.
public enum SampleOrder: Sendable {
    case sequential
    /// A permutation drawn from the seed: the same seed, the same order, on any machine.
    case shuffled(seed: UInt64)
}

/// A batch of preprocessed samples, with the dataset indices they came from (to look up a
/// caption or a file name) and their labels.
public struct Batch<Item> {
    public let indices: [Int]
    public let labels: [Int]
    public let items: [Item]
}

/// Reads a dataset as batches, decoding and preprocessing on worker threads ahead of the
/// consumer. At most `prefetch` batches wait decoded beside the one being consumed, so memory
/// stays bounded whatever the dataset's size. Items land in slots fixed by their position in
/// the order, so batches are the same whichever worker finished first.
public final class BatchStream<Item> {
    public let batchSize: Int
    public let batchCount: Int
    private let shared: SharedState<Item>
    private var nextBatch = 0

    /// `preprocess` turns a decoded image into what the model eats (e.g. Float CHW); it runs on
    /// the worker threads. With `dropLast`, a final partial batch is skipped.
    public init(_ dataset: some Dataset, batchSize: Int, order: SampleOrder, dropLast: Bool = false,
                workers: Int = 2, prefetch: Int = 3, preprocess: @escaping @Sendable (Image) throws -> Item) {
        precondition(batchSize > 0 && workers > 0 && prefetch > 0, "batch size, workers and prefetch must be positive")
        var positions = Array(0..<dataset.count)
        if case let .shuffled(seed) = order {
            var generator = SeededGenerator(seed: seed)
            generator.shuffle(&positions)
        }
        let used = dropLast ? dataset.count / batchSize * batchSize : dataset.count
        positions.removeSubrange(used...)
        self.batchSize = batchSize
        batchCount = (used + batchSize - 1) / batchSize
        shared = SharedState(order: positions, labels: positions.map(dataset.label), prefetchItems: prefetch * batchSize)
        for _ in 0..<workers {
            let shared = shared
            Thread { shared.work { try preprocess(dataset.image(at: $0)) } }.start()
        }
    }

    deinit {
        shared.cancel()
    }

    /// The next batch in order, or nil after the last. A sample that fails (an unreadable file)
    /// fails its batch with the sample's error, the first in order, and ends the stream.
    public func next() throws -> Batch<Item>? {
        guard nextBatch < batchCount else { return nil }
        let range = nextBatch * batchSize ..< min((nextBatch + 1) * batchSize, shared.order.count)
        nextBatch += 1
        do {
            let items = try shared.take(range).map { try $0.get() }
            return Batch(indices: Array(shared.order[range]), labels: Array(shared.labels[range]), items: items)
        } catch {
            nextBatch = batchCount
            shared.cancel()
            throw error
        }
    }
}

/// What the consumer and the workers share, under one condition lock: positions up to `limit`
/// may be claimed, and finished items wait in `ready` until their batch is taken.
private final class SharedState<Item>: @unchecked Sendable {
    let order: [Int]
    let labels: [Int]
    private let prefetchItems: Int
    private let condition = NSCondition()
    private var claimed = 0
    private var limit: Int
    private var ready: [Int: Result<Item, Error>] = [:]
    private var cancelled = false

    init(order: [Int], labels: [Int], prefetchItems: Int) {
        self.order = order
        self.labels = labels
        self.prefetchItems = prefetchItems
        limit = min(order.count, prefetchItems)
    }

    /// A worker's loop: claim the next position within the limit, load it, file the result.
    func work(_ load: (Int) throws -> Item) {
        while true {
            condition.lock()
            while claimed >= limit && claimed < order.count && !cancelled { condition.wait() }
            if cancelled || claimed >= order.count {
                condition.unlock()
                return
            }
            let position = claimed
            claimed += 1
            condition.unlock()

            let result = Result { try load(order[position]) }
            condition.lock()
            ready[position] = result
            condition.broadcast()
            condition.unlock()
        }
    }

    /// Waits for every position in `range`, hands them over and lets the workers run ahead.
    func take(_ range: Range<Int>) -> [Result<Item, Error>] {
        condition.lock()
        defer { condition.unlock() }
        limit = max(limit, min(order.count, range.upperBound))
        condition.broadcast()
        while !range.allSatisfy({ ready[$0] != nil }) { condition.wait() }
        let results = range.map { ready.removeValue(forKey: $0)! }
        limit = min(order.count, range.upperBound + prefetchItems)
        condition.broadcast()
        return results
    }

    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }
}
