// A fine-tuning killed with a real SIGKILL at a random step resumes from its last checkpoint
// when the same command runs again, and ends with what an uninterrupted run ends with: the same
// loss curve and accuracies, to the bit. Paper preset, quick sizes, tiny random checkpoints.
import Common
import Results
import Training
import Foundation
import TestSupport
import Testing

@Suite(.serialized) struct KilledFineTuningTests {
    @Test func vitResumesAKilledRunToTheSameResults() throws {
        guard let workspace = try PaperWorkspace() else { return }
        let reference = workspace.arguments(checkpoint: workspace.vit, run: "reference")
        let whole = try runProduct("vit", reference)
        #expect(whole.status == 0, "\(whole.stderr)")

        // The paper preset checkpoints every fifth step: kill after one of them has been written.
        let command = workspace.arguments(checkpoint: workspace.vit, run: "killed")
        let (killed, killStep) = try runKilledAtRandomStep("vit", command, after: 5)
        #expect(!FileManager.default.fileExists(atPath: workspace.results("vit", run: "killed").path))

        let resumed = try runProduct("vit", command)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let from = try #require(number(after: "at step ", in: resumed.stdout.components(separatedBy: "resuming the interrupted run").last ?? ""),
                                "no resumption in: \(resumed.stdout)")
        // The last checkpoint: step killStep's own if it was written before the kill, else the one before.
        #expect(from % 5 == 0 && from <= killStep && killStep - from <= 5, "killed after '\(killed.killedAfter ?? "")', resumed at \(from)")

        let expected = try ChapterResultsFile<ViTResults>.read(workspace.results("vit", run: "reference")).results
        let actual = try ChapterResultsFile<ViTResults>.read(workspace.results("vit", run: "killed")).results
        #expect(actual.lossCurve == expected.lossCurve && actual.lossCurve.count == 20)
        #expect(actual.test == expected.test && actual.epochs == expected.epochs)
        #expect(actual.resumedFromStep == from)
    }

    @Test func clipFineTuneResumesAKilledRunToTheSameResults() throws {
        guard let workspace = try PaperWorkspace() else { return }
        let whole = try runProduct("clip-finetune", workspace.arguments(checkpoint: workspace.clip, run: "reference"))
        #expect(whole.status == 0, "\(whole.stderr)")

        // One step an epoch, each checkpointed (every quarter epoch, at least every step).
        let command = workspace.arguments(checkpoint: workspace.clip, run: "killed")
        let (killed, killStep) = try runKilledAtRandomStep("clip-finetune", command, after: 1)
        #expect(!FileManager.default.fileExists(atPath: workspace.results("clip-finetune", run: "killed").path))

        let resumed = try runProduct("clip-finetune", command)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let from = try #require(number(after: "resuming from the checkpoint at step ", in: resumed.stdout), "no resumption in: \(resumed.stdout)")
        #expect(from <= killStep && killStep - from <= 1, "killed after '\(killed.killedAfter ?? "")', resumed at \(from)")

        let expected = try ChapterResultsFile<CLIPFineTuneResults>.read(workspace.results("clip-finetune", run: "reference")).results
        let actual = try ChapterResultsFile<CLIPFineTuneResults>.read(workspace.results("clip-finetune", run: "killed")).results
        #expect(actual.lossCurve == expected.lossCurve && actual.lossCurve.count == 10)
        #expect(actual.test == expected.test && actual.extended == expected.extended)
        #expect(actual.extendedPromptEnsembles == expected.extendedPromptEnsembles)
    }
}

/// Runs `chapter` and kills it with SIGKILL once its progress shows a step drawn at random
/// after `firstCheckpoint` and before the last; returns the run and that step.
private func runKilledAtRandomStep(_ chapter: String, _ arguments: [String], after firstCheckpoint: Int) throws -> (KillableRun, Int) {
    var killStep: Int?
    let run = try runProduct(chapter, arguments) { line in
        guard let (step, total) = progressStep(line) else { return false }
        if killStep == nil { killStep = Int.random(in: (firstCheckpoint + 1)...(total - 1)) }
        return step == killStep
    }
    let step = try #require(killStep, "\(chapter) printed no progress: \(run.output)")
    print("\(chapter): SIGKILL after step \(step)")
    #expect(run.killed && run.endedBySignal && run.status == SIGKILL, "\(run.output)")
    return (run, step)
}
