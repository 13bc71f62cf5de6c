// LiT on the random-weight CLIP fixture and MiniFood's quick parts: the image tower stays
// exactly as loaded while the text tower trains, the contrastive loss falls, and a seed fixes
// the run.
import Datasets
import Common
import Results
import Training
import Foundation
import Imaging
import Models
@testable import Recipes
import TensorCore
import TestSupport
import Testing

/// The quick LiT settings at a rate that moves the random fixture within a few steps.
func quickLiTConfiguration(learningRate: Double = 1e-3) -> TrainingConfiguration {
    var configuration = TrainingConfiguration.lit(preset: .mini, quick: true, seed: 5)
    configuration.optimizer.learningRate = learningRate
    return configuration
}

func quickLiT(_ configuration: TrainingConfiguration = quickLiTConfiguration()) throws -> LiT {
    try LiT(checkpoint: fixtureCLIP, data: quickData, configuration: configuration, trainingPrompts: .miniFoodCaptions, progress: .none)
}

func copies(_ parameters: [(name: String, tensor: Tensor)]) -> [String: [Float]] {
    Dictionary(uniqueKeysWithValues: parameters.map { ($0.name, Array(UnsafeBufferPointer(start: $0.tensor.pointer, count: $0.tensor.count))) })
}

@Suite struct LiTTests {
    /// Under MPI each rank embeds its share of the captions and computes the whole batch's loss
    /// from every rank's embeddings. Two ranks' losses, computed here one after the other, must
    /// give the one-process loss on each, and gradients that sum to the one-process gradient:
    /// the text tower's through each rank's own rows, the temperature's half from each.
    @Test func twoRanksGatheredLossesSumToOneProcesssGradient() throws {
        let lit = try quickLiT()
        let model = lit.clip.model
        let trained = model.namedParameters.filter { LiT.isTrained($0.name) }
        var generator = SeededGenerator(seed: 9)
        let batch = lit.batch(Array(0..<12), generator: &generator)
        func gradients(_ losses: () throws -> [Tensor]) rethrows -> (losses: [Float], gradients: [String: [Float]]) {
            for (_, tensor) in trained { tensor.grad = nil }
            let values = try GradMode.with(enabled: true) {
                try losses().map { loss in
                    loss.backward(Tensor(shape: [], scalars: [1]))
                    return loss.item
                }
            }
            return (values, Dictionary(uniqueKeysWithValues: trained.map { ($0.name, $0.tensor.grad?.scalars ?? []) }))
        }
        let single = try gradients { [try lit.loss(images: batch.images, tokens: batch.tokens)] }
        let everyone = GradMode.with(enabled: false) { model.textEmbeddings(batch.tokens) }
        let ranks = gradients {
            [0..<5, 5..<12].map { mine in
                let own = model.textEmbeddings(TokenBatch(ids: Array(batch.tokens.ids[mine]), isToken: Array(batch.tokens.isToken[mine])))
                return LiT.gatheredLoss(images: batch.images, own: own, everyone: everyone, mine: mine, ranks: 2, logitScale: model.logitScale)
            }
        }
        for loss in ranks.losses { #expect(abs(loss - single.losses[0]) <= 1e-5 * abs(single.losses[0])) }
        #expect(abs(single.gradients["logit_scale"]![0]) > 1e-3, "the temperature's gradient must be large enough to tell")
        for (name, expected) in single.gradients {
            // Gradients that vanish in exact arithmetic (the key projection's bias) are float noise
            // near 1e-7 on both sides: hence the absolute floor.
            let got = ranks.gradients[name]!, scale = expected.map(abs).max() ?? 0
            let error = zip(got, expected).map { abs($0 - $1) }.max() ?? .infinity
            #expect(got.count == expected.count && error <= 1e-4 * scale + 1e-6, "\(name): max error \(error) against a largest gradient of \(scale)")
        }
    }

    @Test func theImageTowerStaysLockedWhileTheTextTowerTrains() throws {
        let lit = try quickLiT()
        let model = lit.clip.model
        let imageBefore = copies(imageTower(model)), textBefore = copies(textTower(model))
        try lit.train(stoppingAfter: 3)

        #expect(copies(imageTower(model)) == imageBefore, "the locked image tower changed")
        let changed = copies(textTower(model)).filter { textBefore[$0.key] != $0.value }.map(\.key)
        #expect(changed.contains("text_projection.weight") && changed.contains { $0.hasPrefix("text_model.encoder.") })
        // The trained parameters are exactly the text tower, its projection and the temperature.
        #expect(lit.trainer.optimizer.parameters.map(\.name).sorted() == textTower(model).map(\.name).sorted())
        #expect(lit.trainableParameters == textTower(model).reduce(0) { $0 + $1.tensor.count })
        // So the training images embed as they did before training.
        let again = try lit.clip.embedImages(quickData.train)
        #expect(again.embeddings.shape == lit.trainingImages.shape)
        #expect(Array(UnsafeBufferPointer(start: again.embeddings.pointer, count: again.embeddings.count))
            == Array(UnsafeBufferPointer(start: lit.trainingImages.pointer, count: lit.trainingImages.count)))
    }

    @Test func theContrastiveLossOfAFixedBatchFalls() throws {
        let lit = try quickLiT()
        var generator = SeededGenerator(seed: 9)
        let fixed = lit.batch(Array(stride(from: 0, to: quickData.train.count, by: 23)), generator: &generator)
        func loss() throws -> Float { try GradMode.with(enabled: false) { try lit.loss(images: fixed.images, tokens: fixed.tokens).item } }
        let before = try loss()
        try lit.train()
        let after = try loss()
        #expect(lit.trainer.step == lit.trainer.totalSteps && lit.lossCurve.count == lit.trainer.totalSteps)
        #expect(after < before - 0.05, "loss \(before) -> \(after)")
        let curve = lit.lossCurve.map(\.loss)
        #expect(curve.suffix(5).reduce(0, +) < curve.prefix(5).reduce(0, +), "\(curve)")
    }

    @Test func captionsComeFromTheTrainingTemplatesAndASeedFixesTheRun() throws {
        let lit = try quickLiT()
        var generator = SeededGenerator(seed: 1)
        let batch = lit.batch([0, 1, 2, 3], generator: &generator)
        let names = quickData.train.classNames
        for (row, ids) in batch.tokens.ids.enumerated() {
            let label = quickData.train.label(at: row)
            let allowed = PromptTemplates.miniFoodCaptions.prompts(for: names[label]).map(lit.clip.tokenizer.encode)
            #expect(allowed.contains(Array(ids.prefix(batch.tokens.isToken[row].filter { $0 }.count))))
        }
        try lit.train(stoppingAfter: 4)
        let other = try quickLiT()
        try other.train(stoppingAfter: 4)
        #expect(other.lossCurve == lit.lossCurve)
        #expect(copies(textTower(other.clip.model)) == copies(textTower(lit.clip.model)))
    }

    @Test func scoresKeepEachImagesHitForTheBootstrap() throws {
        let lit = try quickLiT()
        let heldOut = try lit.clip.embedImages(quickData.heldOut)
        let score = lit.clip.zeroShotScores(heldOut, promptSets: [.food])[0]
        #expect(score.top1.count == quickData.heldOut.count)
        #expect(score.top1.filter { $0 }.count == score.top1Count)
        // The same as scoring the dataset in one go.
        #expect(try lit.clip.zeroShotScores(quickData.heldOut, promptSets: [.food])[0] == score)
    }
}

/// LiT on the random-weight ViT fixture, its text side from the CLIP fixture, on the quick mini
/// CLIP's pretraining pairs (256 captions, 8 steps of 32).
func quickLockedViTLiT(text: LiTTextInitialisation = .clip) throws -> (LiT, LockedViT) {
    let vit = try LockedViT(checkpoint: Fixtures.url("models/vit"))
    let corpus = MiniModels.clipPretrainingPairs(seed: 0, quick: true)
    let pairs = LiTPairs(images: corpus, captions: .own((0..<corpus.count).map(corpus.caption(at:)), source: "test captions"))
    var configuration = TrainingConfiguration.litLockedViT(preset: .mini, quick: true, seed: 5)
    configuration.optimizer.learningRate = 1e-2
    return (try LiT.lockedViT(vit, clipCheckpoint: fixtureCLIP, textInitialisation: text, pairs: pairs, configuration: configuration,
                              progress: .none), vit)
}

@Suite struct LiTLockedViTTests {
    @Test func theViTStaysLockedWhileAFreshTextHeadLearnsToItsPreLogits() throws {
        let (lit, vit) = try quickLockedViTLiT()
        let vitBefore = copies(vit.model.namedParameters)
        // The text side projects to the ViT's width and starts from CLIP's text tower, not its projection.
        let pretrained = try ZeroShotClassifier(checkpoint: fixtureCLIP)
        #expect(lit.clip.model.textProjection.weight.shape == [vit.width, pretrained.model.config.textConfig.hiddenSize])
        #expect(copies(textTower(lit.clip.model)).filter { $0.key.hasPrefix("text_model.") }
            == copies(textTower(pretrained.model)).filter { $0.key.hasPrefix("text_model.") })
        #expect(abs(lit.clip.model.logitScale.item - Float(log(10.0))) < 1e-6)
        var generator = SeededGenerator(seed: 9)
        let fixed = lit.batch(Array(0..<32), generator: &generator)
        func loss() throws -> Float { try GradMode.with(enabled: false) { try lit.loss(images: fixed.images, tokens: fixed.tokens).item } }
        let before = try loss()
        try lit.train()

        #expect(copies(vit.model.namedParameters) == vitBefore, "the locked ViT changed")
        #expect(lit.trainer.totalSteps == 8 && lit.lossCurve.allSatisfy { $0.loss.isFinite })
        let after = try loss()
        #expect(after < before, "loss \(before) -> \(after)")
        #expect(lit.trainer.optimizer.parameters.map(\.name).sorted() == textTower(lit.clip.model).map(\.name).sorted())
        // The training images are the ViT's normalised pre-logits, in the pairs' order.
        let again = try vit.embedImages(lit.pairs.images)
        #expect(Array(UnsafeBufferPointer(start: again.embeddings.pointer, count: again.embeddings.count))
            == Array(UnsafeBufferPointer(start: lit.trainingImages.pointer, count: lit.trainingImages.count)))
        let first = try vit.model.features(DatasetPixels(lit.pairs.images, processor: vit.processor).pixels([0]))
        let norm = (0..<vit.width).reduce(Float(0)) { $0 + first.pointer[$1] * first.pointer[$1] }.squareRoot()
        #expect(abs(again.embeddings.pointer[0] - first.pointer[0] / norm) < 1e-6)
        // Each image has its own caption: a batch's tokens are exactly those captions.
        let corpus = MiniModels.clipPretrainingPairs(seed: 0, quick: true)
        #expect(fixed.tokens.ids[3].prefix(fixed.tokens.isToken[3].filter { $0 }.count) == ArraySlice(lit.clip.tokenizer.encode(corpus.caption(at: 3))))
    }

    @Test func fromScratchTheTextTowerIsNotCLIPs() throws {
        let (lit, _) = try quickLockedViTLiT(text: .scratch)
        let pretrained = try ZeroShotClassifier(checkpoint: fixtureCLIP)
        let name = "text_model.encoder.layers.0.mlp.fc1.weight"
        #expect(copies(textTower(lit.clip.model))[name] != copies(textTower(pretrained.model))[name])
        #expect(lit.hyperParameters["text_initialisation"] == .text("scratch"))
    }

    // Issue 23 changed MiniFood's world: the CLIP's caption corpus names every composition,
    // the downstream dishes among them (as CLIP's web pairs name Food-101's), in images of its own.
    @Test func theMiniCorpusNamesTheDownstreamClassesInImagesOfItsOwn() throws {
        let corpus = MiniModels.clipPretrainingPairs(seed: 0, quick: true)
        let downstream = Set(quickData.train.classNames + quickData.heldOut.classNames)
        #expect(corpus.count == 256 && downstream.isSubset(of: corpus.classNames))
        let corpusPixels = Set(try images(of: corpus, at: Array(0..<corpus.count)).map(\.pixels))
        let trainPixels = Set(try images(of: quickData.train, at: Array(0..<quickData.train.count)).map(\.pixels))
        #expect(corpusPixels.isDisjoint(with: trainPixels))
    }
}
