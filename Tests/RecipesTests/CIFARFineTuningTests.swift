// The cifar chapter's recipe on the tiny timm fixtures: a fresh head, the trunk run once per
// image, and only the fine-tuned block and head changing over the epochs; the disk feature cache
// reused by a second run; and the tasks it fine-tunes on.
import Datasets
import Foundation
import Imaging
import Models
@testable import Recipes
import TestSupport
import Testing
import Training

/// A dataset that counts how often its images are asked for.
final class CountingDataset: Dataset, @unchecked Sendable {
    let base: any Dataset
    private let lock = NSLock()
    private var calls = 0

    init(_ base: any Dataset) { self.base = base }

    var count: Int { base.count }
    var classNames: [String] { base.classNames }
    func label(at index: Int) -> Int { base.label(at: index) }
    func image(at index: Int) throws -> Image {
        lock.withLock { calls += 1 }
        return try base.image(at: index)
    }
    var imagesRead: Int { lock.withLock { calls } }
}

/// MiniFood's held-out dishes at `side` px, 6 per class: 5 train and 1 validate.
func tinyTask(side: Int) -> (CIFARTask, CountingDataset, CountingDataset) {
    var sizes = MiniFoodSizes.quick
    sizes.imageSize = side
    sizes.heldOutPerClass = 6
    let heldOut = MiniFood(seed: 3, sizes: sizes).heldOut
    let trainIndices = (0..<heldOut.count).filter { $0 % 6 != 5 }, validationIndices = (0..<heldOut.count).filter { $0 % 6 == 5 }
    let train = CountingDataset(DatasetSubset(heldOut, indices: trainIndices))
    let validation = CountingDataset(DatasetSubset(heldOut, indices: validationIndices))
    return (CIFARTask(train: train, validation: validation, imageSide: side, upscaling: "none", description: "tiny \(side) px"), train, validation)
}

func fixtureModel(_ name: String) throws -> any TimmClassifier {
    let model = try TimmCheckpoint(directory: Fixtures.url("timm/\(name)")).loadModel()
    // The fixture's final block has 3 layers: train the second, so one frozen layer follows it.
    (model as? DenseNet)?.fineTunedLayer = 2
    return model
}

let tinyTraining = TrainingConfiguration(optimizer: AdamWHyperparameters(learningRate: 1e-3, weightDecay: 0), epochs: 2, batchSize: 8, seed: 4)

@Suite struct CIFARFineTuningTests {
    @Test(arguments: [("deit", CIFARModel.deitBaseDistilled), ("cait", .caitS24), ("densenet", .denseNet201)])
    func onlyTheLastBlockAndHeadTrainFromATrunkComputedOnce(fixture: String, as name: CIFARModel) throws {
        let model = try fixtureModel(fixture)
        let side = model.config.pretrainedConfig.inputSize[1]
        let (task, train, validation) = tinyTask(side: side)
        let before = Dictionary(uniqueKeysWithValues: model.namedParameters.map { ($0.name, $0.tensor.scalars) })

        let measured = try CIFARFineTuning(training: tinyTraining, featureDirectory: nil)
            .run(model, as: name, identity: fixture, on: task, say: { _ in })

        // Each image went through the trunk once, though training took two epochs.
        #expect(train.imagesRead == train.count && validation.imagesRead == validation.count)
        let trained = Set(model.fineTunedParameters.map(\.name))
        let afterTrunk = ["features.denseblock4.denselayer2.", "features.denseblock4.denselayer3.", "features.norm5."]
        for (parameter, tensor) in model.namedParameters {
            let changed = tensor.scalars != before[parameter]!
            let statistic = parameter.hasSuffix("running_mean") || parameter.hasSuffix("running_var")
            let followsTrunk = afterTrunk.contains { parameter.hasPrefix($0) }
            #expect(changed == (trained.contains(parameter) || (statistic && followsTrunk)), "\(parameter)")
        }
        #expect(model.config.numClasses == 10)

        let result = measured.result
        #expect(result.name == name.rawValue && result.family == name.family)
        #expect(result.trainableParameters == model.fineTunedParameterCount)
        #expect(result.validation.images == validation.count && result.train.images == train.count)
        #expect((0...1).contains(result.validation.value) && (0...1).contains(result.train.value))
        #expect(result.trainSecondsPerEpoch > 0 && result.validationSecondsPerEpoch > 0)
        #expect(measured.images == train.count + validation.count && measured.featureBytesPerImage > 0)
    }

    @Test func aSecondRunReadsTheTrunkFeaturesFromDisk() throws {
        let scratch = try ScratchDirectory()
        let fineTuning = CIFARFineTuning(training: tinyTraining, featureDirectory: scratch.url, memoryBudget: 0)
        var results: [(imagesRead: Int, validation: Double)] = []
        for _ in 0..<2 {
            let (task, train, validation) = tinyTask(side: 32)
            let measured = try fineTuning.run(try fixtureModel("deit"), as: .deitBaseDistilled, identity: "deit fixture", on: task, say: { _ in })
            results.append((train.imagesRead + validation.imagesRead, measured.result.validation.value))
        }
        #expect(results[0].imagesRead == 60 && results[1].imagesRead == 0)
        // Same features, same seed: the same fine-tuning.
        #expect(results[0].validation == results[1].validation)
        // One directory per part (train, validation), each with its manifest.
        let directories = try FileManager.default.contentsOfDirectory(atPath: scratch.url.path)
        #expect(directories.count == 2)
    }

    @Test func aModelThatTakesAnotherSideIsRefused() throws {
        let (task, _, _) = tinyTask(side: 32)
        #expect(throws: (any Error).self) {
            try CIFARFineTuning(training: tinyTraining, featureDirectory: nil).run(try fixtureModel("densenet"), as: .denseNet201,
                                                                                   identity: "densenet", on: task, say: { _ in })
        }
    }

    @Test func theMiniTaskSplitsEachHeldOutDishFiveToOne() {
        let task = CIFARTask.miniFood(seed: 0, perClass: 12)
        #expect(task.classNames.count == 10 && task.train.count == 100 && task.validation.count == 20)
        #expect((0..<10).allSatisfy { label in (0..<task.train.count).filter { task.train.label(at: $0) == label }.count == 10 })
        // The validation images are the last two of each class, not any training image.
        let train = task.train as! DatasetSubset, validation = task.validation as! DatasetSubset
        #expect(Set(train.indices).isDisjoint(with: validation.indices))
        #expect(task.imageSide == 32 && task.upscaling == "none")
    }

    @Test func aCIFARSubsetTakesTheFirstImagesOfEachClassAndUpscales() throws {
        let scratch = try ScratchDirectory()
        try writeCIFAR10Batches(to: scratch.url, trainLabels: [0, 1, 0, 0, 1, 1, 0], testLabels: [1, 0, 1, 0], classNames: ["first", "second"])
        let task = try CIFARTask.cifar10(directory: scratch.url, side: 64, perClass: 2)
        let train = task.train as! DatasetSubset, test = task.validation as! DatasetSubset
        #expect(train.indices == [0, 1, 2, 4] && test.indices == [0, 1])
        #expect(task.upscaling == "bilinear from 32 px")
        #expect(try task.train.image(at: 0).width == 64)
        let native = try CIFARTask.cifar10(directory: scratch.url, side: 32, perClass: nil)
        #expect(native.train.count == 7 && native.upscaling == "none")
        #expect(try native.validation.image(at: 0).width == 32)
    }
}
