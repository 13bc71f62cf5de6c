// WiSE-FT on the random-weight CLIP fixture, fine-tuned two steps on MiniFood's quick parts:
// the mixtures' ends are the two models exactly, a middle one their average, the scores at the
// ends are zero-shot CLIP's and the fine-tuned model's, and a fine-tuned directory that does not
// belong to the zero-shot one is refused with a message saying why.
import Checkpoints
import Common
import Results
import Training
import Foundation
import Models
import Recipes
import TensorCore
import TestSupport
import Testing

/// The fixture fine-tuned two steps (at a rate that moves it visibly) and saved in `scratch`.
func fineTunedFixture(in scratch: ScratchDirectory, recipe: CLIPFineTuningRecipe = .zeroShotHead) throws -> (run: CLIPFineTuning, saved: URL) {
    let run = try fineTuning(recipe: recipe)
    try run.train(stoppingAfter: 2)
    let saved = scratch.url.appendingPathComponent("fine-tuned")
    try run.saveFineTuned(to: saved)
    return (run, saved)
}

/// How many elements differ: a failed `==` on long arrays makes Swift Testing diff them, which
/// takes minutes, so long arrays are compared by this count.
func differences<T: Equatable>(_ a: [T], _ b: [T]) -> Int {
    a.count == b.count ? zip(a, b).filter { $0 != $1 }.count : max(a.count, b.count)
}

/// The zero-shot head of the fixture over the quick training classes: text embeddings times exp(logit_scale).
func zeroShotHead(_ clip: ZeroShotClassifier) -> Tensor {
    CLIPImageClassifier(clip: clip.model, recipe: .zeroShotHead, classEmbeddings: clip.classEmbeddings(quickData.train.classNames, prompts: .food)).head!.weight
}

@Suite struct WiSEFTTests {
    @Test func theEndsAreTheTwoModelsAndTheMiddleTheirAverage() throws {
        let scratch = try ScratchDirectory()
        let (run, saved) = try fineTunedFixture(in: scratch)
        let wise = try WiSEFT(zeroShot: fixtureCLIP, fineTuned: saved, data: quickData)
        let original = try ZeroShotClassifier(checkpoint: fixtureCLIP)
        let zeroShot = imageTower(original.model) + [("classifier.weight", zeroShotHead(original))]
        let tuned = imageTower(run.zeroShot.model) + [("classifier.weight", run.classifier.head!.weight)]
        #expect(wise.interpolation.entries.map(\.name) == zeroShot.map(\.name))
        #expect(zip(zeroShot, tuned).contains { $0.1.scalars != $1.1.scalars }, "fine-tuning moved nothing")

        for alpha in [1.0, 0.5, 0.0] {
            wise.interpolation.mix(alpha)
            for ((name, mixed), ((_, zero), (_, fine))) in zip(imageTower(wise.clip.model) + [("classifier.weight", wise.classifier.head!.weight)],
                                                               zip(zeroShot, tuned)) {
                // 0.5 z + 0.5 f rounds once, as (z + f) / 2 does: the halving is exact.
                let expected = alpha == 0 ? zero.scalars : alpha == 1 ? fine.scalars : zip(zero.scalars, fine.scalars).map { ($0 + $1) / 2 }
                #expect(differences(mixed.scalars, expected) == 0, "\(name) at alpha \(alpha)")
            }
        }
        // The text tower and logit scale are never mixed.
        for ((name, kept), (_, pretrained)) in zip(textTower(wise.clip.model), textTower(original.model)) {
            #expect(differences(kept.scalars, pretrained.scalars) == 0, "\(name) changed")
        }
    }

    @Test func alphaZeroScoresAsZeroShotCLIPAndAlphaOneAsTheFineTunedModel() throws {
        let scratch = try ScratchDirectory()
        let (run, saved) = try fineTunedFixture(in: scratch)
        let wise = try WiSEFT(zeroShot: fixtureCLIP, fineTuned: saved, data: quickData)
        let original = try ZeroShotClassifier(checkpoint: fixtureCLIP)

        let fineTuned = try wise.scores(alpha: 1)
        let (test, extended) = (try run.score(quickData.test), try run.extendedScores(promptSets: [run.prompts])[0])
        #expect(differences(fineTuned.test.top1, test.top1) == 0 && fineTuned.test.top5Count == test.top5Count)
        #expect(differences(fineTuned.extended.top1, extended.top1) == 0)

        // Run after alpha 1, so mixing back to 0 must restore the zero-shot weights.
        let zeroShot = try wise.scores(alpha: 0)
        let expected = try original.zeroShotScores(quickData.test, promptSets: [.food])[0]
        let expectedExtended = try original.zeroShotScores(quickData.heldOut, promptSets: [.food])[0]
        #expect(differences(zeroShot.test.top1, expected.top1) == 0 && zeroShot.test.top5Count == expected.top5Count)
        #expect(differences(zeroShot.extended.top1, expectedExtended.top1) == 0)
        #expect(differences(zeroShot.test.top1, fineTuned.test.top1) > 0
                || differences(zeroShot.extended.top1, fineTuned.extended.top1) > 0, "the two ends score alike")

        let point = try wise.point(alpha: 0, seed: 1)
        #expect(point.test.value == expected.accuracy.top1.value && point.test.images == 182 && point.extended.images == 50)
        let interval = try #require(point.test.interval)
        #expect(interval.resamples == BootstrapInterval.standardResamples && interval.low <= point.test.value && point.test.value <= interval.high)
    }

    @Test func mismatchedTensorsAreRefusedByName() throws {
        let a = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6]), b = Tensor(shape: [3], scalars: [1, 2, 3])
        func message(_ targets: [(String, Tensor)], _ tuned: [(String, Tensor)]) -> String {
            do {
                _ = try WeightInterpolation(targets: targets.map { (name: $0.0, tensor: $0.1) },
                                            fineTuned: tuned.map { (name: $0.0, tensor: $0.1) }, fineTunedSource: "tuned/")
                return "no error"
            } catch {
                return "\(error)"
            }
        }
        #expect(message([("x", a), ("y", b)], [("x", a), ("y", b)]) == "no error")
        #expect(message([("x", a), ("y", b)], [("x", a), ("y", a)]).contains("y is [3] in the zero-shot model but [2, 3] in tuned/"))
        #expect(message([("x", a), ("y", b)], [("x", a)]).contains("tuned/ lacks y"))
        #expect(message([("x", a)], [("x", a), ("z", b)]).contains("tuned/ has z, which the zero-shot model does not"))
    }

    @Test func aFineTunedDirectoryFromElsewhereIsRefused() throws {
        let scratch = try ScratchDirectory()
        let (run, saved) = try fineTunedFixture(in: scratch)
        let weights = saved.appendingPathComponent(Checkpoint.weightsFileName)
        let parameters = Dictionary(uniqueKeysWithValues: run.zeroShot.model.namedParameters.map { ($0.name, $0.tensor) })
        func message() -> String {
            do {
                _ = try WiSEFT(zeroShot: fixtureCLIP, fineTuned: saved, data: quickData)
                return "no error"
            } catch {
                return "\(error)"
            }
        }

        // An image-tower tensor missing.
        let dropped = imageTower(run.zeroShot.model).last!.name
        try writeSafeTensors(parameters.filter { $0.key != dropped }, to: weights)
        #expect(message().contains("lacks \(dropped)"))
        // A text tower other than the zero-shot model's.
        let text = textTower(run.zeroShot.model)[0]
        var changed = parameters
        changed[text.name] = Tensor(shape: text.tensor.shape, scalars: text.tensor.scalars.map { $0 + 1 })
        try writeSafeTensors(changed, to: weights)
        #expect(message().contains("at \(text.name), outside the image tower: it was not fine-tuned from this zero-shot checkpoint"))
        // A model without a head (flyp's) names no recipe WiSE-FT can mix.
        try writeSafeTensors(parameters, to: weights)
        #expect(message() == "no error")
        try writeSafeTensors(["weight": run.classifier.head!.weight], metadata: ["recipe": "flyp"],
                             to: saved.appendingPathComponent(CLIPFineTuning.classifierFileName))
        #expect(message().contains("names no recipe with a head"))
    }

    @Test func aFreshHeadIsKeptAsTrainedAndOnlyTheImageTowerMixed() throws {
        let scratch = try ScratchDirectory()
        let (run, saved) = try fineTunedFixture(in: scratch, recipe: .ftCLIP)
        let wise = try WiSEFT(zeroShot: fixtureCLIP, fineTuned: saved, data: quickData)
        #expect(wise.recipe == .ftCLIP && wise.interpolation.entries.map(\.name) == imageTower(run.zeroShot.model).map(\.name))
        for alpha in [0.0, 1.0] {
            wise.interpolation.mix(alpha)
            for ((name, kept), (_, trained)) in zip(wise.classifier.namedParameters, run.classifier.namedParameters)
                where name.hasPrefix("classifier.") || name.hasPrefix("fc_norm.") {
                #expect(differences(kept.scalars, trained.scalars) == 0, "\(name) at alpha \(alpha)")
            }
        }
        // Alpha 1 is the fine-tuned model, head included.
        let tuned = try wise.scores(alpha: 1), test = try run.score(quickData.test)
        #expect(differences(tuned.test.top1, test.top1) == 0)
    }

    @Test func alphaIsChosenOnTrainingImagesOnly() throws {
        let scratch = try ScratchDirectory()
        let (_, saved) = try fineTunedFixture(in: scratch)
        let wise = try WiSEFT(zeroShot: fixtureCLIP, fineTuned: saved, data: quickData, seed: 4)
        // A fifth of each class's training images (at least one), from the training part only.
        var perClass = [Int](repeating: 0, count: quickData.train.classNames.count)
        for index in 0..<quickData.train.count { perClass[quickData.train.label(at: index)] += 1 }
        #expect(wise.selection.count == perClass.reduce(0) { $0 + max(1, Int((0.2 * Double($1)).rounded())) })
        #expect(wise.selection.dataset.classNames == quickData.train.classNames)
        #expect(try WiSEFT(zeroShot: fixtureCLIP, fineTuned: saved, data: quickData, seed: 4).selectionListSha256 == wise.selectionListSha256)
        #expect(try WiSEFT(zeroShot: fixtureCLIP, fineTuned: saved, data: quickData, seed: 5).selectionListSha256 != wise.selectionListSha256)
        let measured = try wise.selectionScore(alpha: 0.5)
        #expect((0...1).contains(measured.head) && (0...1).contains(measured.zeroShot))

        func score(_ alpha: Double, _ head: Double, _ zeroShot: Double) -> AlphaSelectionScore {
            AlphaSelectionScore(alpha: alpha, head: head, zeroShot: zeroShot)
        }
        #expect(WiSEFT.chosen([score(1, 0.9, 0.1), score(0, 0.6, 0.8), score(0.5, 0.8, 0.7)])?.alpha == 0.5)
        // A tie goes to the smaller alpha, whatever the order given.
        #expect(WiSEFT.chosen([score(0.7, 0.8, 0.6), score(0.3, 0.6, 0.8)])?.alpha == 0.3)
        #expect(WiSEFT.chosen([]) == nil)
    }
}
