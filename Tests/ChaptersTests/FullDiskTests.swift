// A real full disk (a tmpfs of a few kilobytes, filled): a results write that meets ENOSPC after
// training keeps the trainer's state and the rerun resumes at the last step instead of training
// again; a cache without room for the run's checkpoints is refused before the first step. Where
// this process may not mount a tmpfs, the tests say so and skip.
import Foundation
import TestSupport
import Testing

@Suite(.serialized) struct FullDiskTests {
    @Test func aResultsWriteOnAFullDiskKeepsTheTrainerStateAndTheRerunResumes() throws {
        guard let workspace = try PaperWorkspace() else { return }
        let results = workspace.results("vit", run: "run")
        guard let disk = try SmallFileSystem(at: results.deletingLastPathComponent(), bytes: 1 << 20) else { return }
        defer { disk.unmount() }
        try disk.fill()
        #expect(disk.freeBytes == 0)
        let command = workspace.arguments(checkpoint: workspace.vit, run: "run")

        let failed = try runProduct("vit", command)
        #expect(failed.status != 0)
        let error = try #require(failed.stderr.split(separator: "\n").last)
        #expect(error.hasPrefix("vit [paper]: error: ") && error.contains("vit.json") && error.contains("No space left on device"), "\(failed.stderr)")
        #expect(failed.stdout.contains("epoch 10: mean training loss"), "the failure came after training: \(failed.stdout)")
        let runs = workspace.scratch.url.appendingPathComponent("run/cache/vit-fine-tuning")
        let runDirectory = try #require(try FileManager.default.contentsOfDirectory(at: runs, includingPropertiesForKeys: nil)
            .first { $0.lastPathComponent.hasPrefix("run-") })
        #expect(FileManager.default.fileExists(atPath: runDirectory.appendingPathComponent("trainer-state.json").path),
                "the trainer state outlives the failed write")
        #expect(!FileManager.default.fileExists(atPath: results.path))

        try disk.empty()
        let rerun = try runProduct("vit", command)
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(rerun.stdout.contains("at step 20 of 20") && !rerun.stderr.contains("step 1/20"), "\(rerun.stdout)")
        #expect(FileManager.default.fileExists(atPath: results.path))
        #expect(!FileManager.default.fileExists(atPath: runDirectory.path), "the trainer state is removed once the results are written")
    }

    @Test func aCacheWithoutRoomIsRefusedBeforeTraining() throws {
        guard let workspace = try PaperWorkspace() else { return }
        guard let disk = try SmallFileSystem(at: workspace.scratch.url.appendingPathComponent("run/cache"), bytes: 64 << 10) else { return }
        defer { disk.unmount() }
        let run = try runProduct("vit", workspace.arguments(checkpoint: workspace.vit, run: "run"))
        #expect(run.status != 0)
        let error = try #require(run.stderr.split(separator: "\n").last)
        #expect(error.hasPrefix("vit [paper]: error: \(disk.url.path)/vit-fine-tuning: trainer checkpoints need about ")
                && error.hasSuffix("is free there"), "\(run.stderr)")
        #expect(!run.stderr.contains("step 1/"), "refused before the first step: \(run.stderr)")
    }
}
