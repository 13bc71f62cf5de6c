import Common
import Results
import Training
import Foundation

// The published numbers live in one JSON file, Resources/published.json, bundled with this
// module: the only place in the project where numbers are typed in, each with the paper,
// table, row and column it is printed in. Everything else is measured by the chapters.

/// How a published number is judged against a reproduced one.
public enum PublishedKind: String, Codable, Sendable, CaseIterable, CodingKeyRepresentable {
    /// A percentage; judged within the accuracy epsilon, higher is better.
    case accuracy
    /// A hyper-parameter or setup choice; the run used it or it did not.
    case setting
    case parameterCount = "parameter_count"
    /// Table 5's Low/Medium/High.
    case costTier = "cost_tier"
    /// Wall time, shown but not judged: it measures the hardware as much as the method.
    case seconds
}

/// Which way a published number is better, so a verdict word never says "better" where it is not.
public enum PublishedDirection: String, Codable, Sendable, CaseIterable {
    case higherIsBetter = "higher_is_better"
    case lowerIsBetter = "lower_is_better"
    /// The number itself is the finding (a setting, a tier, fine-tuned CLIP's small extended
    /// accuracy): either side of it fails to reproduce it.
    case reproduce
}

/// A published value: a number or a word (a cost tier, an interpolation); where the table
/// prints a dash, an entry has none.
public typealias PublishedValue = NumberOrText

public struct PublishedSource: Codable, Sendable {
    /// How tables cite it: "Fei 2024".
    public let short: String
    public let citation: String
    /// What the project takes from this source.
    public let role: String
}

public struct Tolerance: Codable, Sendable {
    /// Nil for kinds that are shown but not judged.
    public let epsilon: Double?
    public let unit: String
    /// The verdict rule in words, printed with every diff.
    public let rule: String
}

/// One published number and where it is printed.
public struct PublishedEntry: Codable, Sendable, Identifiable {
    public let id: String
    /// A key of `PublishedRegistry.sources`.
    public let source: String
    public let table: String
    public let row: String
    public let column: String
    public let kind: PublishedKind
    public let direction: PublishedDirection
    /// Nil where the table prints "-".
    public let value: PublishedValue?
    public let unit: String
    /// The id of the metric (see `Metric`) a results folder reports for this cell; nil when
    /// no run can produce one (ViT's extended accuracy).
    public let reproducedBy: String?
    public let note: String?

    public init(id: String, source: String, table: String, row: String, column: String, kind: PublishedKind, direction: PublishedDirection,
                value: PublishedValue?, unit: String, reproducedBy: String?, note: String?) {
        (self.id, self.source, self.table, self.row, self.column, self.kind, self.direction) = (id, source, table, row, column, kind, direction)
        (self.value, self.unit, self.reproducedBy, self.note) = (value, unit, reproducedBy, note)
    }

    // Spelled out rather than left to a key strategy: such a strategy would also rewrite the
    // `tolerances` keys ("parameter_count"), which name kinds, not properties.
    enum CodingKeys: String, CodingKey {
        case id, source, table, row, column, kind, direction, value, unit, note
        case reproducedBy = "reproduced_by"
    }
}

public struct PublishedRegistry: Codable, Sendable {
    public let about: String
    public let sources: [String: PublishedSource]
    public let tolerances: [PublishedKind: Tolerance]
    /// The published checkpoints by name ("openai/clip-vit-base-patch32"); nil in registries without them.
    public let checkpoints: [String: PublishedCheckpoint]?
    public let entries: [PublishedEntry]

    /// The registry shipped with the project (Resources/published.json).
    public static func bundled() throws -> PublishedRegistry {
        guard let url = Bundle.module.url(forResource: "published", withExtension: "json") else {
            throw ChapterError("published.json is missing from the Results module's resources")
        }
        return try load(url)
    }

    public static func load(_ url: URL) throws -> PublishedRegistry {
        let registry: PublishedRegistry
        do {
            registry = try JSONDecoder().decode(PublishedRegistry.self, from: Data(contentsOf: url))
        } catch {
            throw ChapterError("\(url.path): not a published-numbers registry (\(error))")
        }
        try registry.validate(url)
        return registry
    }

    public func entry(_ id: String) -> PublishedEntry? {
        entries.first { $0.id == id }
    }

    /// The entries of one table of one source, in file order.
    public func entries(source: String, table: String) -> [PublishedEntry] {
        entries.filter { $0.source == source && $0.table == table }
    }

    public func tolerance(_ kind: PublishedKind) -> Tolerance {
        tolerances[kind]!
    }

    private func validate(_ url: URL) throws {
        var seen = Set<String>()
        for entry in entries {
            guard seen.insert(entry.id).inserted else { throw ChapterError("\(url.path): entry \(entry.id) appears twice") }
            guard sources[entry.source] != nil else { throw ChapterError("\(url.path): entry \(entry.id) cites unknown source \(entry.source)") }
            if [.setting, .parameterCount, .costTier].contains(entry.kind), entry.direction != .reproduce {
                throw ChapterError("\(url.path): entry \(entry.id) is a \(entry.kind.rawValue), whose direction can only be reproduce")
            }
        }
        for kind in PublishedKind.allCases where tolerances[kind] == nil {
            throw ChapterError("\(url.path): no tolerance for kind \(kind.rawValue)")
        }
    }
}
