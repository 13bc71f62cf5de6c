// One run of a chapter, and how it reaches the notebook page of that chapter.
//
// Every line a chapter prints goes through `say`, which prefixes the chapter and preset (so no
// number is ever read without the preset that made it) and records the line together with the
// chapter-source line of the call (`#line`), its absolute paths recorded relative to the working
// directory (`recordedText`). The results file keeps those records under
// `output`; `report weave` puts each printed line after the `// ## ` section of the chapter file
// that contains its call, which is how a chapter's page shows the output of each section without
// the chapter marking anything. A library callback handed `{ run.say($0) }` is attributed to the
// line of that closure, in the section that started the work.
import Cluster
import Common
import Foundation
import Results
import TensorCore

public final class ChapterRun: @unchecked Sendable {
    public let chapter: String
    public let options: RunOptions
    public let started = Date()
    private let loadAverageAtStart = Machine.oneMinuteLoadAverage()
    private var printed: [PrintedLine] = []
    private var checkpoints: [CheckpointIdentity] = []
    private var afterResults: [() -> Void] = []
    private let lock = NSLock()

    public init(chapter: String, options: RunOptions) {
        self.chapter = chapter
        self.options = options
    }

    public var preset: Preset { options.preset }

    /// Prints a progress or result line, prefixed with the chapter and preset, and records it
    /// with the chapter line that said it (0 when the call is not in a chapter's main.swift).
    public func say(_ text: String, line: Int = #line, file: String = #fileID) {
        lock.lock()
        printed.append(PrintedLine(line: file.hasSuffix("/main.swift") ? line : 0, text: recordedText(text)))
        if MPIWorld.current.isLeader {
            print("[\(chapter) \(preset.rawValue)] \(text)")
            fflush(stdout)
        }
        lock.unlock()
    }

    /// The lines recorded so far, as the results file's `output` will keep them.
    public var recordedOutput: [PrintedLine] {
        lock.lock()
        defer { lock.unlock() }
        return printed
    }

    /// Records a checkpoint the chapter started from, for its results file (once per directory).
    public func used(_ checkpoint: CheckpointIdentity) {
        lock.lock()
        if !checkpoints.contains(where: { $0.path == checkpoint.path }) { checkpoints.append(checkpoint) }
        lock.unlock()
    }

    /// Runs `cleanup` once `finish` has written the results file, never before: a trainer's
    /// checkpoints outlive a failed write, and the rerun resumes from them.
    public func onceResultsAreWritten(_ cleanup: @escaping () -> Void) {
        lock.lock()
        afterResults.append(cleanup)
        lock.unlock()
    }

    /// Runs the chapter and `finish`es with the payload `body` returns; any error is one line on
    /// stderr and exit status 1.
    public func main<Payload: ChapterPayload>(_ body: () throws -> Payload) {
        precondition(Payload.chapter == chapter, "chapter \(chapter) writes a \(Payload.chapter) payload")
        perform { try finish(try body()) }
    }

    /// Prints the summary of `payload` (as paper.md will quote it) and writes it to
    /// `<results>/<chapter>.json` inside the common envelope, atomically.
    /// Under MPI only rank 0 writes.
    public func finish<Payload: ChapterPayload>(_ payload: Payload) throws {
        guard MPIWorld.current.isLeader else { return }
        if let summary = resultsFile(payload).closingSummary { say(summary) }
        let file = try resultsFile(payload).write(to: options.resultsDirectory)
        say("wrote \(file.path)")
        lock.lock()
        let cleanups = afterResults
        afterResults = []
        lock.unlock()
        cleanups.forEach { $0() }
    }

    /// Runs `body`, a chapter that writes its results itself (`finish`) or none (`reproduce`);
    /// any error is one line on stderr and exit status 1.
    /// The precision is set and the results folder checked first, so a chapter refused bf16 or
    /// unable to write its results stops before any work (or any figure).
    public func perform(_ body: () throws -> Void) {
        do {
            let precision = try options.products.apply()
            if MPIWorld.current.isLeader { try checkWritableDirectory(options.resultsDirectory) }
            if precision == .bf16 { say("products in bf16 (oneDNN, float accumulation): the report marks its numbers bf16") }
            try body()
        } catch {
            fail(error)
        }
    }

    /// `payload` in the envelope of this run, with everything printed so far.
    func resultsFile<Payload: ChapterPayload>(_ payload: Payload) -> ChapterResultsFile<Payload> {
        lock.lock()
        let (output, checkpoints) = (printed, checkpoints)
        lock.unlock()
        return ChapterResultsFile(
            preset: preset, seed: options.seed, quick: options.quick, checkpoints: checkpoints, gitCommit: currentGitCommit(),
            machine: .current(loadAverageSince: loadAverageAtStart),
            started: ISO8601DateFormatter().string(from: started),
            seconds: (Date().timeIntervalSince(started) * 1000).rounded() / 1000,
            peakMemoryBytes: peakResidentMemoryBytes(), output: output, cluster: ClusterRecord.current, precision: Precision.current,
            results: payload)
    }

    /// Prints `error` as one line on stderr and exits with status 1; under MPI, with the rank,
    /// and the whole job ends.
    public func fail(_ error: any Error) -> Never {
        let message = (error as? LocalizedError)?.errorDescription ?? String(describing: error)
        let line = message.split(whereSeparator: \.isNewline).joined(separator: " ")
        MPIWorld.current.abort("\(chapter) [\(preset.rawValue)]: error: \(line)")
    }
}

/// The most resident memory this process has used so far (getrusage's ru_maxrss: kibibytes on
/// Linux, bytes on macOS), or nil where the system does not say.
func peakResidentMemoryBytes() -> UInt64? {
    var usage = rusage()
    #if os(macOS)
    guard getrusage(RUSAGE_SELF, &usage) == 0, usage.ru_maxrss > 0 else { return nil }
    return UInt64(usage.ru_maxrss)
    #else
    guard getrusage(RUSAGE_SELF.rawValue, &usage) == 0, usage.ru_maxrss > 0 else { return nil }
    return UInt64(usage.ru_maxrss) * 1024
    #endif
}
