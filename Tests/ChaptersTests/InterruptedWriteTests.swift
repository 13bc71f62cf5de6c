// A results file, a trainer checkpoint and a figure are never half-written: a write that fails
// midway (the process under an RLIMIT_FSIZE, so that the write returns EFBIG as on a full disk)
// or a process killed midway (SIGXFSZ's default action) leaves the previous version byte for
// byte, and a failed write leaves no temporary file behind.
import Foundation
import TestSupport
import Testing

@Suite(.serialized) struct InterruptedWriteTests {
    @Test func aFailedResultsWriteKeepsThePreviousResults() throws {
        guard let workspace = try PaperWorkspace() else { return }
        let command = workspace.arguments(checkpoint: workspace.clip, run: "run")
        let first = try runProduct("clip", command)
        #expect(first.status == 0, "\(first.stderr)")
        let results = workspace.results("clip", run: "run").deletingLastPathComponent()
        let before = try snapshot(results)
        #expect(before.count == 1 && (before["clip.json"]?.count ?? 0) > 1024)

        // clip.json is the only file the chapter writes, and it is over 1 KiB.
        let failed = try runProduct("clip", command, fileSizeLimit: 1024)
        #expect(failed.status != 0)
        #expect(failed.stderr.split(separator: "\n").count == 1 && failed.stderr.contains("clip.json"), "\(failed.stderr)")
        #expect(try snapshot(results) == before)

        let killed = try runKilledBySIGXFSZ("clip", command, fileSizeLimit: 1024)
        #expect(killed.terminationStatus == SIGXFSZ && killed.terminationReason == .uncaughtSignal, "ended with \(killed.terminationStatus)")
        #expect(try snapshot(results).filter { !$0.key.hasPrefix(".") } == before)
    }

    @Test func aFailedCheckpointWriteKeepsThePreviousCheckpoint() throws {
        guard let workspace = try PaperWorkspace() else { return }
        let command = workspace.arguments(checkpoint: workspace.vit, run: "run")
        let sitting = try runProduct("vit", command + ["--stop-after-step", "5"])
        #expect(sitting.status == 0, "\(sitting.stderr)")
        let runs = workspace.scratch.url.appendingPathComponent("run/cache/vit-fine-tuning")
        let runDirectory = try #require(try FileManager.default.contentsOfDirectory(at: runs, includingPropertiesForKeys: nil)
            .first { $0.lastPathComponent.hasPrefix("run-") })
        let before = try snapshot(runDirectory)
        #expect(before.keys.sorted() == ["trainer-state.json", "trainer-step-00000005.safetensors"])

        // The next checkpoint, at step 10, is the first file of this run over 64 KiB.
        let failed = try runProduct("vit", command, fileSizeLimit: 64 * 1024)
        #expect(failed.status != 0)
        // stderr also carries the training progress: the error is its last line.
        let error = try #require(failed.stderr.split(separator: "\n").last)
        #expect(error.hasPrefix("vit [paper]: error: ") && error.hasSuffix("trainer-step-00000010.safetensors: cannot be written (File too large)"),
                "\(failed.stderr)")
        #expect(try snapshot(runDirectory) == before)
        #expect(!FileManager.default.fileExists(atPath: workspace.results("vit", run: "run").path))

        let killed = try runKilledBySIGXFSZ("vit", command, fileSizeLimit: 64 * 1024)
        #expect(killed.terminationStatus == SIGXFSZ && killed.terminationReason == .uncaughtSignal, "ended with \(killed.terminationStatus)")
        #expect(try snapshot(runDirectory).filter { !$0.key.hasPrefix(".") } == before)

        // The kept checkpoint continues the run (and the next one clears the killed write's leftover).
        let resumed = try runProduct("vit", command)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stdout.contains("at step 5 of 20"), "\(resumed.stdout)")
    }

    @Test func aFailedFigureWriteKeepsThePreviousFigures() throws {
        let scratch = try ScratchDirectory()
        let command = ["build", "--results", Fixtures.repository.appendingPathComponent("results").path,
                       "--figures", scratch.url.appendingPathComponent("figures").path,
                       "--output", scratch.url.appendingPathComponent("paper.md").path]
        let first = try runProduct("report", command)
        #expect(first.status == 0, "\(first.stderr)")
        let before = try snapshot(scratch.url.appendingPathComponent("figures"))
        #expect(before.keys.contains("fig3-overall-results.png") && before.values.allSatisfy { $0.count > 64 * 1024 })
        let paper = try Data(contentsOf: scratch.url.appendingPathComponent("paper.md"))

        // Every figure is over 64 KiB: the first one written fails.
        let failed = try runProduct("report", command, fileSizeLimit: 64 * 1024)
        #expect(failed.status != 0)
        #expect(failed.stderr.split(separator: "\n").count == 1 && failed.stderr.contains(".png"), "\(failed.stderr)")
        #expect(try snapshot(scratch.url.appendingPathComponent("figures")) == before)
        #expect(try Data(contentsOf: scratch.url.appendingPathComponent("paper.md")) == paper)

        let killed = try runKilledBySIGXFSZ("report", command, fileSizeLimit: 64 * 1024)
        #expect(killed.terminationStatus == SIGXFSZ && killed.terminationReason == .uncaughtSignal, "ended with \(killed.terminationStatus)")
        #expect(try snapshot(scratch.url.appendingPathComponent("figures")).filter { !$0.key.hasPrefix(".") } == before)
    }
}

/// Every file in `directory` (hidden ones included, so that a leftover temporary file shows) and its bytes.
private func snapshot(_ directory: URL) throws -> [String: Data] {
    let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
    return try Dictionary(uniqueKeysWithValues: names.map { ($0, try Data(contentsOf: directory.appendingPathComponent($0))) })
}

/// Runs the product under `prlimit --fsize` with SIGXFSZ at its default action (the test runner
/// may ignore it, and a child inherits that): the write that crosses the limit kills the process
/// then and there.
private func runKilledBySIGXFSZ(_ name: String, _ arguments: [String], fileSizeLimit: Int) throws -> Process {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["--default-signal=XFSZ", "prlimit", "--fsize=\(fileSizeLimit)", "--", try productURL(name).path] + arguments
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    return process
}
