import Common
import Results
import TensorCore
import Training
import Foundation

// `report diff` output: a markdown table for people, JSON for machines. Both carry the
// presets, since a delta means nothing without knowing which world made the number.

extension PublishedDiff {
    public func markdown(resultsPath: String, presets: [String: Preset]) -> String {
        var out = "# Published numbers against the run in \(resultsPath)\n\n"
        out += ([presetStatement(presets)] + statements).joined(separator: "\n\n") + "\n\n"
        var table = MarkdownTable(["Metric", "Source", "Published", "Reproduced", "Chance", "Preset", "Δ", "Verdict"],
                                  alignments: [.left, .left, .right, .right, .right, .left, .right, .left])
        for comparison in comparisons {
            let entry = comparison.entry
            let source = registry.sources[entry.source]!.short
            table.add([
                "\(entry.row): \(entry.column)",
                entry.table.hasPrefix("Table") ? "\(source), \(entry.table)" : source,
                formatPublished(entry),
                comparison.reproduced.map(formatMetric) ?? "—",
                comparison.chance.map { formatValue($0, unit: "%") } ?? "—",
                comparison.reproduced.map { "\($0.preset.rawValue)\($0.quick ? ", quick" : "")" } ?? "—",
                comparison.delta.map { formatDelta($0, unit: entry.unit) } ?? "—",
                verdictWords(comparison),
            ])
        }
        out += table.render() + "\n"
        let counts = Verdict.allCases.compactMap { verdict in count(verdict) > 0 ? "\(count(verdict)) \(verdict.rawValue)" : nil }
        out += "Verdicts: \(counts.joined(separator: ", ")).\n\n"
        out += "Tolerances (from the registry):\n\n"
        for kind in PublishedKind.allCases {
            let tolerance = registry.tolerance(kind)
            let epsilon = tolerance.epsilon.map { " (ε = \(formatNumber($0))\(tolerance.unit.isEmpty ? "" : " \(tolerance.unit)"))" } ?? ""
            out += "- \(kind.rawValue)\(epsilon): \(tolerance.rule)\n"
        }
        return out
    }

    /// The verdict, with what qualifies it: an interval that contains chance, a checkpoint that is
    /// not verified as the published one.
    func verdictWords(_ comparison: PublishedComparison) -> String {
        var words = comparison.verdict.rawValue
        guard let metric = comparison.reproduced, comparison.verdict.isJudgement else { return words }
        if comparison.verdict != .atChance, metric.atChance == true, let chance = metric.chance {
            words += " (interval contains chance, \(formatValue(chance, unit: "%"))%)"
        }
        // Settings do not depend on the checkpoint; accuracies and parameter counts do.
        if [.accuracy, .parameterCount].contains(comparison.entry.kind), let caveat = checkpointCaveat(metric.checkpoints, registry: registry) {
            words += " (\(caveat))"
        }
        return words
    }

    public func json(resultsPath: String, presets: [String: Preset]) throws -> Data {
        let rows = comparisons.map { comparison in
            let entry = comparison.entry
            return PublishedDiffJSON.Row(
                id: entry.id, source: entry.source, table: entry.table, row: entry.row, column: entry.column,
                kind: entry.kind, direction: entry.direction, unit: entry.unit, published: entry.value, reproducedMetric: entry.reproducedBy,
                reproduced: comparison.reproduced.map { JSONMetricValue($0.value) },
                interval: comparison.reproduced?.interval.map { [$0.lowerBound, $0.upperBound] },
                acceptedRange: comparison.acceptedRange.map { [$0.lowerBound, $0.upperBound] },
                preset: comparison.reproduced?.preset, quick: comparison.reproduced?.quick, precision: comparison.reproduced?.precision,
                chance: comparison.chance,
                intervalContainsChance: comparison.reproduced?.atChance,
                checkpoint: comparison.reproduced.flatMap { checkpointCaveat($0.checkpoints, registry: registry) },
                delta: comparison.delta, verdict: comparison.verdict)
        }
        let counts = Dictionary(uniqueKeysWithValues: Verdict.allCases.map { ($0.rawValue, count($0)) })
        let document = PublishedDiffJSON(mode: "published", results: resultsPath, presets: presets, statements: statements, rows: rows,
                                         counts: counts, tolerances: registry.tolerances, failsStrict: failsStrict)
        return try encodeJSON(document)
    }
}

extension RunDiff {
    public func markdown(thisPath: String, otherPath: String) -> String {
        var out = "# Run against run: \(thisPath) → \(otherPath)\n\n"
        out += "Δ is \(otherPath) minus \(thisPath). A row whose presets differ compares two different worlds "
        out += "(MiniFood against Food-101) and is marked so. Accuracies show their 95% bootstrap interval in brackets; a change "
        out += "marked \"within the intervals\" leaves each run's value inside the other's interval.\n\n"
        var table = MarkdownTable(["Metric", "Id", thisPath, otherPath, "Δ"], alignments: [.left, .left, .right, .right, .right])
        for row in rows {
            func cell(_ metric: Metric?) -> String {
                metric.map { "\(formatMetric($0)) (\($0.preset.rawValue))" } ?? "—"
            }
            var delta = row.delta.map { formatDelta($0, unit: row.unit) } ?? changeOfText(row)
            if row.withinIntervals == true { delta += " (within the intervals)" }
            if row.crossesPresets { delta += " (mini vs paper)" }
            table.add([row.label, row.id, cell(row.this), cell(row.other), delta])
        }
        out += table.render()
        let both = rows.filter { $0.this != nil && $0.other != nil }.count
        out += "\n\(both) metrics in both, \(rows.filter { $0.other == nil }.count) only in \(thisPath), "
        out += "\(rows.filter { $0.this == nil }.count) only in \(otherPath).\n"
        return out
    }

    public func json(thisPath: String, otherPath: String) throws -> Data {
        let document = RunDiffJSON(mode: "runs", this: thisPath, other: otherPath, rows: rows.map { row in
            RunDiffJSON.Row(id: row.id, label: row.label, unit: row.unit,
                            this: row.this.map { JSONMetricValue($0.value) }, thisInterval: row.this?.interval.map { [$0.lowerBound, $0.upperBound] },
                            thisPreset: row.this?.preset, thisPrecision: row.this?.precision,
                            other: row.other.map { JSONMetricValue($0.value) }, otherInterval: row.other?.interval.map { [$0.lowerBound, $0.upperBound] },
                            otherPreset: row.other?.preset, otherPrecision: row.other?.precision, delta: row.delta, withinIntervals: row.withinIntervals)
        })
        return try encodeJSON(document)
    }

    private func changeOfText(_ row: Row) -> String {
        guard let a = row.this?.value, let b = row.other?.value else { return "—" }
        return a == b ? "same" : "changed"
    }
}

/// One line saying which preset made the numbers, and what that means for comparing them.
public func presetStatement(_ presets: [String: Preset]) -> String {
    if presets.isEmpty { return "No chapter has been run: every reproduced number below is \"not run\"." }
    let used = Set(presets.values)
    let list = presets.keys.sorted().map { "\($0) (\(presets[$0]!.rawValue))" }.joined(separator: ", ")
    let mini = "The mini preset's numbers come from MiniFood, a procedural world this project renders, with mini models it pretrains itself: they are not Food-101 numbers and are shown beside the published ones without a verdict."
    if used == [.mini] { return "**Preset: mini** for every results file (\(list)). \(mini)" }
    if used == [.paper] { return "**Preset: paper** for every results file (\(list)): Food-101 and the checkpoints the user supplied (see below for whether they are the published ones)." }
    return "**Mixed presets**: \(list). \(mini)"
}

/// A published value as the paper prints it: every digit kept (94.757 stays 94.757),
/// percentages with at least two decimals, a dash where the table has one.
func formatPublished(_ entry: PublishedEntry) -> String {
    switch entry.value {
    case nil: return "-"
    case .number(let number)?: return formatExact(number, unit: entry.unit)
    case .text(let text)?: return text
    }
}

/// A reproduced value with its interval, marked with its run's precision.
func formatMetric(_ metric: Metric) -> String {
    let mark = PrecisionMark(metric.precision)
    switch metric.value {
    case .text(let text): return mark(text)
    case .number(let number):
        let value = formatValue(number, unit: metric.unit)
        guard let interval = metric.interval else { return mark(value) }
        return mark("\(value) [\(formatValue(interval.lowerBound, unit: metric.unit)), \(formatValue(interval.upperBound, unit: metric.unit))]")
    }
}

private func encodeJSON(_ value: some Encodable) throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    encoder.keyEncodingStrategy = .convertToSnakeCase
    var data = try encoder.encode(value)
    data.append(0x0A)
    return data
}

private enum JSONMetricValue: Encodable {
    case number(Double)
    case text(String)

    init(_ value: Metric.Value) {
        switch value {
        case .number(let number): self = .number(number)
        case .text(let text): self = .text(text)
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .number(let number): try container.encode(number)
        case .text(let text): try container.encode(text)
        }
    }
}

private struct PublishedDiffJSON: Encodable {
    struct Row: Encodable {
        let id, source, table, row, column: String
        let kind: PublishedKind
        let direction: PublishedDirection
        let unit: String
        let published: PublishedValue?
        let reproducedMetric: String?
        let reproduced: JSONMetricValue?
        let interval: [Double]?
        /// The published values that count as reproduced (interval widened by epsilon).
        let acceptedRange: [Double]?
        let preset: Preset?
        let quick: Bool?
        let precision: Precision?
        /// What guessing scores, in percent, and whether the run's interval contains it.
        let chance: Double?
        let intervalContainsChance: Bool?
        /// Nil when every checkpoint behind the number is the published one (or none was recorded).
        let checkpoint: String?
        let delta: Double?
        let verdict: Verdict

        // Nil fields are written as null, so every row has the same keys.
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(id, forKey: .id)
            try c.encode(source, forKey: .source)
            try c.encode(table, forKey: .table)
            try c.encode(row, forKey: .row)
            try c.encode(column, forKey: .column)
            try c.encode(kind, forKey: .kind)
            try c.encode(direction, forKey: .direction)
            try c.encode(unit, forKey: .unit)
            try c.encode(published, forKey: .published)
            try c.encode(reproducedMetric, forKey: .reproducedMetric)
            try c.encode(reproduced, forKey: .reproduced)
            try c.encode(interval, forKey: .interval)
            try c.encode(acceptedRange, forKey: .acceptedRange)
            try c.encode(preset, forKey: .preset)
            try c.encode(quick, forKey: .quick)
            try c.encode(precision, forKey: .precision)
            try c.encode(chance, forKey: .chance)
            try c.encode(intervalContainsChance, forKey: .intervalContainsChance)
            try c.encode(checkpoint, forKey: .checkpoint)
            try c.encode(delta, forKey: .delta)
            try c.encode(verdict, forKey: .verdict)
        }

        enum CodingKeys: String, CodingKey {
            case id, source, table, row, column, kind, direction, unit, published, reproducedMetric, reproduced, interval, acceptedRange, preset, quick,
                 precision, chance, intervalContainsChance, checkpoint, delta, verdict
        }
    }

    let mode: String
    let results: String
    let presets: [String: Preset]
    let statements: [String]
    let rows: [Row]
    let counts: [String: Int]
    let tolerances: [PublishedKind: Tolerance]
    let failsStrict: Bool
}

private struct RunDiffJSON: Encodable {
    struct Row: Encodable {
        let id, label, unit: String
        let this: JSONMetricValue?
        let thisInterval: [Double]?
        let thisPreset: Preset?
        let thisPrecision: Precision?
        let other: JSONMetricValue?
        let otherInterval: [Double]?
        let otherPreset: Preset?
        let otherPrecision: Precision?
        let delta: Double?
        let withinIntervals: Bool?

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(id, forKey: .id)
            try c.encode(label, forKey: .label)
            try c.encode(unit, forKey: .unit)
            try c.encode(this, forKey: .this)
            try c.encode(thisInterval, forKey: .thisInterval)
            try c.encode(thisPreset, forKey: .thisPreset)
            try c.encode(thisPrecision, forKey: .thisPrecision)
            try c.encode(other, forKey: .other)
            try c.encode(otherInterval, forKey: .otherInterval)
            try c.encode(otherPreset, forKey: .otherPreset)
            try c.encode(otherPrecision, forKey: .otherPrecision)
            try c.encode(delta, forKey: .delta)
            try c.encode(withinIntervals, forKey: .withinIntervals)
        }

        enum CodingKeys: String, CodingKey {
            case id, label, unit, this, thisInterval, thisPreset, thisPrecision, other, otherInterval, otherPreset, otherPrecision, delta, withinIntervals
        }
    }

    let mode: String
    let this: String
    let other: String
    let rows: [Row]
}
