import Foundation

/// A fine-tuning repeated with other seeds on the same data and the same pretrained model: only
/// the run's own randomness (the head's initialisation, the order of the batches) changes. A
/// single run's bootstrap interval covers the sampling of the test images; this covers the rest.
public struct SeedRuns: Codable, Sendable, Equatable {
    /// Every run's seed, the chapter's own `--seed` first.
    public var seeds: [UInt64]
    /// Each run's top-1 test accuracy (fractions), in `seeds` order.
    public var test: [Double]
    /// Each run's extended accuracy, for models that have one.
    public var extended: [Double]?

    public init(seeds: [UInt64], test: [Double], extended: [Double]? = nil) {
        precondition(seeds.count == test.count && extended.map { $0.count == seeds.count } ?? true,
                     "SeedRuns: one accuracy per seed")
        self.seeds = seeds
        self.test = test
        self.extended = extended
    }

    /// The first run's accuracies (test, and extended for models that have one), then `again`'s
    /// for each further seed of `--seeds count`; nil for a single seed.
    public static func repeating(from first: UInt64, count: Int, first firstRun: (test: Double, extended: Double?),
                                 again: (UInt64) throws -> (test: Double, extended: Double?)) rethrows -> SeedRuns? {
        let seeds = seeds(from: first, count: count)
        guard seeds.count > 1 else { return nil }
        var runs = [firstRun]
        for seed in seeds.dropFirst() { runs.append(try again(seed)) }
        let extended = runs.allSatisfy { $0.extended != nil } ? runs.map { $0.extended! } : nil
        return SeedRuns(seeds: seeds, test: runs.map(\.test), extended: extended)
    }

    /// The seeds a chapter's `--seeds count` runs: its own, then the next ones.
    public static func seeds(from first: UInt64, count: Int) -> [UInt64] {
        (0..<UInt64(max(1, count))).map { first &+ $0 }
    }
}

/// Mean and sample standard deviation of a few runs' values.
public struct Spread: Sendable, Equatable {
    public var mean: Double
    /// Zero for a single value.
    public var standardDeviation: Double

    public init(_ values: [Double]) {
        precondition(!values.isEmpty, "Spread: needs at least one value")
        let mean = values.reduce(0, +) / Double(values.count)
        let squares = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        self.mean = mean
        standardDeviation = values.count > 1 ? (squares / Double(values.count - 1)).squareRoot() : 0
    }
}
