// Single-block fine-tuning, as Malpure et al. (2021) ran it on CIFAR-10: a pretrained timm model
// gets a fresh classifier for the task's classes; everything up to its last block is frozen; that
// block and the classifier train with Adam at 1e-4 for 10 epochs in batches of 32.
//
// The frozen trunk runs in eval mode, so its output for an image never changes: it is computed
// once per image into a FeatureCache (on disk when it would not fit in memory) and every epoch
// after that costs only the trained part's forward and backward. Timings per epoch therefore
// count the trained part alone; the trunk's one pass is timed apart.
import Datasets
import Common
import Results
import Training
import Foundation
import Imaging
import Models
import TensorCore

public struct CIFARFineTuning: Sendable {
    public var training: TrainingConfiguration
    /// Where trunk features go when they exceed `memoryBudget` bytes (a directory per model and
    /// task is made inside), or nil to keep them in memory.
    public var featureDirectory: URL?
    public var memoryBudget: Int
    /// Images per batch through the frozen trunk.
    public var trunkBatchSize: Int

    /// The study's setting: Adam (no weight decay) at 1e-4, 10 epochs, batches of 32, the order
    /// reshuffled every epoch from `seed`.
    public static func study(seed: UInt64) -> TrainingConfiguration {
        TrainingConfiguration(optimizer: AdamWHyperparameters(learningRate: 1e-4, weightDecay: 0), epochs: 10, batchSize: 32, seed: seed)
    }

    public init(training: TrainingConfiguration, featureDirectory: URL?, memoryBudget: Int = 2 << 30, trunkBatchSize: Int = 32) {
        self.training = training
        self.featureDirectory = featureDirectory
        self.memoryBudget = memoryBudget
        self.trunkBatchSize = trunkBatchSize
    }

    /// Fine-tunes `model`'s last block and a new classifier on `task` and measures the result.
    /// `identity` names the pretrained weights (a checkpoint's path and size, a cache entry): with
    /// the task, it keys the disk cache of trunk features so that a stale one is never reused.
    public func run(_ model: any TimmClassifier, as name: CIFARModel, identity: String, on task: CIFARTask,
                    say: (String) -> Void) throws -> CIFARRun {
        let input = model.config.pretrainedConfig.inputSize
        guard input[1] == task.imageSide, input[2] == task.imageSide else {
            throw ChapterError("\(name.rawValue) takes \(input[1])x\(input[2]) images but the task serves \(task.imageSide)x\(task.imageSide)")
        }
        var generator = SeededGenerator(seed: training.seed).derived("classifier")
        model.resetClassifier(classes: task.classNames.count, using: &generator)
        model.freezeAllButFineTuned()
        let trained = Set(model.fineTunedParameters.map(\.name))

        let processor = try normalisation(model.config)
        let trunkStarted = ContinuousClock.now
        let fineTuned = SHA256.hex(trained.sorted().joined(separator: ",").utf8).prefix(12)
        let key = "\(identity) | \(name.rawValue), trunk before the fine-tuned parameters \(fineTuned) | \(task.description)"
        let trainFeatures = try trunkFeatures(model, task.train, processor: processor, key: key + " | train", say: say)
        let validationFeatures = try trunkFeatures(model, task.validation, processor: processor, key: key + " | validation", say: say)
        let trunkSeconds = (ContinuousClock.now - trunkStarted).inSeconds
        let trainLabels = (0..<task.train.count).map(task.train.label(at:))
        let validationLabels = (0..<task.validation.count).map(task.validation.label(at:))

        // Under MPI each rank trains on its slice of every batch, unless batch norms train on the
        // batch's statistics (DenseNet): splitting would change them, so each rank computes it all.
        let trainer = Trainer(parameters: model.namedParameters, trainable: .matching { trained.contains($0) },
                              configuration: training, examplesPerEpoch: task.train.count,
                              coupling: model.normalisesWithBatchStatistics ? .replicated : .independent, progress: .none)
        let lastEpoch = training.epochs - 1
        // Image by image, for the bootstrap intervals: the last epoch's training batches, and the
        // latest validation pass.
        var trainHits: [(step: Int, flag: Bool)] = [], validationHits = ClassificationHits(classNames: task.validation.classNames)
        var trainSeconds: [Double] = [], validationSeconds: [Double] = []
        var epochStarted = ContinuousClock.now
        try withoutActuallyEscaping(say) { say in
            try trainer.fit(
                batch: { indices, _ in (try trainFeatures.features(indices), indices.map { trainLabels[$0] }) },
                loss: { batch in
                    let (features, labels) = batch
                    let logits = model.lastBlockAndHead(features, training: true)
                    // Train accuracy as a training loop counts it: over the last epoch's batches, as they train.
                    if trainer.step / trainer.stepsPerEpoch == lastEpoch {
                        trainHits += topKHitsPerRow(logits, labels: labels, k: 1).map { (step: trainer.step, flag: $0) }
                    }
                    return crossEntropy(logits, labels: labels)
                },
                evaluate: {
                    trainSeconds.append((ContinuousClock.now - epochStarted).inSeconds)
                    let started = ContinuousClock.now
                    validationHits = try ClassificationHits.counting(classNames: task.validation.classNames, examples: validationLabels.count, batchSize: 256) { range in
                        (model.lastBlockAndHead(try validationFeatures.features(Array(range)), training: false), Array(validationLabels[range]))
                    }
                    let accuracy = validationHits.accuracy
                    validationSeconds.append((ContinuousClock.now - started).inSeconds)
                    let epoch = trainSeconds.count, losses = trainer.history.steps.filter { $0.epoch == epoch - 1 }.map { Double($0.loss) }
                    say(String(format: "%@: epoch %d/%d, loss %.3f, validation %.2f%% (train %.1f s, validation %.1f s)", name.rawValue,
                               epoch, training.epochs, losses.reduce(0, +) / Double(losses.count), 100 * accuracy.top1.value,
                               trainSeconds.last!, validationSeconds.last!))
                    epochStarted = ContinuousClock.now
                    return accuracy
                })
        }

        let resamples = BootstrapInterval.standardResamples
        let result = CIFARModelResult(
            name: name.rawValue, family: name.family, trainableParameters: model.fineTunedParameterCount,
            validation: bootstrappedAccuracy(validationHits.top1, resamples: resamples, seed: training.seed),
            train: bootstrappedAccuracy(try trainer.gatheredByStep(trainHits), resamples: resamples, seed: training.seed),
            trainSecondsPerEpoch: trainSeconds.reduce(0, +) / Double(trainSeconds.count),
            validationSecondsPerEpoch: validationSeconds.reduce(0, +) / Double(validationSeconds.count))
        return CIFARRun(result: result, trunkSeconds: trunkSeconds, images: task.train.count + task.validation.count,
                        featureBytesPerImage: trainFeatures.itemShape.reduce(MemoryLayout<Float>.size, *))
    }

    /// The frozen trunk's output for every image of `dataset`, computed once, batch by batch, as
    /// worker threads decode (and upscale) the images ahead of it. Under MPI each rank computes
    /// its batches (`FeatureCache.batchesComputedHere`) and decodes only their images.
    func trunkFeatures(_ model: any TimmClassifier, _ dataset: any Dataset, processor: TimmImageProcessor, key: String,
                       say: (String) -> Void) throws -> FeatureCache {
        let location: FeatureCache.Location = featureDirectory.map {
            .automatic(directory: $0.appendingPathComponent(String(SHA256.hex(key.utf8).prefix(16))), memoryBudget: memoryBudget)
        } ?? .memory
        // Started at the first batch: a finished disk cache is read without decoding an image.
        var stream: BatchStream<[Float]>?
        let side = processor.height, batchSize = trunkBatchSize, started = ContinuousClock.now
        let items = FeatureCache.batchesComputedHere(count: dataset.count, batchSize: batchSize).flatMap { Array($0) }
        var reported = started
        return try FeatureCache(count: dataset.count, batchSize: batchSize, location: location, key: key) { range in
            if stream == nil {
                stream = BatchStream(DatasetSubset(dataset, indices: items), batchSize: batchSize, order: .sequential) { processor.pixelValues([$0]) }
            }
            guard let batch = try stream!.next() else { preconditionFailure("the image stream ended before item \(range.lowerBound)") }
            precondition(batch.indices.map { items[$0] } == Array(range), "trunk batches must follow the image order")
            if (ContinuousClock.now - reported).inSeconds > 60 {
                reported = ContinuousClock.now
                say(String(format: "  trunk: %d of %d images, %.2f s per image", range.lowerBound, dataset.count,
                           (reported - started).inSeconds / Double(range.lowerBound)))
            }
            return model.trunk(Tensor(shape: [range.count, 3, side, side], scalars: Array(batch.items.joined())))
        }
    }
}

/// A model's fine-tuning: the numbers the results file keeps, and what the chapter narrates.
public struct CIFARRun: Sendable {
    public var result: CIFARModelResult
    /// The trunk's one pass over every training and validation image (or reading its disk cache).
    public var trunkSeconds: Double
    public var images: Int
    public var featureBytesPerImage: Int
}
