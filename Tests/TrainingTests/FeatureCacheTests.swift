// The feature cache: the same features in memory and on disk (across shards), reuse of a
// finished disk cache, and last-block fine-tuning from cached features matching fine-tuning
// through the frozen layers.
import Foundation
import Testing
import TensorCore
import TestSupport
@testable import Training

@Suite struct FeatureCaching {
    let model = ToyEncoder(width: 6, classes: 3, seed: 5)
    let data = ToyRun.data

    func frozenFeatures(_ range: Range<Int>) -> Tensor { model.frozenPart(data.batch(Array(range)).inputs) }

    @Test func memoryAndDiskHoldTheSameFeatures() throws {
        let scratch = try ScratchDirectory()
        let memory = try FeatureCache(count: 40, batchSize: 16, location: .memory, key: "toy", compute: frozenFeatures)
        // 24-byte items, 4 to a shard: 10 shards.
        let disk = try FeatureCache(count: 40, batchSize: 16, location: .disk(scratch.url), key: "toy", shardBytes: 100,
                                    compute: frozenFeatures)
        #expect(memory.itemShape == [6] && disk.itemShape == [6])
        let shards = try FileManager.default.contentsOfDirectory(atPath: scratch.url.path).filter { $0.hasSuffix(".safetensors") }
        #expect(shards.count == 10)
        let indices = [39, 0, 17, 4, 4, 23]
        let direct = GradMode.with(enabled: false) { model.frozenPart(data.batch(indices).inputs) }
        #expect(try memory.features(indices).scalars == direct.scalars)
        #expect(try disk.features(indices).scalars == direct.scalars)
    }

    @Test func aFinishedDiskCacheIsReusedAndAStaleOneRecomputed() throws {
        let scratch = try ScratchDirectory()
        var computed = 0
        func counting(_ range: Range<Int>) -> Tensor {
            computed += range.count
            return frozenFeatures(range)
        }
        _ = try FeatureCache(count: 40, batchSize: 16, location: .disk(scratch.url), key: "toy v1", compute: counting)
        #expect(computed == 40)
        let reused = try FeatureCache(count: 40, batchSize: 16, location: .disk(scratch.url), key: "toy v1", compute: counting)
        #expect(computed == 40)
        #expect(try reused.features([7]).scalars == GradMode.with(enabled: false) { frozenFeatures(7..<8).scalars })
        _ = try FeatureCache(count: 40, batchSize: 16, location: .disk(scratch.url), key: "toy v2", compute: counting)
        #expect(computed == 80)
    }

    @Test func automaticKeepsSmallCachesInMemory() throws {
        let scratch = try ScratchDirectory()
        _ = try FeatureCache(count: 40, batchSize: 16, location: .automatic(directory: scratch.url, memoryBudget: 40 * 24),
                             key: "toy", compute: frozenFeatures)
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.url.path).isEmpty)
        _ = try FeatureCache(count: 40, batchSize: 16, location: .automatic(directory: scratch.url, memoryBudget: 40 * 24 - 1),
                             key: "toy", compute: frozenFeatures)
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.url.path).contains("features.json"))
    }

    /// Training the last block and head on cached features gives the weights that training them
    /// through the frozen layers gives.
    @Test func trainingFromCachedFeaturesMatchesTrainingThroughTheFrozenLayers() throws {
        let configuration = ToyRun.configuration()
        let labels = data.labels

        let throughFrozen = ToyEncoder(width: 6, classes: 3, seed: 5)
        let direct = Trainer(parameters: throughFrozen.parameters, trainable: .lastBlocks(1), configuration: configuration,
                             examplesPerEpoch: 40, progress: .none)
        try direct.fit(batch: { indices, _ in data.batch(indices) },
                       loss: { crossEntropy(throughFrozen.logits($0.inputs), labels: $0.labels) })

        let fromCache = ToyEncoder(width: 6, classes: 3, seed: 5)
        let cache = try FeatureCache(count: 40, batchSize: 16, location: .memory, key: "toy") { range in
            fromCache.frozenPart(data.batch(Array(range)).inputs)
        }
        let cached = Trainer(parameters: fromCache.parameters, trainable: .lastBlocks(1), configuration: configuration,
                             examplesPerEpoch: 40, progress: .none)
        try cached.fit(batch: { indices, _ in (features: try cache.features(indices), labels: indices.map { labels[$0] }) },
                       loss: { crossEntropy(fromCache.trainedPart($0.features), labels: $0.labels) })

        var worst: Float = 0
        for ((name, expected), (_, actual)) in zip(throughFrozen.parameters, fromCache.parameters) {
            worst = max(worst, relativeError(actual, expected))
            #expect(relativeError(actual, expected) <= 1e-6, "\(name)")
        }
        print("feature cache vs frozen forward: max relative weight error \(worst)")
    }
}
