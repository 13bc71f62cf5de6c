import Foundation

/// One run of a chapter: it tags every printed line with the chapter and preset, writes the
/// chapter's results inside a common envelope, and turns any failure into one line on stderr.
public struct ChapterRun: Sendable {
    public let chapter: String
    public let preset: Preset
    public let seed: UInt64
    public let started: Date

    public init(chapter: String, preset: Preset, seed: UInt64) {
        self.chapter = chapter
        self.preset = preset
        self.seed = seed
        self.started = Date()
    }

    /// Prints a progress or result line, prefixed so that every number names its preset.
    public func say(_ line: String) {
        print("[\(chapter) \(preset.rawValue)] \(line)")
        fflush(stdout)
    }

    /// Writes `<directory>/<chapter>.json` atomically (a temporary file renamed into place),
    /// creating the directory if needed, and returns its location.
    @discardableResult
    public func write<Payload: Encodable>(_ payload: Payload, to directory: URL) throws -> URL {
        let envelope = ResultsEnvelope(
            schemaVersion: ResultsEnvelope<Payload>.currentSchema, chapter: chapter, preset: preset, seed: seed,
            gitCommit: currentGitCommit(), machine: .current,
            started: ISO8601DateFormatter().string(from: started),
            seconds: (Date().timeIntervalSince(started) * 1000).rounded() / 1000,
            results: payload)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        var data = try encoder.encode(envelope)
        data.append(0x0A)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = directory.appendingPathComponent("\(chapter).json")
        try data.write(to: file, options: .atomic)
        return file
    }

    /// Prints `error` as one line on stderr and exits with status 1.
    public func fail(_ error: any Error) -> Never {
        let message = (error as? LocalizedError)?.errorDescription ?? String(describing: error)
        let line = message.split(whereSeparator: \.isNewline).joined(separator: " ")
        FileHandle.standardError.write(Data("\(chapter) [\(preset.rawValue)]: error: \(line)\n".utf8))
        exit(1)
    }
}

/// The fields every results file shares; the chapter's own numbers sit under `results`.
struct ResultsEnvelope<Payload: Encodable>: Encodable {
    static var currentSchema: Int { 1 }

    let schemaVersion: Int
    let chapter: String
    let preset: Preset
    let seed: UInt64
    let gitCommit: String
    let machine: Machine
    let started: String
    let seconds: Double
    let results: Payload
}
