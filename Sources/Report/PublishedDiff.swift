import Common
import Results
import Training
import Foundation

/// What a reproduced number says about a published one, in the spirit of
/// epsilon-reproducibility: within the stated epsilon it is reproduced, beyond it either
/// beaten or missed. An accuracy with a 95% bootstrap interval is judged by the interval widened
/// by epsilon, so a number measured on few images is not called missed for its sampling noise.
/// Numbers from the mini preset come from another world (MiniFood and self-pretrained mini
/// models), and a quick run's from smoke-test sizes, so they are shown with their delta but never
/// judged. An accuracy whose interval contains chance reproduces no published accuracy clear of chance.
public enum Verdict: String, Codable, Sendable, CaseIterable {
    case reproduced
    /// Better than published, where the entry's direction says which way is better.
    case beaten
    case missed
    /// Beyond the accepted range of a number whose direction is `reproduce`: neither better
    /// nor worse, not the published finding.
    case notReproducedAbove = "not reproduced (above)"
    case notReproducedBelow = "not reproduced (below)"
    /// A setting, parameter count or cost tier that is not the published one.
    case differs
    case notComparableMini = "not comparable (mini)"
    /// A `--quick` run: smoke-test sizes, whose numbers mean nothing.
    case notJudgedQuick = "not judged (quick run)"
    /// The run's interval contains chance where the published accuracy is clear of it: whatever
    /// the interval also covers, the run has not shown it learned anything.
    case atChance = "at chance"
    /// Wall time: measures the machine as much as the method.
    case notJudgedHardware = "not judged (hardware)"
    /// The table prints "-" for this cell.
    case notPublished = "not published"
    case notRun = "not run"
    /// The chapter ran but its results do not carry this number.
    case notInResults = "not in results"

    /// The verdicts that make `report diff --strict` fail.
    public var failsStrict: Bool { [.missed, .differs, .atChance, .notReproducedAbove, .notReproducedBelow].contains(self) }

    /// The verdicts that judge a number against its published value.
    public var isJudgement: Bool { [.reproduced, .beaten, .missed, .differs, .atChance, .notReproducedAbove, .notReproducedBelow].contains(self) }

    /// The verdict for a number outside the accepted range, above or below it, by the entry's direction.
    static func outside(above: Bool, _ direction: PublishedDirection) -> Verdict {
        switch direction {
        case .higherIsBetter: return above ? .beaten : .missed
        case .lowerIsBetter: return above ? .missed : .beaten
        case .reproduce: return above ? .notReproducedAbove : .notReproducedBelow
        }
    }
}

/// One published number set against its reproduction.
public struct PublishedComparison: Sendable {
    public let entry: PublishedEntry
    public let reproduced: Metric?
    /// Reproduced minus published, in the entry's unit; nil unless both are numbers.
    public let delta: Double?
    public let verdict: Verdict
    /// The published values this run counts as reproducing, for a judged accuracy: its 95%
    /// interval (or, without one, its value) widened by the tolerance's epsilon on each side.
    public let acceptedRange: ClosedRange<Double>?

    /// What guessing scores on this accuracy, in percent, when known.
    public var chance: Double? { reproduced?.chance }
}

public struct PublishedDiff: Sendable {
    public let registry: PublishedRegistry
    public let comparisons: [PublishedComparison]
    /// What the report says before any number: a quick run, bf16 products, the checkpoints and their standing.
    public let statements: [String]

    public init(registry: PublishedRegistry, results: ResultsFolder) {
        self.registry = registry
        statements = [quickStatement(results), precisionStatement(results), checkpointStatement(results, registry: registry)].compactMap { $0 }
        let metrics = results.metricsByID
        let presets = results.presets
        comparisons = registry.entries.map { entry in
            let metric = entry.reproducedBy.flatMap { metrics[$0] }
            let chapterRan = entry.reproducedBy.map { id in presets.keys.contains { id.hasPrefix("\($0).") } } ?? false
            return Self.compare(entry, metric, chapterRan: chapterRan, tolerance: registry.tolerance(entry.kind))
        }
    }

    /// True when `--strict` should exit non-zero.
    public var failsStrict: Bool { comparisons.contains { $0.verdict.failsStrict } }

    public func count(_ verdict: Verdict) -> Int {
        comparisons.filter { $0.verdict == verdict }.count
    }

    static func compare(_ entry: PublishedEntry, _ metric: Metric?, chapterRan: Bool, tolerance: Tolerance) -> PublishedComparison {
        var delta: Double?
        if case .number(let published) = entry.value, let reproduced = metric?.number { delta = reproduced - published }
        func result(_ verdict: Verdict, accepted: ClosedRange<Double>? = nil) -> PublishedComparison {
            PublishedComparison(entry: entry, reproduced: metric, delta: delta, verdict: verdict, acceptedRange: accepted)
        }

        guard let published = entry.value else { return result(.notPublished) }
        guard let metric else { return result(chapterRan ? .notInResults : .notRun) }
        if metric.preset == .mini { return result(.notComparableMini) }
        if metric.quick { return result(.notJudgedQuick) }

        switch entry.kind {
        case .seconds:
            return result(.notJudgedHardware)
        case .accuracy:
            guard case .number(let value) = published, let reproduced = metric.number, let epsilon = tolerance.epsilon else {
                return result(.differs)
            }
            let interval = metric.interval ?? reproduced...reproduced
            let accepted = (interval.lowerBound - epsilon)...(interval.upperBound + epsilon)
            if metric.atChance == true, let chance = metric.chance, abs(value - chance) > epsilon {
                return result(.atChance, accepted: accepted)
            }
            if accepted.contains(value) { return result(.reproduced, accepted: accepted) }
            return result(Verdict.outside(above: value < accepted.lowerBound, entry.direction), accepted: accepted)
        case .setting, .parameterCount, .costTier:
            return result(Self.same(published, metric.value, epsilon: tolerance.epsilon ?? 0) ? .reproduced : .differs)
        }
    }

    /// Exact match for words; for numbers, equal within `epsilon` or a 1e-9 relative slack
    /// (a learning rate written as 1e-4 and computed as 0.1 * 1e-3 are the same setting).
    private static func same(_ published: PublishedValue, _ reproduced: Metric.Value, epsilon: Double) -> Bool {
        switch (published, reproduced) {
        case (.number(let a), .number(let b)):
            return abs(a - b) <= max(epsilon, 1e-9 * max(abs(a), abs(b)))
        case (.text(let a), .text(let b)):
            return a.caseInsensitiveCompare(b) == .orderedSame
        default:
            return false
        }
    }
}
