import Common
import Foundation
import TensorCore

/// A chapter's results file, `results/<chapter>.json`: the envelope every chapter shares (who
/// made the numbers, where and when, and what the run printed) around the chapter's own payload.
/// The one type both writes and reads it. Keys are snake_case on disk.
public struct ChapterResultsFile<Payload: ChapterPayload>: Codable, Sendable {
    public static var supportedSchema: Int { 1 }

    public var schemaVersion: Int = Self.supportedSchema
    public var chapter: String = Payload.chapter
    public var preset: Preset
    public var seed: UInt64
    /// Whether the run used `--quick` smoke-test sizes, whose numbers mean nothing; absent
    /// from files written before it was recorded.
    public var quick: Bool?
    /// The pretrained checkpoints the run started from, by identity (none for chapters that load
    /// none); absent from files written before it was recorded.
    public var checkpoints: [CheckpointIdentity]?
    public var gitCommit: String
    public var machine: Machine
    public var started: String
    public var seconds: Double
    /// The run's peak resident memory; absent from files written before it was recorded.
    public var peakMemoryBytes: UInt64?
    /// Every line the run printed, with the chapter source line that printed it (for `report
    /// weave`); absent from files written before it was recorded.
    public var output: [PrintedLine]?
    /// The MPI job that ran the chapter; absent for a single process.
    public var cluster: ClusterRecord?
    /// The products' precision the run used (fp32 or bf16, `auto` resolved); absent from files
    /// written before it was recorded, which ran in fp32 (`precisionUsed`).
    public var precision: Precision?
    public var results: Payload

    public init(preset: Preset, seed: UInt64, quick: Bool, checkpoints: [CheckpointIdentity]? = nil, gitCommit: String, machine: Machine,
                started: String, seconds: Double, peakMemoryBytes: UInt64?, output: [PrintedLine]?, cluster: ClusterRecord? = nil,
                precision: Precision? = nil, results: Payload) {
        (self.preset, self.seed, self.quick, self.checkpoints, self.gitCommit, self.machine, self.started, self.seconds, self.peakMemoryBytes, self.output, self.results)
            = (preset, seed, quick, checkpoints, gitCommit, machine, started, seconds, peakMemoryBytes, output, results)
        (self.cluster, self.precision) = (cluster, precision)
    }

    /// Writes `<directory>/<chapter>.json` atomically, creating the directory, and returns its location.
    @discardableResult
    public func write(to directory: URL) throws -> URL {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        var data = try encoder.encode(self)
        data.append(0x0A)
        let file = directory.appendingPathComponent("\(chapter).json")
        try writeAtomically(data, to: file)
        return file
    }

    /// Reads `<directory>/<Payload.chapter>.json`; nil when the chapter has not been run.
    /// Any other problem (unreadable, not JSON, wrong schema or chapter, a missing or mistyped
    /// field) is a `ChapterError` whose message starts with the file's path.
    public static func load(from directory: URL) throws -> ChapterResultsFile? {
        let file = directory.appendingPathComponent("\(Payload.chapter).json")
        guard FileManager.default.fileExists(atPath: file.path) else { return nil }
        return try read(file)
    }

    public static func read(_ file: URL) throws -> ChapterResultsFile {
        let data: Data
        do {
            data = try Data(contentsOf: file)
        } catch {
            throw ChapterError("\(file.path): cannot be read (\(error.localizedDescription))")
        }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        func decode<T: Decodable>(_ type: T.Type) throws -> T {
            do {
                return try decoder.decode(type, from: data)
            } catch let error as DecodingError {
                throw ChapterError("\(file.path): not a \(Payload.chapter) results file: \(explain(error))")
            } catch {
                throw ChapterError("\(file.path): not a \(Payload.chapter) results file: \(error.localizedDescription)")
            }
        }
        // Which schema and chapter first: a file of another schema is named as such, not as a
        // payload with missing fields.
        let header = try decode(Header.self)
        guard header.schemaVersion == supportedSchema else {
            throw ChapterError("\(file.path): schema_version \(header.schemaVersion), but this build reads \(supportedSchema)")
        }
        guard header.chapter == Payload.chapter else {
            throw ChapterError("\(file.path): written by chapter \"\(header.chapter)\", expected \"\(Payload.chapter)\"")
        }
        let results = try decode(ChapterResultsFile.self)
        if results.precision == .auto { throw ChapterError("\(file.path): precision \"auto\" is not one a run used: fp32 or bf16") }
        return results
    }

    private struct Header: Decodable {
        let schemaVersion: Int
        let chapter: String
    }
}

/// A decoding error as one line: what went wrong and where in the file.
private func explain(_ error: DecodingError) -> String {
    func place(_ path: [any CodingKey]) -> String {
        let keys = path.map { $0.intValue.map { "[\($0)]" } ?? ".\(snakeCase($0.stringValue))" }.joined()
        return keys.isEmpty ? "the top level" : String(keys.drop(while: { $0 == "." }))
    }
    switch error {
    case .keyNotFound(let key, let context):
        return "missing \"\(snakeCase(key.stringValue))\" in \(place(context.codingPath))"
    case .typeMismatch(_, let context), .valueNotFound(_, let context):
        return "wrong type at \(place(context.codingPath)): \(context.debugDescription)"
    case .dataCorrupted(let context):
        let reason = (context.underlyingError as? NSError)?.localizedDescription ?? context.debugDescription
        return context.codingPath.isEmpty ? "invalid JSON (\(reason))" : "bad value at \(place(context.codingPath)): \(context.debugDescription)"
    @unknown default:
        return String(describing: error)
    }
}

/// The on-disk spelling of a property name, for error messages.
private func snakeCase(_ name: String) -> String {
    var out = ""
    for character in name {
        if character.isUppercase {
            if !out.isEmpty { out.append("_") }
            out.append(contentsOf: character.lowercased())
        } else {
            out.append(character)
        }
    }
    return out
}

/// One line a chapter printed, and the line of the chapter's source that printed it (0 when
/// it came from elsewhere, such as a library's progress callback without a chapter line).
public struct PrintedLine: Codable, Sendable, Equatable {
    public var line: Int
    public var text: String

    public init(line: Int, text: String) {
        (self.line, self.text) = (line, text)
    }
}

/// The envelope of a results file whatever its chapter, for code that iterates every chapter.
public protocol ChapterResultsFileProtocol: Sendable {
    var chapter: String { get }
    var preset: Preset { get }
    var seed: UInt64 { get }
    var quick: Bool? { get }
    var checkpoints: [CheckpointIdentity]? { get }
    var gitCommit: String { get }
    var machine: Machine { get }
    var started: String { get }
    var seconds: Double { get }
    var peakMemoryBytes: UInt64? { get }
    var output: [PrintedLine]? { get }
    var precision: Precision? { get }
    /// The payload as JSON, keys as on disk (snake_case).
    var payloadJSON: JSONValue { get }
    /// The metrics the payload states (`ChapterPayload.metrics(of:)`).
    var payloadMetrics: [Metric]? { get }
    /// The sentences the chapter ends with and paper.md quotes (`ChapterPayload.summary(of:)`).
    var closingSummary: String? { get }
}

extension ChapterResultsFileProtocol {
    /// The products' precision the run used: fp32 when the file does not say.
    public var precisionUsed: Precision { precision ?? .fp32 }
}

extension ChapterResultsFile: ChapterResultsFileProtocol {
    public var payloadMetrics: [Metric]? { Payload.metrics(of: self) }
    public var closingSummary: String? { Payload.summary(of: self) }

    public var payloadJSON: JSONValue {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        guard let data = try? encoder.encode(results), let value = try? JSONDecoder().decode(JSONValue.self, from: data) else { return .null }
        return value
    }
}

extension ChapterPayload {
    /// This chapter's results file in `directory`, nil when the chapter has not been run.
    public static func loadResults(from directory: URL) throws -> (any ChapterResultsFileProtocol)? {
        try ChapterResultsFile<Self>.load(from: directory)
    }
}
