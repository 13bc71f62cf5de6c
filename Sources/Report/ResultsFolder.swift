import Common
import Results
import TensorCore
import Training
import Foundation

/// Every chapter's results file in one folder, read through the registry of payload types
/// (`ChapterPayloads.all`). A chapter that has not been run is absent; a file that is there but
/// unreadable stops the load with an error naming it, so a corrupt result is never reported as
/// "not run".
public struct ResultsFolder: Sendable {
    public let directory: URL
    /// The files of the registry's chapters that are present, in the registry's order.
    public let files: [any ChapterResultsFileProtocol]
    /// Results files of chapters the registry does not know: their envelopes, read generically so
    /// run-vs-run diffs still cover them.
    public let others: [OtherChapterFile]

    public init(directory: URL) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ChapterError("\(directory.path): no such results directory")
        }
        self.directory = directory
        files = try ChapterPayloads.all.compactMap { try $0.loadResults(from: directory) }
        others = try OtherChapterFile.all(in: directory, skipping: Set(ChapterPayloads.all.map { $0.chapter }))
    }

    /// The results file of the chapter whose payload is `Payload`, when present.
    public subscript<Payload: ChapterPayload>(_: Payload.Type) -> ChapterResultsFile<Payload>? {
        files.lazy.compactMap { $0 as? ChapterResultsFile<Payload> }.first
    }

    /// The preset of each chapter present, by chapter name.
    public var presets: [String: Preset] {
        Dictionary(files.map { ($0.chapter, $0.preset) } + others.map { ($0.chapter, $0.preset) }, uniquingKeysWith: { first, _ in first })
    }

    /// One line naming the files of each preset when the folder holds more than one (a comparison
    /// across them would set MiniFood against Food-101); nil when every file shares one preset.
    /// The folder is named as results files record paths (paper.md quotes it).
    public var presetMixture: String? { presetMixture(naming: directory.recordedPath) }

    func presetMixture(naming folder: String) -> String? {
        let byPreset = Dictionary(grouping: files.map { ($0.chapter, $0.preset) } + others.map { ($0.chapter, $0.preset) }, by: { $0.1 })
        guard byPreset.count > 1 else { return nil }
        let groups = byPreset.keys.sorted { $0.rawValue < $1.rawValue }.map { preset in
            byPreset[preset]!.map { "\($0.0).json" }.joined(separator: ", ") + " (\(preset.rawValue))"
        }
        return "\(folder) mixes presets: " + groups.joined(separator: "; ")
    }

    /// Throws the mixture as a one-line error naming the folder by its full path, for the commands
    /// that compare a folder's numbers.
    public func requireOnePreset() throws {
        if let mixture = presetMixture(naming: directory.path) { throw ChapterError(mixture + "; compare one preset's results (put the other preset's files in a folder of their own)") }
    }

    /// Provenance of each file present: chapter, preset, seed, commit, machine, time.
    public var provenance: [Provenance] {
        files.map(Provenance.init) + others.map(\.provenance)
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
    public let precision: Precision

    init(_ file: any ChapterResultsFileProtocol) {
        self.init(chapter: file.chapter, preset: file.preset, seed: file.seed, gitCommit: file.gitCommit,
                  machine: Self.describe(file.machine), started: file.started, seconds: file.seconds, precision: file.precisionUsed)
    }

    init(chapter: String, preset: Preset, seed: UInt64, gitCommit: String, machine: String, started: String, seconds: Double,
         precision: Precision) {
        self.chapter = chapter
        self.preset = preset
        self.seed = seed
        self.gitCommit = gitCommit
        self.machine = machine
        self.started = started
        self.seconds = seconds
        self.precision = precision
    }

    static func describe(_ machine: Machine) -> String {
        let gibibytes = Double(machine.memoryBytes) / Double(1 << 30)
        let load = machine.loadAverage.map { String(format: ", load average %.2f at the start, %.2f at the end", $0.atStart, $0.atEnd) } ?? ""
        return "\(machine.os), \(machine.processor.map { "\($0), " } ?? "")\(machine.cores) cores, \(String(format: "%.0f", gibibytes)) GiB\(load)"
    }
}

/// A results file of a chapter without a payload type here: its envelope, and the numbers
/// of its payload that are not inside lists (per-step logs stay out of the diff).
public struct OtherChapterFile: Sendable {
    public let chapter: String
    public let preset: Preset
    public let provenance: Provenance
    public var precision: Precision { provenance.precision }
    /// Dotted paths under `results` to their numbers.
    public let numbers: [(path: String, value: Double)]

    static func all(in directory: URL, skipping known: Set<String>) throws -> [OtherChapterFile] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".json") && !known.contains(String($0.dropLast(5))) }
            .sorted()
        return try names.map { try read(directory.appendingPathComponent($0)) }
    }

    static func read(_ file: URL) throws -> OtherChapterFile {
        let envelope: ChapterRecord
        do {
            let decoder = JSONDecoder()
            decoder.keyDecodingStrategy = .convertFromSnakeCase
            envelope = try decoder.decode(ChapterRecord.self, from: Data(contentsOf: file))
        } catch {
            throw ChapterError("\(file.path): not a chapter results file (needs \"chapter\", \"preset\" mini or paper, \"seed\", \"git_commit\", \"started\", \"seconds\" and \"results\")")
        }
        let provenance = Provenance(chapter: envelope.chapter, preset: envelope.preset, seed: envelope.seed,
                                    gitCommit: envelope.gitCommit, machine: envelope.machine.map(Provenance.describe) ?? "unknown machine",
                                    started: envelope.started, seconds: envelope.seconds, precision: envelope.precisionUsed)
        return OtherChapterFile(chapter: envelope.chapter, preset: envelope.preset, provenance: provenance,
                                numbers: payloadNumbers(envelope.results))
    }
}

/// The numbers of a payload that are not inside lists (per-step logs stay out of the diff), by
/// dotted path, sorted by path.
func payloadNumbers(_ payload: JSONValue) -> [(path: String, value: Double)] {
    var numbers: [(path: String, value: Double)] = []
    func collect(_ value: JSONValue, _ path: String) {
        switch value {
        case .object(let object):
            for (key, child) in object { collect(child, path.isEmpty ? key : "\(path).\(key)") }
        case .number(let number):
            numbers.append((path, number))
        case .array, .string, .bool, .null:
            break
        }
    }
    collect(payload, "")
    return numbers.sorted { $0.path < $1.path }
}

// The metrics of a results folder: each payload's own (`ChapterPayload.metrics(of:)`), numbers by
// dotted path for payloads without, and every chapter's wall time.

extension ResultsFolder {
    /// `metrics` by id (the first, should two share one).
    public var metricsByID: [String: Metric] {
        Dictionary(metrics.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Every metric of every results file present, in the registry's order: those its payload
    /// states, or, for a payload that states none, each of its numbers outside lists by dotted path.
    public var metrics: [Metric] {
        var all: [Metric] = []
        for file in files {
            all += (file.payloadMetrics ?? genericMetrics(file.chapter, file.preset, file.payloadJSON)).map { $0.made(by: file) }
            all.append(wallTime(file.chapter, file.preset, file.seconds, file.precisionUsed))
        }
        for other in others {
            all += other.numbers.map { numberMetric(other.chapter, other.preset, $0.path, $0.value, other.precision) }
            all.append(wallTime(other.chapter, other.preset, other.provenance.seconds, other.precision))
        }
        return all
    }
}

private func genericMetrics(_ chapter: String, _ preset: Preset, _ payload: JSONValue) -> [Metric] {
    payloadNumbers(payload).map { numberMetric(chapter, preset, $0.path, $0.value) }
}

private func numberMetric(_ chapter: String, _ preset: Preset, _ path: String, _ value: Double, _ precision: Precision = .fp32) -> Metric {
    var metric = Metric(id: "\(chapter).\(path)", label: "\(chapter): \(path)", value: .number(value), unit: "", interval: nil, images: nil,
                        preset: preset)
    metric.precision = precision
    return metric
}

private func wallTime(_ chapter: String, _ preset: Preset, _ seconds: Double, _ precision: Precision) -> Metric {
    var metric = Metric(id: "\(chapter).seconds", label: "\(chapter) chapter wall time", value: .number(seconds), unit: "s",
                        interval: nil, images: nil, preset: preset)
    metric.precision = precision
    return metric
}
