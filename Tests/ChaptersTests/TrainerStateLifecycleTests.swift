// The trainer's checkpoints outlive a failed results write: training that finished is never
// redone because the results file could not be written. The write is made to fail as root can
// see it fail too (CI runs as root, for whom a read-only directory is writable): the results
// file's name is taken by a directory, so the final rename fails after training is done.
import Foundation
import TestSupport
import Testing

@Suite struct TrainerStateLifecycleTests {
    @Test func aFailedResultsWriteAfterTrainingKeepsTheTrainerStateAndTheRerunResumes() throws {
        guard let workspace = try PaperWorkspace() else { return }
        let command = workspace.arguments(checkpoint: workspace.vit, run: "run")
        let results = workspace.results("vit", run: "run")
        try FileManager.default.createDirectory(at: results.appendingPathComponent("in-the-way"), withIntermediateDirectories: true)

        let failed = try runProduct("vit", command)
        #expect(failed.status != 0)
        let error = try #require(failed.stderr.split(separator: "\n").last)
        #expect(error.hasPrefix("vit [paper]: error: ") && error.contains("vit.json"), "\(failed.stderr)")
        let runs = workspace.scratch.url.appendingPathComponent("run/cache/vit-fine-tuning")
        let runDirectory = try #require(try FileManager.default.contentsOfDirectory(at: runs, includingPropertiesForKeys: nil)
            .first { $0.lastPathComponent.hasPrefix("run-") })
        #expect(FileManager.default.fileExists(atPath: runDirectory.appendingPathComponent("trainer-state.json").path))

        try FileManager.default.removeItem(at: results)
        let rerun = try runProduct("vit", command)
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(rerun.stdout.contains("at step 20 of 20"), "\(rerun.stdout)")
        #expect(FileManager.default.fileExists(atPath: results.path))
        #expect(!FileManager.default.fileExists(atPath: runDirectory.path), "the trainer state is removed once the results are written")
    }
}
