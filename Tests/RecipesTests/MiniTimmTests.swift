// The mini timm models: timm's initial weights, pretraining that trains every layer, and the
// cache that keeps the result by recipe and rebuilds a damaged copy.
import Common
import Foundation
import Models
@testable import Recipes
import TensorCore
import TestSupport
import Testing

func miniModel(_ model: CIFARModel, seed: UInt64 = 1) throws -> any TimmClassifier {
    let network = try TimmRegistry.makeModel(MiniTimm.config(model, arguments: MiniTimm.modelArguments(model),
                                                             labels: (0..<7).map { "class \($0)" }))
    initializeLikeTimm(network, seed: seed)
    return network
}

func statistics(_ tensor: Tensor) -> (mean: Double, std: Double, maxAbs: Double) {
    let values = tensor.scalars.map(Double.init)
    let mean = values.reduce(0, +) / Double(values.count)
    let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
    return (mean, variance.squareRoot(), values.map(abs).max()!)
}

@Suite struct MiniTimmTests {
    @Test func transformersStartAsTimmStartsThem() throws {
        for model in [CIFARModel.deitBaseDistilled, .caitS24] {
            let parameters = Dictionary(uniqueKeysWithValues: try miniModel(model).namedParameters.map { ($0.name, $0.tensor) })
            for name in ["blocks.0.attn.qkv.weight", "blocks.3.mlp.fc1.weight", "head.weight", "pos_embed"] {
                let (mean, std, _) = statistics(parameters[name]!)
                #expect(abs(mean) < 0.003 && abs(std - 0.02) < 0.002, "\(model) \(name): mean \(mean), std \(std)")
            }
            for name in ["blocks.0.attn.qkv.bias", "blocks.0.norm1.bias", "norm.bias", "head.bias"] {
                #expect(parameters[name]!.scalars.allSatisfy { $0 == 0 }, "\(model) \(name)")
            }
            #expect(parameters["blocks.2.norm2.weight"]!.scalars.allSatisfy { $0 == 1 })
            // The patch projection keeps torch's Conv2d default: uniform in ±1/√(3·8·8).
            let bound = 1 / Double(3 * 8 * 8).squareRoot(), patch = statistics(parameters["patch_embed.proj.weight"]!)
            #expect(patch.maxAbs <= bound && patch.maxAbs > 0.9 * bound && abs(patch.std - bound / 3.squareRoot()) < 0.004)
        }
        let deit = Dictionary(uniqueKeysWithValues: try miniModel(.deitBaseDistilled).namedParameters.map { ($0.name, $0.tensor) })
        #expect(statistics(deit["cls_token"]!).maxAbs < 1e-5)
        #expect(abs(statistics(deit["dist_token"]!).std - 0.02) < 0.006)
        let cait = Dictionary(uniqueKeysWithValues: try miniModel(.caitS24).namedParameters.map { ($0.name, $0.tensor) })
        #expect(cait["blocks.1.gamma_1"]!.scalars.allSatisfy { $0 == 0.1 } && cait["blocks_token_only.1.gamma_2"]!.scalars.allSatisfy { $0 == 0.1 })
        #expect(abs(statistics(cait["cls_token"]!).std - 0.02) < 0.006)
    }

    @Test func denseNetStartsAsTimmStartsIt() throws {
        let parameters = Dictionary(uniqueKeysWithValues: try miniModel(.denseNet201).namedParameters.map { ($0.name, $0.tensor) })
        for (name, fanIn) in [("features.conv0.weight", 3 * 7 * 7), ("features.denseblock2.denselayer3.conv2.weight", 48 * 9),
                              ("features.transition1.conv.weight", 60)] {
            let (mean, std, _) = statistics(parameters[name]!)
            let expected = (2 / Double(fanIn)).squareRoot()
            #expect(abs(mean) < 0.1 * expected && abs(std - expected) < 0.1 * expected, "\(name): mean \(mean), std \(std), expected \(expected)")
        }
        #expect(parameters["features.norm5.weight"]!.scalars.allSatisfy { $0 == 1 } && parameters["features.norm5.bias"]!.scalars.allSatisfy { $0 == 0 })
        #expect(parameters["features.norm0.running_var"]!.scalars.allSatisfy { $0 == 1 })
        #expect(parameters["classifier.bias"]!.scalars.allSatisfy { $0 == 0 })
        let bound = 1 / Double(parameters["classifier.weight"]!.shape[1]).squareRoot()
        #expect(statistics(parameters["classifier.weight"]!).maxAbs <= bound)
    }

    @Test func initialisationDependsOnTheSeedAlone() throws {
        let first = try miniModel(.caitS24, seed: 5).namedParameters, again = try miniModel(.caitS24, seed: 5).namedParameters
        let other = try miniModel(.caitS24, seed: 6).namedParameters
        #expect(zip(first, again).allSatisfy { $0.tensor.scalars == $1.tensor.scalars })
        #expect(first.first { $0.name == "blocks.0.attn.qkv.weight" }!.tensor.scalars != other.first { $0.name == "blocks.0.attn.qkv.weight" }!.tensor.scalars)
    }

    /// Quick pretraining moves every parameter away from its initial value (DenseNet's stem
    /// included: its batch norms train on batch statistics), and the cache returns the same entry
    /// until a file is damaged, when it pretrains again.
    @Test(arguments: CIFARModel.allCases)
    func pretrainingTrainsEveryLayerAndIsCachedByRecipe(model: CIFARModel) throws {
        let scratch = try ScratchDirectory()
        var lines: [String] = []
        let recipe = MiniTimmRecipe.quick(model, seed: 2)
        let entry = try MiniModelCache(root: scratch.url).checkpoint(for: recipe, say: { lines.append($0) })
        let pretrained = try TimmCheckpoint(directory: entry).loadModel()
        let initial = try TimmRegistry.makeModel(pretrained.config)
        initializeLikeTimm(initial, seed: 2)
        for ((name, trained), (_, start)) in zip(pretrained.namedParameters, initial.namedParameters) where !name.hasSuffix("num_batches_tracked") {
            #expect(trained.scalars != start.scalars, "\(model) \(name) did not train")
        }
        #expect(pretrained.config.numClasses == 283)
        #expect(try MiniModelCache.pretrainingRun(at: entry).epochs.count == 1)

        lines.removeAll()
        #expect(try MiniModelCache(root: scratch.url).checkpoint(for: recipe, say: { lines.append($0) }) == entry)
        #expect(lines.count == 1 && lines[0].contains("cached"), "\(lines)")

        let weights = entry.appendingPathComponent("model.safetensors")
        let handle = try FileHandle(forWritingTo: weights)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data([0]))
        try handle.close()
        lines.removeAll()
        #expect(try MiniModelCache(root: scratch.url).checkpoint(for: recipe, say: { lines.append($0) }) == entry)
        #expect(lines.first?.contains("damaged") == true, "\(lines)")
        guard case .success = MiniModelCache.verify(entry, key: try runKey(recipe), recipe: MiniTimmRecipe.self) else {
            Issue.record("the rebuilt entry does not match its record")
            return
        }
        // Nothing else is left in the cache directory: no temporary or discarded copies.
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.url.path) == [entry.lastPathComponent])
    }
}
