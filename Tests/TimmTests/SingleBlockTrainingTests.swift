// Single-block fine-tuning as the cifar chapter runs it: a fresh 10-class head, the trunk's
// features computed once into a FeatureCache, and the Trainer fitting the fine-tuned block and
// head from them. Only those change, with the running statistics of the batch norms after the
// trunk; the trunk's features stay what they were.
import Common
import Results
import Training
import Models
import TensorCore
import TestSupport
import Testing

@Suite struct SingleBlockTraining {
    @Test func denseNetFromCachedFeatures() throws {
        let model = try #require(try fixtureCheckpoint("densenet").loadModel() as? DenseNet)
        model.fineTunedLayer = 2
        var generator = SeededGenerator(seed: 5)
        model.resetClassifier(classes: 10, using: &generator)
        // 40 noise images with arbitrary labels: the block and head can only memorise them.
        let pixels = Tensor(uninitializedShape: [40, 3, 48, 48])
        for i in 0..<pixels.count { pixels.pointer[i] = Float(generator.unit()) * 2 - 1 }
        let labels = (0..<40).map { $0 % 10 }
        let cache = try FeatureCache(count: 40, batchSize: 16, location: .memory, key: "tiny densenet") { range in
            model.trunk(pixels.slice(range))
        }
        // The final block's input (8 channels at 1×1 for 48 px) and denselayer1's 4 new channels.
        #expect(cache.itemShape == [12, 1, 1])

        let before = Dictionary(uniqueKeysWithValues: model.namedParameters.map { ($0.name, $0.tensor.scalars) })
        let trained = Set(model.fineTunedParameters.map(\.name))
        let configuration = TrainingConfiguration(optimizer: AdamWHyperparameters(learningRate: 1e-2, weightDecay: 0),
                                                  epochs: 3, batchSize: 8, seed: 1)
        let trainer = Trainer(parameters: model.namedParameters, trainable: .matching { trained.contains($0) },
                              configuration: configuration, examplesPerEpoch: 40, progress: .none)
        try trainer.fit(batch: { indices, _ in (try cache.features(indices), indices.map { labels[$0] }) },
                        loss: { crossEntropy(model.lastBlockAndHead($0.0, training: true), labels: $0.1) })

        #expect(Set(trainer.optimizer.parameters.map(\.name)) == trained)
        let afterTrunk = "features.denseblock4.denselayer2."
        for (name, tensor) in model.namedParameters {
            let changed = tensor.scalars != before[name]!
            let isStatistic = name.hasSuffix("running_mean") || name.hasSuffix("running_var")
            let followsTrunk = name.hasPrefix(afterTrunk) || name.hasPrefix("features.denseblock4.denselayer3.") || name.hasPrefix("features.norm5.")
            #expect(changed == (trained.contains(name) || (isStatistic && followsTrunk)), "\(name)")
        }
        #expect(model.trunk(pixels.slice(0..<4)).scalars == (try cache.features([0, 1, 2, 3])).scalars)
        let epochs = trainer.history.epochs.map(\.meanLoss)
        #expect(epochs.count == 3 && epochs.last! < epochs.first!, "\(epochs)")
    }
}
