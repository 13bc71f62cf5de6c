// The ViT fine-tuning recipe on the tiny random HF ViT fixture (32 px, patch 8) and MiniFood's
// quick parts: the pretrained encoder under a fresh head, a step that lowers the loss, a run
// stopped and resumed that ends on the very weights of an uninterrupted one, and the saved
// checkpoint.
import Checkpoints
import Datasets
import Common
import Results
import Training
import Foundation
import Imaging
import Models
import TensorCore
import Testing
import TestSupport
@testable import Recipes

/// The vit-grad fixture with the preprocessor a pretrained checkpoint carries (32 x 32, [-1, 1]).
func tinyPretrainedViT(in directory: URL) throws -> URL {
    let fixture = Fixtures.url("models/vit-grad")
    let checkpoint = directory.appendingPathComponent("tiny-vit")
    try FileManager.default.createDirectory(at: checkpoint, withIntermediateDirectories: true)
    for file in ["config.json", "model.safetensors"] {
        try FileManager.default.copyItem(at: fixture.appendingPathComponent(file), to: checkpoint.appendingPathComponent(file))
    }
    try ImageProcessor(kind: .vit, size: .exact(height: 32, width: 32), resample: .bilinear, imageMean: [0.5, 0.5, 0.5],
                       imageStd: [0.5, 0.5, 0.5], doConvertRGB: true)
        .write(to: checkpoint.appendingPathComponent("preprocessor_config.json"))
    return checkpoint
}

/// The first `count` images of a dataset.
struct Prefix: Dataset {
    let base: any Dataset
    let count: Int
    var classNames: [String] { base.classNames }
    func label(at index: Int) -> Int { base.label(at: index) }
    func image(at index: Int) throws -> Image { try base.image(at: index) }
}

func plan(epochs: Int, batch: Int, learningRate: Double = 1e-4, checkpointEvery: Int = 10) -> ViTFineTuningPlan {
    var training = ViTFineTuningPlan.table1
    training.optimizer.learningRate = learningRate
    training.epochs = epochs
    training.batchSize = batch
    training.microBatchSize = min(batch, 16)
    training.seed = 5
    return ViTFineTuningPlan(training: training, evaluationBatchSize: 64, checkpointEverySteps: checkpointEvery)
}

@Suite struct ViTFineTuningTests {
    static let mini = ExperimentData.mini(seed: 0, quick: true)

    @Test func keepsThePretrainedEncoderUnderAFreshHead() throws {
        let scratch = try ScratchDirectory()
        let pretrained = try tinyPretrainedViT(in: scratch.url)
        let fineTuning = try ViTFineTuning(pretrained: pretrained, classNames: Self.mini.train.classNames, plan: plan(epochs: 1, batch: 8))
        let checkpoint = try Checkpoint(directory: pretrained)
        #expect(fineTuning.model.config.labels == Self.mini.train.classNames)
        for (name, tensor) in fineTuning.model.namedParameters where !name.hasPrefix("classifier.") {
            #expect(tensor.scalars == (try checkpoint.tensor(name)).scalars, "\(name)")
        }
        let head = fineTuning.model.classifier
        #expect(head.weight.shape == [91, 32] && head.bias!.scalars.allSatisfy { $0 == 0 })
        let weights = head.weight.scalars.map(Double.init)
        let std = (weights.map { $0 * $0 }.reduce(0, +) / Double(weights.count)).squareRoot()
        #expect(abs(std - 0.02) < 0.002, "initializer_range 0.02, got \(std)")
    }

    @Test func oneStepLowersTheLossOnItsBatch() throws {
        let scratch = try ScratchDirectory()
        let data = ExperimentData(preset: .mini, train: Prefix(base: Self.mini.train, count: 32),
                                  test: Prefix(base: Self.mini.test, count: 16), heldOut: Self.mini.heldOut, source: "32 images")
        // One epoch of one batch holding every training image: the step's batch is all of them.
        let fineTuning = try ViTFineTuning(pretrained: try tinyPretrainedViT(in: scratch.url), classNames: data.train.classNames,
                                           plan: plan(epochs: 1, batch: 32, learningRate: 1e-3))
        let images = try DatasetPixels(data.train, processor: fineTuning.processor)
        let all = Array(0..<32)
        func loss() -> Float {
            GradMode.with(enabled: false) { crossEntropy(fineTuning.model(try! images.pixels(all)), labels: images.labels(all)).item }
        }
        let before = loss()
        let outcome = try #require(try fineTuning.run(data, work: scratch.url.appendingPathComponent("work"),
                                                      output: scratch.url.appendingPathComponent("out"), progress: .none, say: { _ in }))
        let after = loss()
        #expect(outcome.history.steps.count == 1)
        #expect(abs(Float(outcome.lossCurve[0].loss) - before) < 1e-4 * before, "the step's recorded loss is the loss before it")
        #expect(after < before, "loss \(before) -> \(after)")
    }

    @Test func aStoppedRunResumesToTheWeightsOfAnUninterruptedOne() throws {
        let scratch = try ScratchDirectory()
        let pretrained = try tinyPretrainedViT(in: scratch.url)
        let names = Self.mini.train.classNames
        let straight = try ViTFineTuning(pretrained: pretrained, classNames: names, plan: plan(epochs: 2, batch: 64))
        let whole = try #require(try straight.run(Self.mini, work: scratch.url.appendingPathComponent("straight"),
                                                  output: scratch.url.appendingPathComponent("straight-out"), progress: .none, say: { _ in }))

        let work = scratch.url.appendingPathComponent("interrupted"), output = scratch.url.appendingPathComponent("interrupted-out")
        let first = try ViTFineTuning(pretrained: pretrained, classNames: names, plan: plan(epochs: 2, batch: 64))
        #expect(try first.run(Self.mini, work: work, output: output, stoppingAfter: 15, progress: .none, say: { _ in }) == nil)
        #expect(!FileManager.default.fileExists(atPath: output.path), "nothing is saved before the run is complete")
        let second = try ViTFineTuning(pretrained: pretrained, classNames: names, plan: plan(epochs: 2, batch: 64))
        let resumed = try #require(try second.run(Self.mini, work: work, output: output, progress: .none, say: { _ in }))

        #expect(resumed.resumedFromStep == 15 && whole.resumedFromStep == nil)
        #expect(resumed.history == whole.history && resumed.test == whole.test)
        for ((name, a), (_, b)) in zip(straight.model.namedParameters, second.model.namedParameters) {
            #expect(a.scalars == b.scalars, "\(name)")
        }
        // The run's checkpoints stay until the results are written (the chapter then discards
        // them); the work directory keeps only its lock. The saved model loads as a classifier.
        #expect((try FileManager.default.contentsOfDirectory(atPath: work.path)).count == 2)
        resumed.discardTrainerState()
        #expect((try FileManager.default.contentsOfDirectory(atPath: work.path)) == [".lock"])
        let saved = try ImageClassifier(checkpoint: output)
        #expect(saved.labels == names)
        let weights = try Checkpoint(directory: output)
        #expect(try weights.tensor("classifier.weight").scalars == second.model.classifier.weight.scalars)
    }
}
