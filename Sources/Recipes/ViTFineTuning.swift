// Fine-tuning a pretrained ViT on the 91 trained classes, as Section 2.3 describes and
// transformers does it with `ViTForImageClassification.from_pretrained(..., num_labels=91,
// ignore_mismatched_sizes=True)`: the pretrained encoder and final norm, a fresh linear head
// with one output per class, every parameter trained by AdamW on cross-entropy, the
// test images classified after each epoch. A killed run resumes from the trainer's last
// checkpoint; a finished one leaves a Hugging Face checkpoint directory that `vitclip classify`
// and transformers load.
import Checkpoints
import Cluster
import Datasets
import Common
import Results
import Training
import Foundation
import Imaging
import Models
import TensorCore

public final class ViTFineTuning {
    public let model: ViTForImageClassification
    public let processor: ImageProcessor
    public let plan: ViTFineTuningPlan
    public let pretrained: URL

    /// The encoder of the checkpoint in `pretrained` under a fresh head for `classNames`.
    public init(pretrained: URL, classNames: [String], plan: ViTFineTuningPlan) throws {
        let checkpoint = try Checkpoint(directory: pretrained)
        var config = try checkpoint.config(ViTConfig.self)
        config.labels = classNames
        config.architectures = ["ViTForImageClassification"]
        // As from_pretrained does: the model initialised as new, then every pretrained tensor
        // but the head loaded over it.
        model = try ViTForImageClassification(config)
        model.initializeRandomly(seed: plan.training.seed)
        for (name, parameter) in model.namedParameters where !name.hasPrefix("classifier.") {
            let stored = try checkpoint.tensor(name, shape: parameter.shape)
            parameter.pointer.update(from: stored.pointer, count: parameter.count)
        }

        guard let processorFile = checkpoint.fileURL("preprocessor_config.json") else {
            throw ChapterError("\(pretrained.path) has no preprocessor_config.json: the images' preprocessing is part of a pretrained model")
        }
        processor = try ImageProcessor(contentsOf: processorFile)
        guard processor.outputSize == (config.imageSize, config.imageSize) else {
            throw ChapterError("\(processorFile.path) makes \(processor.outputSize.height)x\(processor.outputSize.width) images, but the model reads \(config.imageSize)x\(config.imageSize)")
        }
        self.pretrained = pretrained
        self.plan = plan
    }

    /// Trains on `data.train`, evaluating on `data.test` after each epoch, then saves the
    /// fine-tuned model to `output`. Trainer checkpoints go to a directory under `work` named by
    /// everything that determines the run, so only a killed run of this very configuration is
    /// resumed; the outcome's `discardTrainerState` removes it once the results are written.
    /// With `stopStep`, training stops after that step with a checkpoint and nil is returned: a
    /// long run can be done in sittings. One run at a time holds `work` (a second one waits).
    public func run(_ data: ExperimentData, work: URL, output: URL, stoppingAfter stopStep: Int? = nil,
                    progress: ProgressDisplay = .automatic, say: (String) -> Void) throws -> ViTFineTuningOutcome? {
        let runDirectory = work.appendingPathComponent("run-" + (try runIdentity(data)))
        let lock = MPIWorld.current.isLeader ? try RunDirectoryLock(work, say: say) : nil
        defer { withExtendedLifetime(lock) {} }
        if MPIWorld.current.isLeader {
            try createWritableDirectory(output.deletingLastPathComponent())
            removeLeftovers(in: output.deletingLastPathComponent(), ownedByThisRun: false)
            try requireFreeSpace(in: work, for: "trainer checkpoints", bytes: 2 * 3 * 4 * model.parameterCount)
            try requireFreeSpace(in: output.deletingLastPathComponent(), for: "the fine-tuned model", bytes: 2 * 4 * model.parameterCount)
        }
        say("preprocessing \(data.train.count) training and \(data.test.count) test images")
        let trainImages = try DatasetPixels(data.train, processor: processor)
        let testImages = try DatasetPixels(data.test, processor: processor)

        let trainer = Trainer(parameters: model.namedParameters, configuration: plan.training, examplesPerEpoch: data.train.count,
                              checkpoints: CheckpointPolicy(directory: runDirectory, everySteps: plan.checkpointEverySteps),
                              progress: progress)
        var resumedFromStep: Int?
        if Trainer.hasCheckpoint(in: runDirectory) {
            try trainer.restore(from: runDirectory)
            resumedFromStep = trainer.step
            say("resuming the interrupted run in \(runDirectory.path) at step \(trainer.step) of \(trainer.totalSteps)")
        }
        say("\(trainer.totalSteps) steps: \(plan.training.epochs) epochs of \(trainer.stepsPerEpoch) batches of \(plan.training.batchSize)")

        var latest: ClassificationHits?
        let started = ContinuousClock.now
        try trainer.fit(
            batch: { indices, _ in (try trainImages.pixels(indices), trainImages.labels(indices)) },
            loss: { batch in crossEntropy(self.model(batch.0), labels: batch.1) },
            evaluate: {
                latest = try evaluate(self.model, on: testImages, batchSize: self.plan.evaluationBatchSize)
                return latest!.accuracy
            },
            stoppingAfter: stopStep)
        if trainer.step < trainer.totalSteps {
            try trainer.saveCheckpoint(to: runDirectory)
            say("stopped after step \(trainer.step) of \(trainer.totalSteps); the checkpoint in \(runDirectory.path) continues the run")
            return nil
        }
        let trainingSeconds = (ContinuousClock.now - started).inSeconds
        // A run killed after its last checkpoint but before it was cleared evaluates here.
        let final = try latest ?? evaluate(model, on: testImages, batchSize: plan.evaluationBatchSize)

        try save(to: output, checkedOn: testImages)
        return ViTFineTuningOutcome(history: trainer.history, stepsPerEpoch: trainer.stepsPerEpoch, test: final,
                                    trainableParameters: trainer.trainableParameterCount,
                                    resumedFromStep: resumedFromStep, trainingSeconds: trainingSeconds,
                                    trainerState: MPIWorld.current.isLeader ? runDirectory : nil)
    }

    /// Writes config.json, model.safetensors and preprocessor_config.json into `directory`
    /// (whole or not at all), then loads them back and checks that they give this model's logits.
    public func save(to directory: URL, checkedOn images: DatasetPixels) throws {
        guard MPIWorld.current.isLeader else { return }  // under MPI, rank 0 alone writes
        try writeDirectoryAtomically(directory) { staging in
            try model.config.write(to: staging.appendingPathComponent(Checkpoint.configFileName))
            try writeSafeTensors(Dictionary(uniqueKeysWithValues: model.namedParameters.map { ($0.name, $0.tensor) }),
                                 metadata: ["format": "pt"], to: staging.appendingPathComponent(Checkpoint.weightsFileName))
            try processor.write(to: staging.appendingPathComponent("preprocessor_config.json"))

            let reloaded = try ImageClassifier(checkpoint: staging)
            let sample = try images.pixels(Array(0..<min(8, images.count)))
            let (expected, actual) = GradMode.with(enabled: false) { (model(sample).scalars, reloaded.model(sample).scalars) }
            guard expected == actual else { throw ChapterError("the checkpoint written to \(staging.path) does not reproduce the fine-tuned model's logits") }
        }
    }

    /// Everything that determines the run's arithmetic, hashed (`runKey`).
    private func runIdentity(_ data: ExperimentData) throws -> String {
        struct Identity: Encodable {
            var pretrained: String
            var labels: [String]
            var data: String
            var images: [Int]
            var training: TrainingConfiguration
        }
        return try runKey(Identity(pretrained: pretrained.standardizedFileURL.path, labels: model.config.labels, data: data.source,
                                   images: [data.train.count, data.test.count], training: plan.training))
    }
}

/// What a fine-tuning run measured.
public struct ViTFineTuningOutcome {
    public let history: TrainingHistory
    public let stepsPerEpoch: Int
    /// The last evaluation: the fine-tuned model on every test image.
    public let test: ClassificationHits
    public let trainableParameters: Int
    /// Where this process took over from an interrupted run, if it did.
    public let resumedFromStep: Int?
    /// Training and per-epoch evaluation in this process.
    public let trainingSeconds: Double
    /// The trainer's checkpoints of the finished run (rank 0's): kept until the results that
    /// record the run are written, so that a failed write loses no training.
    let trainerState: URL?

    /// Removes the trainer's checkpoints: call once the results file is written.
    public func discardTrainerState() {
        if let trainerState { try? FileManager.default.removeItem(at: trainerState) }
    }

    /// Figure 4's curve: every step's loss and learning rate, against fractional epochs.
    public var lossCurve: [LossPoint] { history.lossCurve(stepsPerEpoch: stepsPerEpoch) }

    /// Test accuracy and mean training loss after each epoch.
    public var epochs: [EpochAccuracy] {
        history.epochs.compactMap { record in
            record.accuracy.map { accuracy in
                EpochAccuracy(epoch: record.epoch + 1, meanLoss: record.meanLoss, test: accuracy)
            }
        }
    }
}
