// The timm architectures this package builds, with the arguments timm's registry gives each name
// (timm/models/deit.py, cait.py, densenet.py). config.json and model_args override them.
import Common
import Checkpoints
import TensorCore

public enum TimmFamily: Sendable {
    case distilledVisionTransformer, cait, denseNet
}

public enum TimmRegistry {
    static let entries: [String: (family: TimmFamily, defaults: [String: JSONValue])] = {
        func vit(_ width: Int, _ depth: Int, _ heads: Int) -> [String: JSONValue] {
            ["patch_size": 16, "embed_dim": .number(Double(width)), "depth": .number(Double(depth)), "num_heads": .number(Double(heads))]
        }
        func cait(_ width: Int, _ depth: Int, _ heads: Int, _ initValues: Double) -> [String: JSONValue] {
            vit(width, depth, heads).merging(["init_values": .number(initValues)]) { $1 }
        }
        func denseNet(_ growth: Int, _ blocks: [Int]) -> [String: JSONValue] {
            ["growth_rate": .number(Double(growth)), "block_config": .array(blocks.map { .number(Double($0)) })]
        }
        var entries: [String: (TimmFamily, [String: JSONValue])] = [
            "deit_tiny_distilled_patch16_224": (.distilledVisionTransformer, vit(192, 12, 3)),
            "deit_small_distilled_patch16_224": (.distilledVisionTransformer, vit(384, 12, 6)),
            "deit_base_distilled_patch16_224": (.distilledVisionTransformer, vit(768, 12, 12)),
            "deit_base_distilled_patch16_384": (.distilledVisionTransformer, vit(768, 12, 12)),
            "densenet121": (.denseNet, denseNet(32, [6, 12, 24, 16])),
            "densenet169": (.denseNet, denseNet(32, [6, 12, 32, 32])),
            "densenet201": (.denseNet, denseNet(32, [6, 12, 48, 32])),
            "densenet161": (.denseNet, denseNet(48, [6, 12, 36, 24])),
        ]
        for (name, arguments) in [
            ("cait_xxs24_224", cait(192, 24, 4, 1e-5)), ("cait_xxs24_384", cait(192, 24, 4, 1e-5)),
            ("cait_xxs36_224", cait(192, 36, 4, 1e-5)), ("cait_xxs36_384", cait(192, 36, 4, 1e-5)),
            ("cait_xs24_384", cait(288, 24, 6, 1e-5)), ("cait_s24_224", cait(384, 24, 8, 1e-5)),
            ("cait_s24_384", cait(384, 24, 8, 1e-5)), ("cait_s36_384", cait(384, 36, 8, 1e-6)),
            ("cait_m36_384", cait(768, 36, 16, 1e-6)), ("cait_m48_448", cait(768, 48, 16, 1e-6)),
        ] {
            entries[name] = (.cait, arguments)
        }
        return entries
    }()

    public static var supportedArchitectures: [String] { entries.keys.sorted() }

    /// The family `architecture` belongs to (a pretrained tag after a dot, "densenet201.tv_in1k", is ignored).
    public static func family(of architecture: String) throws -> TimmFamily {
        try entry(architecture).family
    }

    static func entry(_ architecture: String) throws -> (family: TimmFamily, defaults: [String: JSONValue]) {
        let name = String(architecture.prefix { $0 != "." })
        guard let entry = entries[name] else { throw TimmError.unknownArchitecture(name, supported: supportedArchitectures) }
        return entry
    }

    static func arguments(_ config: TimmConfig) throws -> TimmArguments {
        try TimmArguments(architecture: config.architecture, defaults: entry(config.architecture).defaults, config: config)
    }

    /// The model `config` describes, with zero weights (load them from the checkpoint).
    public static func makeModel(_ config: TimmConfig) throws -> any TimmClassifier {
        switch try family(of: config.architecture) {
        case .distilledVisionTransformer: return try DistilledVisionTransformer(config)
        case .cait: return try Cait(config)
        case .denseNet: return try DenseNet(config)
        }
    }
}
