// CLIP fine-tuning on the random-weight CLIP fixture and MiniFood's quick parts: the zero-shot
// head, one step of training, extended accuracy through the pretrained text tower, the saved
// checkpoint, and resuming. (The ft-clip and flyp recipes: CLIPFineTuningRecipesTests.)
import Checkpoints
import Datasets
import Common
import Results
import Training
import Foundation
import Models
import Recipes
import TensorCore
import TestSupport
import Testing

let quickData = ExperimentData.mini(seed: 0, quick: true)

/// Adam's first steps move every weight by about the learning rate, so 1e-2 changes the random
/// fixture's image embeddings visibly in one step.
func quickConfiguration(learningRate: Double = 1e-2, batchSize: Int = 32, layerDecay: Double? = nil) -> TrainingConfiguration {
    var configuration = CLIPFineTuningPlan.training(preset: .mini, quick: true, seed: 3, layerDecay: layerDecay)
    configuration.optimizer.learningRate = learningRate
    configuration.batchSize = batchSize
    configuration.microBatchSize = min(batchSize, 64)
    return configuration
}

func fineTuning(_ configuration: TrainingConfiguration = quickConfiguration(), recipe: CLIPFineTuningRecipe = .zeroShotHead,
                trainer: URL? = nil) throws -> CLIPFineTuning {
    try CLIPFineTuning(checkpoint: fixtureCLIP, data: quickData, plan: CLIPFineTuningPlan(recipe: recipe, training: configuration), trainerDirectory: trainer,
                       progress: .none)
}

func textTower(_ model: CLIPModel) -> [(name: String, tensor: Tensor)] {
    model.namedParameters.filter { !CLIPImageClassifier.isImageTower($0.name) }
}

func imageTower(_ model: CLIPModel) -> [(name: String, tensor: Tensor)] {
    model.namedParameters.filter { CLIPImageClassifier.isImageTower($0.name) }
}

@Suite struct CLIPFineTuningTests {
    @Test func theZeroShotHeadReproducesZeroShotLogitsBeforeTraining() throws {
        let run = try fineTuning()
        let clip = try ZeroShotClassifier(checkpoint: fixtureCLIP)
        let pixels = try DatasetPixels(quickData.test, processor: clip.processor)
        let batch = try pixels.pixels(Array(0..<24))

        let head = GradMode.with(enabled: false) { run.classifier(batch) }
        let zeroShot = clip.logits(imageEmbeddings: clip.model.imageEmbeddings(batch),
                                   classEmbeddings: clip.classEmbeddings(quickData.test.classNames, prompts: .food))
        #expect(head.shape == [24, 91])
        #expect(relativeError(head, zeroShot) < 1e-5)
        // Hence the head's accuracy before training is zero-shot accuracy.
        let before = try run.score(quickData.test)
        let zeroShotScore = try clip.zeroShotScores(quickData.test, promptSets: [.food])[0]
        #expect(before.hitsPerClass == zeroShotScore.hitsPerClass && before.top5Count == zeroShotScore.top5Count)
        // The trained parameters are the image tower, its projection and the head.
        #expect(run.trainableParameters == imageTower(clip.model).reduce(0) { $0 + $1.tensor.count } + 91 * clip.model.config.projectionDim)
    }

    @Test func oneStepLowersTheLossOfItsBatch() throws {
        // One batch holds every training image, so the step's batch is the one measured. At Table 2's
        // rate: Adam's first step moves every weight by about the rate, and 1e-3 overshoots the
        // fixture's loss on MiniFood's named classes (issue 23's world), as it did not on the old names.
        let run = try fineTuning(quickConfiguration(learningRate: 1e-4, batchSize: quickData.train.count))
        let pixels = try DatasetPixels(quickData.train, processor: run.zeroShot.processor)
        let all = Array(0..<quickData.train.count)
        let (batch, labels) = (try pixels.pixels(all), pixels.labels(all))
        let before = GradMode.with(enabled: false) { run.loss(pixels: batch, labels: labels).item }
        try run.train(stoppingAfter: 1)
        let after = GradMode.with(enabled: false) { run.loss(pixels: batch, labels: labels).item }

        #expect(run.trainer.step == 1)
        #expect(abs(run.lossCurve[0].loss - Double(before)) < 1e-4 * Double(before))
        #expect(after < before - 1e-3, "loss \(before) -> \(after)")
        #expect(run.lossCurve.map(\.learningRate) == [1e-4] && run.lossCurve[0].epoch == 1)
    }

    @Test func extendedAccuracyPairsTheFineTunedImageTowerWithThePretrainedTextTower() throws {
        let run = try fineTuning()
        try run.train(stoppingAfter: 2)
        let original = try ZeroShotClassifier(checkpoint: fixtureCLIP)

        // The text tower and logit scale are untouched; the image tower has moved.
        for ((name, tuned), (_, pretrained)) in zip(textTower(run.zeroShot.model), textTower(original.model)) {
            #expect(tuned.scalars == pretrained.scalars, "\(name) changed")
        }
        let heldOut = try DatasetPixels(quickData.heldOut, processor: original.processor)
        let tunedImages = try run.zeroShot.imageEmbeddings(heldOut), originalImages = try original.imageEmbeddings(heldOut)
        #expect(relativeError(tunedImages, originalImages) > 1e-2)

        // Extended accuracy is zero-shot with the tuned images against the original text tower.
        let expected = ClassificationHits(
            classNames: quickData.heldOut.classNames,
            logits: original.logits(imageEmbeddings: tunedImages, classEmbeddings: original.classEmbeddings(quickData.heldOut.classNames, prompts: .food)),
            labels: heldOut.labels(Array(0..<heldOut.count)))
        let extended = try run.extendedScores(promptSets: [run.prompts])[0]
        #expect(extended == expected)
    }

    @Test func theSavedCheckpointLoadsAsCLIPWithTheTunedImageTowerAndTheHead() throws {
        let scratch = try ScratchDirectory()
        let run = try fineTuning()
        try run.train(stoppingAfter: 1)
        let saved = scratch.url.appendingPathComponent("model")
        try run.saveFineTuned(to: saved)
        try run.saveFineTuned(to: saved)  // replacing a previous save

        let loaded = try ZeroShotClassifier(checkpoint: saved)
        let original = try ZeroShotClassifier(checkpoint: fixtureCLIP)
        for ((name, reloaded), (_, tuned)) in zip(imageTower(loaded.model), imageTower(run.zeroShot.model)) {
            #expect(reloaded.scalars == tuned.scalars, "\(name) not saved")
        }
        for ((name, reloaded), (_, pretrained)) in zip(textTower(loaded.model), textTower(original.model)) {
            #expect(reloaded.scalars == pretrained.scalars, "\(name) differs from the pretrained text tower")
        }
        let head = try SafeTensorsFile(contentsOf: saved.appendingPathComponent(CLIPFineTuning.classifierFileName))
        #expect(try head.tensor("weight").scalars == run.classifier.head?.weight.scalars)
        let names = try FileManager.default.contentsOfDirectory(atPath: scratch.url.path)
        #expect(names == ["model"], "staging files left behind: \(names)")
    }

    @Test func aSaveKilledBetweenItsRenamesLeavesAWholeModel() throws {
        let scratch = try ScratchDirectory()
        let run = try fineTuning()
        let saved = scratch.url.appendingPathComponent("model")
        try run.saveFineTuned(to: saved)
        // What a kill right after the old model was renamed aside leaves: no `model`, the old one aside.
        let aside = scratch.url.appendingPathComponent(".model.replaced")
        try FileManager.default.moveItem(at: saved, to: aside)
        recoverReplacedDirectories(in: scratch.url)
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.url.path) == ["model"], "the old model is back")
        _ = try ZeroShotClassifier(checkpoint: saved)

        try FileManager.default.moveItem(at: saved, to: aside)
        try run.saveFineTuned(to: saved)  // the next save recovers first, then replaces
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.url.path) == ["model"])
        _ = try ZeroShotClassifier(checkpoint: saved)
    }

    @Test func aResumedRunEndsWhereAnUninterruptedOneDoes() throws {
        let scratch = try ScratchDirectory()
        let configuration = quickConfiguration(learningRate: 1e-3, batchSize: 64)
        let directory = scratch.url.appendingPathComponent("trainer")
        let first = try fineTuning(configuration, trainer: directory)
        #expect(try first.resume() == nil)
        // Killed after the first checkpoint (every quarter epoch: 3 of the 12 steps).
        let checkpointed = try #require(first.trainer.checkpoints).everySteps
        #expect(checkpointed == 3)
        try first.train(stoppingAfter: checkpointed)

        let second = try fineTuning(configuration, trainer: directory)
        #expect(try second.resume() == checkpointed)
        try second.train(stoppingAfter: 2 * checkpointed)
        let straight = try fineTuning(configuration)
        try straight.train(stoppingAfter: 2 * checkpointed)

        #expect(second.lossCurve == straight.lossCurve)
        for ((name, resumed), (_, uninterrupted)) in zip(second.classifier.namedParameters, straight.classifier.namedParameters) {
            #expect(resumed.scalars == uninterrupted.scalars, "\(name) differs")
        }
    }

    @Test func theHuggingFaceHeadReadsTheMeanPatchTokenAndLeavesTheProjection() throws {
        let run = try fineTuning(recipe: .huggingFace)
        let clip = run.zeroShot.model, head = try #require(run.classifier.head)
        let width = clip.config.visionConfig.hiddenSize
        #expect(head.weight.shape == [91, width] && head.bias?.scalars == Array(repeating: 0, count: 91))
        // transformers' init: N(0, width^-1/2), here drawn from the seed.
        let weights = head.weight.scalars.map(Double.init)
        let std = (weights.map { $0 * $0 }.reduce(0, +) / Double(weights.count)).squareRoot()
        #expect(abs(std - 1 / Double(width).squareRoot()) < 0.1 / Double(width).squareRoot())
        #expect(try fineTuning(recipe: .huggingFace).classifier.head?.weight.scalars == head.weight.scalars)
        #expect(run.classifier.namedParameters.allSatisfy { $0.name.hasPrefix("vision_model.") || $0.name.hasPrefix("classifier.") })
        #expect(!run.classifier.namedParameters.contains { $0.name.hasPrefix("vision_model.post_layernorm.") })
        #expect(Set(run.hyperParameters.keys).isSuperset(of: ["recipe", HyperParameterName.learningRate])
                && run.hyperParameters["recipe"] == .text("huggingface"))

        // Logits: the mean of the patch tokens (not the class token) through the head.
        let pixels = try DatasetPixels(quickData.test, processor: run.zeroShot.processor).pixels(Array(0..<3))
        let logits = GradMode.with(enabled: false) { run.classifier(pixels) }
        let hidden = GradMode.with(enabled: false) { clip.visionModel.lastHiddenState(pixels) }
        let length = hidden.shape[1]
        for item in 0..<3 {
            let tokens = hidden.scalars[(item * length * width)..<((item + 1) * length * width)]
            let mean = (0..<width).map { d in (1..<length).map { tokens[tokens.startIndex + $0 * width + d] }.reduce(0, +) / Float(length - 1) }
            let expected = (0..<91).map { c in zip(head.weight.rows[c], mean).map(*).reduce(0, +) }
            #expect(relativeError(logits.rows[item], expected) < 1e-5)
        }

        // A step moves the encoder but not the projection zero-shot reads.
        let projection = clip.visualProjection.weight.scalars, layer = clip.visionModel.encoder.namedParameters[0].tensor.scalars
        try run.train(stoppingAfter: 1)
        #expect(clip.visualProjection.weight.scalars == projection)
        #expect(clip.visionModel.encoder.namedParameters[0].tensor.scalars != layer)
    }

    @Test func runDirectoriesDifferByConfigurationAndRepeatOtherwise() throws {
        let cache = URL(fileURLWithPath: "/tmp/cache")
        func directory(_ configuration: TrainingConfiguration) throws -> URL {
            try CLIPFineTuningPlan(training: configuration).runDirectory(cache: cache, preset: .mini, checkpoint: fixtureCLIP, data: quickData)
        }
        let plain = try directory(quickConfiguration())
        #expect(try directory(quickConfiguration()) == plain)
        #expect(try directory(quickConfiguration(layerDecay: 0.65)) != plain)
        #expect(try directory(quickConfiguration(learningRate: 1e-4)) != plain)
        #expect(try CLIPFineTuningPlan(recipe: .huggingFace, training: quickConfiguration())
                    .runDirectory(cache: cache, preset: .mini, checkpoint: fixtureCLIP, data: quickData) != plain)
        #expect(plain.path.hasPrefix("/tmp/cache/clip-finetune/mini-seed3-"))
    }

    @Test func configurationsFollowTableTwo() {
        let paper = CLIPFineTuningPlan.training(preset: .paper, quick: false, seed: 0, layerDecay: nil)
        #expect(paper.optimizer == AdamWHyperparameters(learningRate: 1e-4, beta1: 0.9, beta2: 0.999, epsilon: 1e-6, weightDecay: 0.05))
        #expect(paper.batchSize == 2048 && paper.epochs == 10 && paper.exemptNormsBiasesAndEmbeddings && paper.layerDecay == nil)
        let mini = CLIPFineTuningPlan.training(preset: .mini, quick: false, seed: 0, layerDecay: 0.65)
        #expect(mini.optimizer == paper.optimizer && mini.layerDecay == 0.65)
        let names = paper.hyperParameters
        #expect(names[HyperParameterName.learningRate] == .number(1e-4) && names[HyperParameterName.batchSize] == .number(2048))
        #expect(names[HyperParameterName.beta2] == .number(0.999) && names[HyperParameterName.epsilon] == .number(1e-6))
    }
}
