// Runs a chapter the way a user does: its executable, built beside this test bundle, in a
// scratch directory, with its output captured.
import Foundation
import Testing

struct ChapterOutcome {
    let status: Int32
    let stdout: String
    let stderr: String

    var stderrLines: [Substring] { stderr.split(separator: "\n") }
}

/// The executable `name` beside the test bundle (`swift build` puts every product there).
func chapterExecutable(_ name: String) throws -> URL {
    let candidates = [
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(name),
        Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent(name),
        Bundle.main.bundleURL.appendingPathComponent(name),
    ]
    return try #require(candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) },
                        "the \(name) executable is not built beside the tests (swift build --product \(name))")
}

func runChapter(_ name: String, _ arguments: [String], in directory: URL) throws -> ChapterOutcome {
    let process = Process()
    process.executableURL = try chapterExecutable(name)
    process.arguments = arguments
    process.currentDirectoryURL = directory
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    // Read both pipes while the child runs, so that neither fills and blocks it.
    let stderr = PipeReader(err)
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return ChapterOutcome(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                          stderr: String(decoding: stderr.wait(), as: UTF8.self))
}

/// A results file as plain JSON: the envelope, with the payload under "results".
func resultsJSON(_ file: URL) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
}

/// Reads a pipe to its end on a thread of its own.
private final class PipeReader: @unchecked Sendable {
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ pipe: Pipe) {
        Thread { [self] in
            data = pipe.fileHandleForReading.readDataToEndOfFile()
            done.signal()
        }.start()
    }

    func wait() -> Data {
        done.wait()
        return data
    }
}
