// Issue #28's config rows for timm's checkpoints (the cifar chapter's DeiT, CaiT and DenseNet):
// values no model can be built from are refused when config.json is read, before anything is
// allocated, in one line naming the file, the key and the rule; never a trap, a division by zero
// or an allocation abort (the numeric modules are built -Ounchecked).
import Foundation
import Models
import TestSupport
import Testing

/// A config.json edit, the fixture it applies to, and what the refusal must say besides the file.
struct TimmConfigDamage: Sendable, CustomStringConvertible {
    let fixture: String
    let description: String
    let edit: @Sendable (inout [String: Any]) -> Void
    let expected: String

    /// Sets `model_args[key]`.
    static func argument(_ key: String, _ value: any Sendable, of fixture: String = "deit", expect expected: String) -> Self {
        Self(fixture: fixture, description: "\(fixture) model_args.\(key) = \(value)", edit: { config in
            var arguments = config["model_args"] as! [String: Any]
            arguments[key] = value
            config["model_args"] = arguments
        }, expected: expected)
    }

    /// Sets `pretrained_cfg[key]`.
    static func pretrained(_ key: String, _ value: any Sendable, of fixture: String = "deit", expect expected: String) -> Self {
        Self(fixture: fixture, description: "\(fixture) pretrained_cfg.\(key) = \(value)", edit: { config in
            var pretrained = config["pretrained_cfg"] as! [String: Any]
            pretrained[key] = value
            config["pretrained_cfg"] = pretrained
        }, expected: expected)
    }
}

private let damages: [TimmConfigDamage] = [
    .argument("patch_size", 0, expect: "model argument patch_size should be an integer in 1...32, found 0"),
    .argument("num_heads", 0, expect: "model argument num_heads should be an integer in 1...16, found 0"),
    .argument("num_heads", 3, expect: "model argument num_heads should be a divisor of embed_dim 16, found 3"),
    .argument("embed_dim", -32, expect: "model argument embed_dim should be an integer in 1...1048576, found -32"),
    .argument("depth", -1, expect: "model argument depth should be an integer in 1...1024, found -1"),
    .argument("depth", 0, of: "cait", expect: "model argument depth should be an integer in 1...1024, found 0"),
    .argument("img_size", 1_000_000_000, expect: "model argument img_size should be an integer in 1...4096 or [height, width], found 1000000000"),
    .argument("img_size", [4096, 4096], expect: "model argument img_size should be at most 16382 patches of patch_size 8, found 4096x4096"),
    .argument("mlp_ratio", -1, expect: "model argument mlp_ratio should be a finite number in 0.01...64.0, found -1"),
    .argument("in_chans", -3, expect: "model argument in_chans should be 3, as pretrained_cfg's input_size, found -3"),
    .argument("embed_dim", 65536, expect: "model argument embed_dim should be a model of at most 2147483648 parameters"),
    .argument("depth_token_only", 0, of: "cait", expect: "model argument depth_token_only should be an integer in 1...1024, found 0"),
    .argument("mlp_ratio_token_only", 0.001, of: "cait", expect: "model argument mlp_ratio_token_only should be a finite number in 0.01...64.0, found 0.001"),
    .argument("growth_rate", 0, of: "densenet", expect: "model argument growth_rate should be an integer in 1...4096, found 0"),
    .argument("block_config", [Int](), of: "densenet", expect: "model argument block_config should be a list of 1 to 8 integers in 1...1024, found []"),
    .argument("block_config", [2, -1], of: "densenet", expect: "model argument block_config should be a list of 1 to 8 integers in 1...1024"),
    .argument("block_config", [2, 2, 2, 2, 2], of: "densenet", expect: "pretrained_cfg.input_size should be sides of at least 64 pixels for 5 dense blocks, found [3, 48, 48]"),
    .argument("growth_rate", 4096, of: "densenet", expect: "model argument growth_rate should be a model of at most 2147483648 parameters"),
    .argument("bn_size", 1000, of: "densenet", expect: "model argument bn_size should be an integer in 1...64, found 1000"),
    .pretrained("input_size", [3, 1_000_000_000, 1_000_000_000], expect: "'pretrained_cfg.input_size': must be between 1 and 4096, got 1000000000"),
    .pretrained("input_size", [-3, 32, 32], of: "densenet", expect: "'pretrained_cfg.input_size': expected [channels, height, width], got [-3, 32, 32]"),
    .pretrained("std", [0.2, 0, 0.2], expect: "'pretrained_cfg.std': must be a finite number in 1e-12...1000000.0, got 0.0"),
    .pretrained("crop_pct", 0, of: "cait", expect: "'pretrained_cfg.crop_pct': must be a finite number in 0.01...2.0, got 0.0"),
    TimmConfigDamage(fixture: "densenet", description: "num_classes 1e12", edit: { config in
        config["num_classes"] = 1_000_000_000_000
        var arguments = config["model_args"] as! [String: Any]
        arguments["num_classes"] = 1_000_000_000_000
        config["model_args"] = arguments
    }, expected: "'num_classes': must be between 1 and 1048576, got 1000000000000"),
    TimmConfigDamage(fixture: "deit", description: "num_classes -5", edit: { $0["num_classes"] = -5 },
                     expected: "'num_classes': must be between 1 and 1048576, got -5"),
]

@Suite struct HostileTimmConfigTests {
    @Test(arguments: damages)
    func aConfigNoModelCanBeBuiltFromIsRefusedNamingTheKeyAndRule(_ damage: TimmConfigDamage) throws {
        let message = try TimmErrors().loadingError(of: damage.fixture, damage.edit)
        #expect(message.contains("/config.json is not a valid config: "), "\(message)")
        #expect(message.contains(damage.expected), "\(message)")
        #expect(!message.contains("\n"))
    }

    @Test("the fixtures' own configs, and the mini cifar chapter's, still load")
    func validConfigsStillLoad() throws {
        for name in ["deit", "cait", "densenet"] {
            #expect(try TimmCheckpoint(directory: Fixtures.url("timm/\(name)")).loadModel().parameterCount > 0)
        }
    }
}
