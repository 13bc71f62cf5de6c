// The loopback stand-in for the hub and the dataset host (Tests/Fixtures/hub/stand-in-server.py,
// Python's standard library only): started by each test on 127.0.0.1 at a free port, stopped when
// the test releases it. It logs every request, so a test can see which host got the token.
import Foundation
import TestSupport

final class HubStandIn {
    struct Repository: Encodable {
        let commit: String
        let files: [String: String]
        /// Answers the revision with 401, as the hub answers a gated repository without a token.
        var gated: Bool? = nil
    }
    struct Fault: Encodable {
        var cut_once: Bool? = nil
        var stall_once: Bool? = nil
        var corrupt: Bool? = nil
        var status_once: Int? = nil
        var status_always: Int? = nil
        var retry_after: String? = nil
    }
    struct Configuration: Encodable {
        var repos: [String: Repository] = [:]
        var datasets: [String: String] = [:]
        var faults: [String: Fault] = [:]
    }
    struct LoggedRequest: Decodable {
        let method: String
        let path: String
        let host: String
        let authorization: String?
        let range: String?
    }

    static let script = Fixtures.url("hub/stand-in-server.py")

    let scratch: ScratchDirectory
    let port: Int
    private let process: Process
    private let log: URL

    /// The hub's address as `HF_ENDPOINT` gives it.
    var endpoint: String { "http://127.0.0.1:\(port)" }

    init(_ configuration: Configuration) throws {
        scratch = try ScratchDirectory()
        let config = scratch.url.appendingPathComponent("config.json")
        log = scratch.url.appendingPathComponent("requests.jsonl")
        try JSONEncoder().encode(configuration).write(to: config)
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.script.path, "serve", config.path, log.path]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self)
        guard text.hasPrefix("PORT "), let port = Int(text.dropFirst(5).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw StandInError("the stand-in server did not start: '\(text)'")
        }
        self.port = port
    }

    deinit {
        // SIGKILL: a child started from the test runner's threads may inherit a mask that blocks SIGTERM.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    var requests: [LoggedRequest] {
        get throws {
            guard let text = try? String(contentsOf: log, encoding: .utf8) else { return [] }
            return try text.split(separator: "\n").map { try JSONDecoder().decode(LoggedRequest.self, from: Data($0.utf8)) }
        }
    }

    /// A gzip tarball at `archive` with each entry named as given, holding the file at its path.
    static func tarball(_ archive: URL, _ entries: [(name: String, path: URL)]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, "tar", archive.path] + entries.map { "\($0.name)=\($0.path.path)" }
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw StandInError("could not write \(archive.path)") }
    }
}

struct StandInError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
