// timm's config.json: what is read from it, what is written back, and the errors a directory or
// configuration this package cannot load gives — each naming the file, tensor or argument.
import Checkpoints
import Foundation
import Models
import TensorCore
import TestSupport
import Testing

@Suite struct TimmConfigs {
    @Test func readsTheFixturesConfig() throws {
        let config = try fixtureCheckpoint("cait").config
        #expect(config.architecture == "cait_s24_224" && config.numClasses == 10 && config.globalPool == "token")
        #expect(config.modelArgs["depth"] == 3 && config.modelArgs["mlp_ratio_token_only"] == 3)
        #expect(config.pretrainedConfig.inputSize == [3, 32, 32] && config.pretrainedConfig.cropPercentage == 1)
        #expect(config.labels == (0..<10).map(String.init))
    }

    @Test func readsTheFlatConfigsOfOlderTimm() throws {
        let scratch = try ScratchDirectory()
        let url = scratch.url.appendingPathComponent("config.json")
        let flat = #"{"architecture": "densenet201", "num_classes": 1000, "num_features": 1920, "input_size": [3, 224, 224], "#
            + #""crop_pct": 0.875, "interpolation": "bicubic", "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225]}"#
        try Data(flat.utf8).write(to: url)
        let config = try TimmConfig(contentsOf: url)
        #expect(config.architecture == "densenet201" && config.pretrainedConfig.cropPercentage == 0.875)
        #expect(try TimmRegistry.makeModel(config).parameterCount > 20_000_000)
    }

    @Test func writesWhatItRead() throws {
        let scratch = try ScratchDirectory()
        for name in ["deit", "cait", "densenet"] {
            let config = try fixtureCheckpoint(name).config
            let url = scratch.url.appendingPathComponent("\(name).json")
            try config.write(to: url)
            #expect(try TimmConfig(contentsOf: url) == config)
        }
    }

    @Test func resettingTheClassifier() throws {
        let model = try fixtureCheckpoint("deit").loadModel()
        var generator = SystemRandomNumberGenerator()
        model.resetClassifier(classes: 3, using: &generator)
        #expect(model.config.numClasses == 3 && model.config.labelNames == nil && model.config.modelArgs["num_classes"] == 3)
        let head = model.fineTunedParameters.filter { $0.name.hasPrefix("head") }
        #expect(head.map(\.name) == ["head.weight", "head.bias", "head_dist.weight", "head_dist.bias"])
        #expect(head.allSatisfy { $0.tensor.scalars.allSatisfy { abs($0) <= 0.25 } && $0.tensor.scalars.contains { $0 != 0 } })
        #expect(model(Tensor(zeros: [1, 3, 32, 32])).shape == [1, 3])
    }

    @Test func freezingLeavesOnlyTheFineTunedBlockAndHead() throws {
        let model = try fixtureCheckpoint("densenet").loadModel()
        model.freezeAllButFineTuned()
        let trainable = model.namedParameters.filter(\.tensor.requiresGrad).map(\.name)
        #expect(trainable == model.fineTunedParameters.map(\.name))
        #expect(trainable.allSatisfy { $0.hasPrefix("features.denseblock4.denselayer3.") || $0.hasPrefix("classifier.") })
        #expect(!trainable.contains { $0.hasSuffix("running_mean") || $0.hasSuffix("running_var") })
    }
}

@Suite struct TimmErrors {
    /// A copy of the deit fixture whose config.json is edited by `edit`.
    func brokenCheckpoint(_ scratch: ScratchDirectory, of fixture: String = "deit", _ edit: (inout [String: Any]) -> Void) throws -> URL {
        let source = Fixtures.url("timm/\(fixture)")
        var config = try JSONSerialization.jsonObject(with: Data(contentsOf: source.appendingPathComponent("config.json"))) as! [String: Any]
        edit(&config)
        try JSONSerialization.data(withJSONObject: config).write(to: scratch.url.appendingPathComponent("config.json"))
        try FileManager.default.copyItem(at: source.appendingPathComponent("model.safetensors"),
                                         to: scratch.url.appendingPathComponent("model.safetensors"))
        return scratch.url
    }

    func loadingError(of fixture: String = "deit", _ edit: (inout [String: Any]) -> Void) throws -> String {
        let scratch = try ScratchDirectory()
        let directory = try brokenCheckpoint(scratch, of: fixture, edit)
        do {
            _ = try TimmCheckpoint(directory: directory).loadModel()
            return "no error"
        } catch {
            return String(describing: error)
        }
    }

    func setArgument(_ key: String, _ value: Any) -> (inout [String: Any]) -> Void {
        { config in
            var arguments = config["model_args"] as! [String: Any]
            arguments[key] = value
            config["model_args"] = arguments
        }
    }

    @Test func unknownArchitecture() throws {
        let message = try loadingError { $0["architecture"] = "resnet50" }
        #expect(message.contains("config.json") && message.contains("'resnet50' is not supported") && message.contains("densenet201"))
    }

    @Test func unsupportedArgument() throws {
        let message = try loadingError(setArgument("qk_norm", true))
        #expect(message.contains("config.json") && message.contains("qk_norm = true is not supported"))
        #expect(try loadingError(setArgument("global_pool", "avg")).contains("global_pool = \"avg\" is not supported"))
    }

    @Test func badArgument() throws {
        #expect(try loadingError(setArgument("depth", "two")).contains("depth should be an integer in 1...1024"))
        #expect(try loadingError(setArgument("num_heads", 3)).contains("num_heads should be a divisor of embed_dim 16"))
    }

    @Test func weightsOfAnotherGeometry() throws {
        let message = try loadingError(setArgument("embed_dim", 32))
        #expect(message.contains("model.safetensors") && message.contains("has shape [1, 1, 16], expected [1, 1, 32]"))
        let missing = try loadingError(setArgument("depth", 3))
        #expect(missing.contains("'blocks.2.norm1.weight' is missing"))
    }

    @Test func badPretrainedConfig() throws {
        let message = try loadingError { config in
            var pretrained = config["pretrained_cfg"] as! [String: Any]
            pretrained["input_size"] = [32, 32]
            config["pretrained_cfg"] = pretrained
        }
        #expect(message.contains("config.json") && message.contains("'pretrained_cfg.input_size'") && message.contains("[channels, height, width]"))
    }

    @Test func directoryWithoutWeights() throws {
        let scratch = try ScratchDirectory()
        try FileManager.default.copyItem(at: Fixtures.url("timm/deit/config.json"), to: scratch.url.appendingPathComponent("config.json"))
        #expect(throws: CheckpointError.noWeights(directory: scratch.url.path)) { try TimmCheckpoint(directory: scratch.url) }
    }
}
