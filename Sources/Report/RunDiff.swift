import Common
import Results
import Training
import Foundation

/// Two results folders side by side: every metric either has, with the change between them.
public struct RunDiff: Sendable {
    public struct Row: Sendable {
        public let id: String
        public let label: String
        public let unit: String
        public let this: Metric?
        public let other: Metric?

        /// Other minus this, when both are numbers.
        public var delta: Double? {
            guard let a = this?.number, let b = other?.number else { return nil }
            return b - a
        }

        /// Whether each run's value lies inside the other's 95% interval, when both carry one:
        /// true says the change is no larger than resampling the images alone would give.
        public var withinIntervals: Bool? {
            guard let a = this?.number, let b = other?.number, let aInterval = this?.interval, let bInterval = other?.interval else {
                return nil
            }
            return aInterval.contains(b) && bInterval.contains(a)
        }

        /// Both present with different presets: the change mixes two worlds.
        public var crossesPresets: Bool {
            guard let this, let other else { return false }
            return this.preset != other.preset
        }
    }

    public let thisDirectory: URL
    public let otherDirectory: URL
    public let rows: [Row]

    public init(this: ResultsFolder, other: ResultsFolder) {
        thisDirectory = this.directory
        otherDirectory = other.directory
        let mine = this.metrics
        let theirs = Dictionary(other.metrics.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var rows = mine.map { metric in
            Row(id: metric.id, label: metric.label, unit: metric.unit, this: metric, other: theirs[metric.id])
        }
        let seen = Set(mine.map(\.id))
        rows += other.metrics.filter { !seen.contains($0.id) }.map { metric in
            Row(id: metric.id, label: metric.label, unit: metric.unit, this: nil, other: metric)
        }
        self.rows = rows
    }
}
