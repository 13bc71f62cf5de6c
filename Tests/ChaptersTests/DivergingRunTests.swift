// A fine-tuning whose loss stops being finite ends with one line naming the step, a non-zero
// exit and no results (the trainer's own tests show the last good checkpoint is kept).
import Foundation
import TestSupport
import Testing

@Suite struct DivergingRunTests {
    @Test func aNaNLossEndsTheChapterWithOneLineAndNoResults() throws {
        guard let workspace = try PaperWorkspace() else { return }
        // A NaN in the final LayerNorm makes every logit, and so the first loss, NaN.
        let poisoned = try HuggingFaceFixture.vit.write(to: workspace.scratch.url.appendingPathComponent("vit-nan"), freshSeed: 11,
                                                        poisoned: "vit.layernorm.bias")
        let run = try runProduct("vit", workspace.arguments(checkpoint: poisoned, run: "run"))
        #expect(run.status != 0)
        #expect(run.stderr.split(separator: "\n").last == "vit [paper]: error: the loss became NaN at step 1; lower the learning rate or check the inputs",
                "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: workspace.results("vit", run: "run").deletingLastPathComponent().path))
        #expect(!FileManager.default.fileExists(atPath: workspace.scratch.url.appendingPathComponent("run/cache/vit-fine-tuned-paper-quick").path))
    }
}
