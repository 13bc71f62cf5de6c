// One point of the scaling study: a fine-tuning (ViT with Table 1's settings, or CLIP by a
// clip-finetune recipe) on some training images, measured on the fixed test and held-out images.
// A finished point is kept under the study's cache directory, named by everything that
// determines it, so a study killed after some points resumes at the next one (a paper-preset
// study takes days); the fine-tunings' own trainer checkpoints resume a killed point.
import Cluster
import Common
import Datasets
import Foundation
import Models
import Results
import Training

public struct ScalingRuns {
    /// Where the finished points and the running trainers' checkpoints go.
    public let directory: URL
    public let seed: UInt64
    /// Whether a point reports its training progress.
    public let progress: ProgressDisplay

    public init(directory: URL, seed: UInt64, progress: ProgressDisplay = .automatic) {
        (self.directory, self.seed, self.progress) = (directory, seed, progress)
    }

    /// ViT fine-tuned from `pretrained` with `plan` on `data.train`: test accuracy on the
    /// test images, no extended accuracy (its head names only the trained classes).
    public func vit(pretrained: URL, data: ExperimentData, plan: ViTFineTuningPlan, say: (String) -> Void) throws -> ScalingAccuracy {
        let key = try pointKey(model: "vit", checkpoint: pretrained, training: plan.training, data)
        if let done = try finished(key) { return done }
        let started = Date()
        let work = directory.appendingPathComponent("vit-\(key)")
        guard let outcome = try plan.run(pretrained: pretrained, data: data, work: work, output: work.appendingPathComponent("model"),
                                         progress: progress, say: say) else {
            throw ChapterError("the ViT fine-tuning in \(work.path) stopped before its last step")
        }
        let point = ScalingAccuracy(test: outcome.test.bootstrappedTop1(seed: seed), extended: nil,
                                    steps: outcome.lossCurve.count, seconds: Date().timeIntervalSince(started))
        try keep(point, key: key, removing: work)
        return point
    }

    /// CLIP fine-tuned from `checkpoint` by `recipe` with `configuration` on `data.train`: test
    /// accuracy on the test images, extended accuracy zero-shot on the held-out classes
    /// (with the recipe's single template).
    public func clip(checkpoint: URL, recipe: CLIPFineTuningRecipe, data: ExperimentData, configuration: TrainingConfiguration,
                     say: (String) -> Void) throws -> ScalingAccuracy {
        let key = try pointKey(model: "clip " + recipe.rawValue, checkpoint: checkpoint, training: configuration, data)
        if let done = try finished(key) { return done }
        let started = Date()
        let work = directory.appendingPathComponent("\(recipe.rawValue)-\(key)")
        let fineTuning = try CLIPFineTuning(checkpoint: checkpoint, data: data, plan: CLIPFineTuningPlan(recipe: recipe, training: configuration),
                                            trainerDirectory: work.appendingPathComponent("trainer"), progress: progress)
        if let step = try fineTuning.resume() { say("resuming \(recipe.rawValue) at step \(step) of \(fineTuning.trainer.totalSteps)") }
        try fineTuning.train()
        let test = try fineTuning.score(data.test).bootstrappedTop1(seed: seed)
        let extended = try fineTuning.extendedScores(promptSets: [fineTuning.prompts])[0].bootstrappedTop1(seed: seed)
        let point = ScalingAccuracy(test: test, extended: extended, steps: fineTuning.trainer.totalSteps,
                                    seconds: Date().timeIntervalSince(started))
        try keep(point, key: key, removing: work)
        return point
    }

    /// Zero-shot CLIP on the validation (test) and held-out (extended) images, with the paper's
    /// single template (the one the fine-tuned CLIP's extended accuracy uses).
    public static func zeroShot(checkpoint: URL, data: ExperimentData, seed: UInt64) throws -> ScalingZeroShot {
        let classifier = try ZeroShotClassifier(checkpoint: checkpoint)
        let test = try classifier.zeroShotScores(data.test, promptSets: [.food])[0]
        let extended = try classifier.zeroShotScores(data.heldOut, promptSets: [.food])[0]
        return ScalingZeroShot(template: PromptTemplates.food.templates[0], test: test.bootstrappedTop1(seed: seed),
                               extended: extended.bootstrappedTop1(seed: seed))
    }

    // MARK: - Finished points

    /// Everything that determines a point, hashed (`runKey`): the model, its checkpoint and
    /// settings, the data and each training image's label.
    private func pointKey(model: String, checkpoint: URL, training: TrainingConfiguration, _ data: ExperimentData) throws -> String {
        struct Identity: Encodable {
            var model: String
            var checkpoint: String
            var training: TrainingConfiguration
            var data: String
            var images: [Int]
            var trainingLabels: [Int]
            var seed: UInt64
        }
        return try runKey(Identity(model: model, checkpoint: checkpoint.standardizedFileURL.path, training: training, data: data.source,
                                   images: [data.train.count, data.test.count, data.heldOut.count],
                                   trainingLabels: (0..<data.train.count).map { data.train.label(at: $0) }, seed: seed))
    }

    private func pointFile(_ key: String) -> URL { directory.appendingPathComponent("point-\(key).json") }

    private func finished(_ key: String) throws -> ScalingAccuracy? {
        let file = pointFile(key)
        guard FileManager.default.fileExists(atPath: file.path) else { return nil }
        do {
            return try JSONDecoder().decode(ScalingAccuracy.self, from: Data(contentsOf: file))
        } catch {
            throw ChapterError("\(file.path): not a finished scaling point (\(error.localizedDescription)); delete it to run the point again")
        }
    }

    /// Rank 0 records the point (whole or not at all) and removes its work directory.
    private func keep(_ point: ScalingAccuracy, key: String, removing work: URL) throws {
        guard MPIWorld.current.isLeader else { return }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try writeAtomically(try JSONEncoder().encode(point), to: pointFile(key))
        try? FileManager.default.removeItem(at: work)
    }
}
