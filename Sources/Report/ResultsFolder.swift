import Experiment
import Foundation

/// Every chapter's results file in one folder. A chapter that has not been run is nil;
/// a file that is there but unreadable stops the load with an error naming it, so a
/// corrupt result is never reported as "not run".
public struct ResultsFolder: Sendable {
    public let directory: URL
    public let vit: ChapterResultsFile<ViTResults>?
    public let clip: ChapterResultsFile<CLIPZeroShotResults>?
    public let clipFineTune: ChapterResultsFile<CLIPFineTuneResults>?
    public let cost: ChapterResultsFile<CostResults>?
    public let cifar: ChapterResultsFile<CIFARResults>?
    public let wiseFT: ChapterResultsFile<WiSEFTResults>?
    public let lit: ChapterResultsFile<LiTResults>?
    /// Results files of chapters the report has no payload type for (data, ...):
    /// their envelopes, read generically so run-vs-run diffs still cover them.
    public let others: [OtherChapterFile]

    /// The chapters whose payloads the report reads by type.
    public static let knownChapters: Set<String> = [
        ViTResults.chapter, CLIPZeroShotResults.chapter, CLIPFineTuneResults.chapter,
        CostResults.chapter, CIFARResults.chapter, WiSEFTResults.chapter, LiTResults.chapter,
    ]

    public init(directory: URL) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ChapterError("\(directory.path): no such results directory")
        }
        self.directory = directory
        vit = try .load(from: directory)
        clip = try .load(from: directory)
        clipFineTune = try .load(from: directory)
        cost = try .load(from: directory)
        cifar = try .load(from: directory)
        wiseFT = try .load(from: directory)
        lit = try .load(from: directory)
        others = try OtherChapterFile.all(in: directory, skipping: Self.knownChapters)
    }

    /// The preset of each chapter present, by chapter name.
    public var presets: [String: Preset] {
        var presets: [String: Preset] = [:]
        if let vit { presets[vit.chapter] = vit.preset }
        if let clip { presets[clip.chapter] = clip.preset }
        if let clipFineTune { presets[clipFineTune.chapter] = clipFineTune.preset }
        if let cost { presets[cost.chapter] = cost.preset }
        if let cifar { presets[cifar.chapter] = cifar.preset }
        if let wiseFT { presets[wiseFT.chapter] = wiseFT.preset }
        if let lit { presets[lit.chapter] = lit.preset }
        for other in others { presets[other.chapter] = other.preset }
        return presets
    }

    /// Provenance of each file present: chapter, preset, seed, commit, machine, time.
    public var provenance: [Provenance] {
        var rows: [Provenance] = []
        if let vit { rows.append(Provenance(vit)) }
        if let clip { rows.append(Provenance(clip)) }
        if let clipFineTune { rows.append(Provenance(clipFineTune)) }
        if let cost { rows.append(Provenance(cost)) }
        if let cifar { rows.append(Provenance(cifar)) }
        if let wiseFT { rows.append(Provenance(wiseFT)) }
        if let lit { rows.append(Provenance(lit)) }
        rows += others.map(\.provenance)
        return rows
    }
}

/// Where one results file came from.
public struct Provenance: Sendable {
    public let chapter: String
    public let preset: Preset
    public let seed: UInt64
    public let gitCommit: String
    public let machine: String
    public let started: String
    public let seconds: Double

    init<Payload>(_ file: ChapterResultsFile<Payload>) {
        self.init(chapter: file.chapter, preset: file.preset, seed: file.seed, gitCommit: file.gitCommit,
                  machine: Self.describe(file.machine), started: file.started, seconds: file.seconds)
    }

    init(chapter: String, preset: Preset, seed: UInt64, gitCommit: String, machine: String, started: String, seconds: Double) {
        self.chapter = chapter
        self.preset = preset
        self.seed = seed
        self.gitCommit = gitCommit
        self.machine = machine
        self.started = started
        self.seconds = seconds
    }

    static func describe(_ machine: Machine) -> String {
        let gibibytes = Double(machine.memoryBytes) / Double(1 << 30)
        return "\(machine.os), \(machine.cores) cores, \(String(format: "%.0f", gibibytes)) GiB"
    }
}

/// A results file of a chapter without a payload type here: its envelope, and the numbers
/// of its payload that are not inside lists (per-step logs stay out of the diff).
public struct OtherChapterFile: Sendable {
    public let chapter: String
    public let preset: Preset
    public let provenance: Provenance
    /// Dotted paths under `results` to their numbers.
    public let numbers: [(path: String, value: Double)]

    static func all(in directory: URL, skipping known: Set<String>) throws -> [OtherChapterFile] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".json") && !known.contains(String($0.dropLast(5))) }
            .sorted()
        return try names.map { try read(directory.appendingPathComponent($0)) }
    }

    static func read(_ file: URL) throws -> OtherChapterFile {
        let envelope: GenericEnvelope
        do {
            let decoder = JSONDecoder()
            decoder.keyDecodingStrategy = .convertFromSnakeCase
            envelope = try decoder.decode(GenericEnvelope.self, from: Data(contentsOf: file))
        } catch {
            throw ChapterError("\(file.path): not a chapter results file (needs \"chapter\", \"preset\" mini or paper, \"seed\", \"git_commit\", \"started\", \"seconds\" and \"results\")")
        }
        let provenance = Provenance(chapter: envelope.chapter, preset: envelope.preset, seed: envelope.seed,
                                    gitCommit: envelope.gitCommit, machine: envelope.machine.map(Provenance.describe) ?? "unknown machine",
                                    started: envelope.started, seconds: envelope.seconds)
        var numbers: [(String, Double)] = []
        collectNumbers(envelope.results, path: "", into: &numbers)
        return OtherChapterFile(chapter: envelope.chapter, preset: envelope.preset, provenance: provenance,
                                numbers: numbers.sorted { $0.0 < $1.0 })
    }

    private static func collectNumbers(_ value: JSONValue, path: String, into numbers: inout [(String, Double)]) {
        switch value {
        case .object(let object):
            for (key, child) in object { collectNumbers(child, path: path.isEmpty ? key : "\(path).\(key)", into: &numbers) }
        case .number(let number):
            numbers.append((path, number))
        case .array, .string, .bool, .null:
            break
        }
    }
}

/// The envelope of any chapter's results file, its payload kept as raw JSON.
private struct GenericEnvelope: Decodable {
    let chapter: String
    let preset: Preset
    let seed: UInt64
    let gitCommit: String
    let machine: Machine?
    let started: String
    let seconds: Double
    let results: JSONValue
}

/// Any JSON value. Objects decode as dictionaries, whose keys no key strategy rewrites.
indirect enum JSONValue: Decodable {
    case object([String: JSONValue])
    case array([JSONValue])
    case number(Double)
    case string(String)
    case bool(Bool)
    case null

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let bool = try? container.decode(Bool.self) {
            self = .bool(bool)
        } else if let number = try? container.decode(Double.self) {
            self = .number(number)
        } else if let string = try? container.decode(String.self) {
            self = .string(string)
        } else if let array = try? container.decode([JSONValue].self) {
            self = .array(array)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }
}
