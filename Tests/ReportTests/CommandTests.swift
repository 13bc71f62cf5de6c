import Common
import Results
import Training
import Foundation
import Testing
import TestSupport

private func runReport(_ arguments: [String]) throws -> ProcessOutcome { try runProduct("report", arguments) }

@Suite
struct CommandTests {
    @Test func strictExitsOneOnAMissAndZeroOtherwise() throws {
        let missed = try temporaryDirectory()
        let fine = try temporaryDirectory()
        defer {
            try? FileManager.default.removeItem(at: missed)
            try? FileManager.default.removeItem(at: fine)
        }
        try writeAccuracyChapters(to: missed, preset: .paper, fineTuneShift: -5)
        try writeAccuracyChapters(to: fine, preset: .paper, clipShift: 4)

        let failing = try runReport(["diff", "--results", missed.path, "--strict"])
        #expect(failing.status == 1)
        #expect(failing.stdout.contains("| missed |"))
        #expect(failing.stderr.contains("fei2024.table3.clip_finetune"))

        #expect(try runReport(["diff", "--results", missed.path]).status == 0, "without --strict a miss is reported, not fatal")
        let passing = try runReport(["diff", "--results", fine.path, "--strict"])
        #expect(passing.status == 0)
        #expect(passing.stdout.contains("| beaten |"))
    }

    @Test func badInputIsOneLineOnStderrAndNothingWritten() throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let results = root.appendingPathComponent("results")
        try FileManager.default.createDirectory(at: results, withIntermediateDirectories: true)
        try Data("[1, 2".utf8).write(to: results.appendingPathComponent("clip.json"))
        let output = root.appendingPathComponent("paper.md")
        let run = try runReport(["build", "--results", results.path, "--figures", root.appendingPathComponent("figures").path,
                                 "--output", output.path])
        #expect(run.status != 0)
        #expect(run.stderr.hasPrefix("report: error: "))
        #expect(run.stderr.contains("clip.json"))
        #expect(run.stderr.filter { $0 == "\n" }.count == 1)
        #expect(!FileManager.default.fileExists(atPath: output.path))
    }

    @Test func jsonAndRunDiffModes() throws {
        let a = try temporaryDirectory()
        let b = try temporaryDirectory()
        defer {
            try? FileManager.default.removeItem(at: a)
            try? FileManager.default.removeItem(at: b)
        }
        try writeAccuracyChapters(to: a, preset: .mini)
        try writeAccuracyChapters(to: b, preset: .mini, vitShift: 1)
        let json = try runReport(["diff", "--results", a.path, "--json"])
        #expect(json.status == 0)
        #expect((try? JSONSerialization.jsonObject(with: Data(json.stdout.utf8))) != nil)
        let runs = try runReport(["diff", "--results", a.path, "--against", b.path])
        #expect(runs.status == 0)
        #expect(runs.stdout.contains("vit.test.top1"))
        #expect(runs.stdout.contains("+1.00"))
    }
}
