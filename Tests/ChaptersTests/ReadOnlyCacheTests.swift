// Issue #28's "read-only --cache": refused before training in one plain line, not discovered at
// the first checkpoint as raw NSError text. A read-only mount (a tmpfs mounted MS_RDONLY) is
// read-only even to root, for whom a directory's permission bits are not; skipped, with a notice,
// where this process may not mount.
import Foundation
import TestSupport
import Testing

@Suite struct ReadOnlyCacheTests {
    @Test func aReadOnlyCacheIsRefusedBeforeTraining() throws {
        guard let workspace = try PaperWorkspace() else { return }
        guard let disk = try SmallFileSystem(at: workspace.scratch.url.appendingPathComponent("run/cache"), bytes: 1 << 20, readOnly: true) else { return }
        defer { disk.unmount() }
        let run = try runProduct("vit", workspace.arguments(checkpoint: workspace.vit, run: "run"))
        #expect(run.status != 0)
        let error = try #require(run.stderr.split(separator: "\n").last)
        #expect(error == "vit [paper]: error: \(disk.url.path)/vit-fine-tuning: cannot be written to (\(disk.url.path) is not writable)", "\(run.stderr)")
        #expect(!run.stderr.contains("step 1/"), "refused before the first step: \(run.stderr)")
    }
}
