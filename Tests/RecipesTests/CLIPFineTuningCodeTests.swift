// ft-clip-code's pieces inside a real fine-tuning run on the random-weight CLIP fixture: its
// configuration (FT-CLIP's schedule and layer decay), augmentation and drop path drawn from the
// trainer's generators (so a resumed run repeats them), the two ablations' classifiers, and
// drift. (The pieces' arithmetic against FT-CLIP and timm: FTCLIPPiecesAgainstReference.)
import Common
import Datasets
import Foundation
import Imaging
import Models
import Recipes
import TensorCore
import TestSupport
import Testing
import Training

let codeRegularization = CLIPFineTuningRegularization(labelSmoothing: 0.1, stochasticDepth: StochasticDepth(rate: 0.1),
                                                      augmentation: FTCLIPAugmentation(cropPadding: 4, horizontalFlip: 0.5, erasing: 0.25,
                                                                                       randAugment: FTCLIPAugmentation.ftCLIPRandAugment))

@Suite struct CLIPFineTuningCodeTests {
    func run(_ recipe: CLIPFineTuningRecipe, regularization: CLIPFineTuningRegularization = codeRegularization,
             trainer: URL? = nil, ftCLIPSchedule: Bool = true) throws -> CLIPFineTuning {
        let table2 = quickConfiguration(learningRate: 1e-3, batchSize: 64)
        let configuration = ftCLIPSchedule ? table2.ftCLIPCode(examplesPerEpoch: quickData.train.count) : table2
        return try CLIPFineTuning(checkpoint: fixtureCLIP, data: quickData,
                                  plan: CLIPFineTuningPlan(recipe: recipe, training: configuration, regularization: regularization),
                                  trainerDirectory: trainer, progress: .none)
    }

    @Test func theConfigurationIsTableTwosWithFTCLIPsScheduleAndLayerDecay() throws {
        let table2 = CLIPFineTuningPlan.training(preset: .mini, quick: false, seed: 0, layerDecay: nil)
        let code = table2.ftCLIPCode(examplesPerEpoch: 3640)
        #expect(code.optimizer == table2.optimizer && code.batchSize == table2.batchSize && code.epochs == table2.epochs)
        #expect(code.layerDecay == 0.9)
        let stepsPerEpoch = (3640 + table2.batchSize - 1) / table2.batchSize  // a last partial batch is a step
        #expect(code.schedule == .warmupCosineToFloor(warmupSteps: 5 * stepsPerEpoch, floor: 1e-6 / 1e-4))
        #expect(CLIPFineTuningRegularization.ftCLIPCode(imageSize: 32) == CLIPFineTuningRegularization(
            labelSmoothing: 0.1, stochasticDepth: StochasticDepth(rate: 0.1),
            augmentation: FTCLIPAugmentation(cropPadding: 4, horizontalFlip: 0.5, erasing: 0.25,
                                             randAugment: try RandAugment("rand-m9-mstd0.5-inc1"))))
        #expect(codeRegularization.hyperParameters["rand_augment"] == .text("rand-m9-mstd0.5-inc1"))
        #expect(CLIPFineTuningRegularization.ftCLIPCode(imageSize: 224).augmentation == FTCLIPAugmentation(
            randomResizedCrop: true, horizontalFlip: 0.5, erasing: 0.25, randAugment: FTCLIPAugmentation.ftCLIPRandAugment))
    }

    /// Above 32 px (the fixture CLIP takes 224) each batch is timm's random-resized crop of the
    /// decoded images, drawn from the trainer's generator: a rerun repeats it, and it trains on
    /// other pixels than the processor's resize and centre crop.
    @Test func aboveThirtyTwoPixelsBatchesAreRandomResizedCrops() throws {
        let sized = CLIPFineTuningRegularization.ftCLIPCode(imageSize: try CLIPFineTuning.imageSize(checkpoint: fixtureCLIP))
        #expect(sized.augmentation.randomResizedCrop && sized.augmentation.cropPadding == nil)
        let onlyCrop = CLIPFineTuningRegularization(augmentation: FTCLIPAugmentation(randomResizedCrop: true))
        let (first, again, uncropped) = (try run(.ftCLIP, regularization: onlyCrop), try run(.ftCLIP, regularization: onlyCrop),
                                         try run(.ftCLIP, regularization: CLIPFineTuningRegularization()))
        for fineTuning in [first, again, uncropped] { try fineTuning.train(stoppingAfter: 2) }
        #expect(first.lossCurve == again.lossCurve)
        #expect(first.lossCurve.map(\.loss) != uncropped.lossCurve.map(\.loss))
        #expect(onlyCrop.hyperParameters["crop"] == .text("RandomResizedCrop(scale 0.08-1, ratio 3/4-4/3, bicubic), FT-CLIP's crop above 32 px"))
    }

    @Test func augmentationAndDropPathRepeatWhenResumed() throws {
        let scratch = try ScratchDirectory()
        let directory = scratch.url.appendingPathComponent("trainer")
        let first = try run(.ftCLIPCode, trainer: directory)
        let checkpointed = try #require(first.trainer.checkpoints).everySteps
        try first.train(stoppingAfter: checkpointed)
        let second = try run(.ftCLIPCode, trainer: directory)
        #expect(try second.resume() == checkpointed)
        try second.train(stoppingAfter: 2 * checkpointed)
        let straight = try run(.ftCLIPCode)
        try straight.train(stoppingAfter: 2 * checkpointed)
        #expect(second.lossCurve == straight.lossCurve)
        for ((name, resumed), (_, uninterrupted)) in zip(second.classifier.namedParameters, straight.classifier.namedParameters) {
            #expect(resumed.scalars == uninterrupted.scalars, "\(name) differs")
        }
        // The regularisation changes the trajectory, and no mask is left on the layers.
        let plain = try run(.ftCLIPCode, regularization: CLIPFineTuningRegularization())
        try plain.train(stoppingAfter: 2 * checkpointed)
        #expect(plain.lossCurve.map(\.loss) != straight.lossCurve.map(\.loss))
        #expect(straight.zeroShot.model.visionModel.encoder.layers.allSatisfy { $0.branchMasks == nil })
    }

    @Test func paddedCropFlipAndErasingActAsTimmsDo() {
        let pixels = Tensor(shape: [1, 3, 8, 8], scalars: (0..<192).map { Float($0) })
        var generator = SeededGenerator(seed: 2)
        FTCLIPAugmentation().apply(to: pixels, zeroValues: [-1, -2, -3], generator: &generator)
        #expect(pixels.scalars == (0..<192).map { Float($0) }, "no augmentation leaves the pixels")
        // Erasing with certainty: one box of 2%..33% of the image, the rest untouched.
        FTCLIPAugmentation(erasing: 1).apply(to: pixels, zeroValues: [-1, -2, -3], generator: &generator)
        let changed = zip(pixels.scalars, (0..<192).map { Float($0) }).filter { $0 != $1 }.count
        #expect(changed >= 3 * 2 && changed <= 3 * 64 / 3)
        // A padded crop moves the image by at most 4 pixels and fills with black's values.
        let crop = Tensor(shape: [1, 3, 8, 8], scalars: Array(repeating: 5, count: 192))
        FTCLIPAugmentation(cropPadding: 4).apply(to: crop, zeroValues: [-1, -2, -3], generator: &generator)
        #expect(Set(crop.scalars).isSubset(of: [5, -1, -2, -3]) && crop.scalars.contains(5))
    }

    /// RandAugment runs on the 8-bit pixels behind CLIP-normalised values: with probability 0
    /// the values come back bit for bit, and FT-CLIP's draws leave every value one the processor
    /// writes for an 8-bit pixel while changing the images they act on.
    @Test func randAugmentActsOnTheEightBitPixelsBehindTheValues() throws {
        let processor = try ImageProcessor(kind: .clip, size: .shortestEdge(32), resample: .bicubic, doCenterCrop: true,
                                           cropSize: .init(height: 32, width: 32), imageMean: ImageProcessor.clip.imageMean,
                                           imageStd: ImageProcessor.clip.imageStd, doConvertRGB: true)
        let original = try DatasetPixels(quickData.train, processor: processor).pixels(Array(0..<16))
        var generator = SeededGenerator(seed: 3)
        let untouched = Tensor(shape: original.shape, scalars: original.scalars)
        FTCLIPAugmentation(randAugment: try RandAugment("rand-m9-p0-inc1")).apply(to: untouched, zeroValues: [], generator: &generator)
        #expect(untouched.scalars == original.scalars)
        let augmented = Tensor(shape: original.shape, scalars: original.scalars)
        FTCLIPAugmentation(randAugment: FTCLIPAugmentation.ftCLIPRandAugment).apply(to: augmented, zeroValues: [], generator: &generator)
        let perImage = 3 * 32 * 32
        var changed = 0
        for item in 0..<16 {
            #expect(processor.image(fromPixelValues: augmented.pointer + item * perImage, height: 32, width: 32) != nil)
            if Array(augmented.scalars[(item * perImage)..<((item + 1) * perImage)]) != Array(original.scalars[(item * perImage)..<((item + 1) * perImage)]) {
                changed += 1
            }
        }
        #expect(changed >= 6 && changed < 16, "two layers at probability 0.5 leave about a quarter of the images as they were; \(changed) of 16 changed")
    }

    /// The random-resized crop's batches: each decoded image cropped and resized, then written
    /// as the processor writes pixel values (checked on the unresized 32-px images, where the
    /// written values must be the processor's own).
    @Test func randomResizedCropBatchesAreTheCroppedImagesNormalised() throws {
        let processor = try ImageProcessor(kind: .clip, size: .shortestEdge(32), resample: .bicubic, doCenterCrop: true,
                                           cropSize: .init(height: 32, width: 32), imageMean: ImageProcessor.clip.imageMean,
                                           imageStd: ImageProcessor.clip.imageStd, doConvertRGB: true)
        let dataset = try DatasetPixels(quickData.train, processor: processor, memoryBudget: 0)
        let decoded = try images(of: quickData.train, at: Array(0..<4))
        let whole = Tensor(uninitializedShape: [4, 3, 32, 32])
        for (row, image) in decoded.enumerated() { processor.writePixelValues(of: image, into: whole.pointer + row * 3 * 32 * 32) }
        #expect(whole.scalars == (try dataset.pixels(Array(0..<4))).scalars)
        let crop = RandomResizedCrop(width: 32, height: 32)
        var generator = SeededGenerator(seed: 4), replay = generator
        let cropped = try dataset.pixels(Array(0..<4), crop: crop, generator: &generator)
        let expected = Tensor(uninitializedShape: [4, 3, 32, 32])
        for (row, image) in decoded.enumerated() {
            processor.writePixelValues(of: crop.apply(to: image, using: &replay), into: expected.pointer + row * 3 * 32 * 32)
        }
        #expect(cropped.scalars == expected.scalars && cropped.scalars != whole.scalars)
    }

    @Test func theAblationsChangeOnlyTheHeadsScaleOrTheTokenRead() throws {
        let hfHead = try run(.ftCLIPHFHead, regularization: CLIPFineTuningRegularization())
        let weights = try #require(hfHead.classifier.head).weight.scalars
        let std = (weights.map { Double($0 * $0) }.reduce(0, +) / Double(weights.count)).squareRoot()
        #expect(abs(std - 1 / 32.0.squareRoot()) < 0.03, "Hugging Face's scale, normal(std width^-1/2)")
        #expect(hfHead.classifier.fcNorm != nil)

        let classToken = try run(.ftCLIPClassToken, regularization: CLIPFineTuningRegularization())
        let pixels = try DatasetPixels(quickData.test, processor: classToken.zeroShot.processor).pixels(Array(0..<4))
        let expected = GradMode.with(enabled: false) { () -> Tensor in
            let hidden = classToken.zeroShot.model.visionModel.lastHiddenState(pixels)
            return classToken.classifier.head!(classToken.classifier.fcNorm!(selectingPositions(hidden, [0, 0, 0, 0])))
        }
        #expect(relativeError(GradMode.with(enabled: false) { classToken.classifier(pixels) }, expected) < 1e-6)
        #expect(classToken.trainableParameters == (try run(.ftCLIP, regularization: CLIPFineTuningRegularization())).trainableParameters)
    }

    @Test func driftIsNoneBeforeTrainingAndSomeAfter() throws {
        // Table 2's constant rate: FT-CLIP's warm-up would barely move the weights in two steps.
        let untouched = try run(.ftCLIP, regularization: CLIPFineTuningRegularization(), ftCLIPSchedule: false)
        let before = try untouched.drift(fineTuned: try untouched.extendedImages())
        #expect(abs(before.embeddingCosine - 1) < 1e-5 && before.relativeWeightChange == [0, 0])
        try untouched.train(stoppingAfter: 2)
        let after = try untouched.drift(fineTuned: try untouched.extendedImages())
        #expect(after.embeddingCosine < 1 - 1e-4 && after.relativeWeightChange.allSatisfy { $0 > 0 })
    }
}
