// timm's config.json, as `save_for_hf` / `push_to_hf_hub` write it: the architecture (a name in
// timm's registry), the class count and names, the constructor arguments that differ from the
// architecture's defaults (`model_args`, absent from older checkpoints), and `pretrained_cfg`,
// whose input size, interpolation, crop fraction, mean and std define the eval preprocessing.
import Common
import Checkpoints
import Foundation

public struct TimmConfig: HuggingFaceConfig {
    public var architecture: String
    public var numClasses: Int
    public var numFeatures: Int?
    public var globalPool: String?
    /// Class names by class index (`label_names`), when the checkpoint has them.
    public var labelNames: [String]?
    public var modelArgs: [String: JSONValue]
    public var pretrainedConfig: PretrainedConfig
    /// Keys this type does not interpret (`label_descriptions`, ...), kept for writing back.
    public var otherKeys: [String: JSONValue]

    /// The part of `pretrained_cfg` that preprocessing and construction read. Absent values take
    /// timm's defaults (`resolve_data_config`); every key is kept for writing back.
    public struct PretrainedConfig: Codable, Equatable, Sendable {
        public var inputSize: [Int]
        public var interpolation: String
        public var cropPercentage: Double
        public var cropMode: String
        public var mean: [Double]
        public var std: [Double]
        public var values: [String: JSONValue]

        public init(from decoder: Swift.Decoder) throws {
            values = try decoder.singleValueContainer().decode([String: JSONValue].self)
            let c = try decoder.container(keyedBy: Key.self)
            inputSize = try c.decodeIfPresent([Int].self, forKey: .inputSize) ?? [3, 224, 224]
            interpolation = try c.decodeIfPresent(String.self, forKey: .interpolation) ?? "bicubic"
            // timm's DEFAULT_CROP_PCT and IMAGENET_DEFAULT_MEAN / _STD.
            cropPercentage = try c.decodeIfPresent(Double.self, forKey: .cropPercentage) ?? 0.875
            cropMode = try c.decodeIfPresent(String.self, forKey: .cropMode) ?? "center"
            mean = try c.decodeIfPresent([Double].self, forKey: .mean) ?? [0.485, 0.456, 0.406]
            std = try c.decodeIfPresent([Double].self, forKey: .std) ?? [0.229, 0.224, 0.225]
            guard inputSize.count == 3, inputSize.allSatisfy({ $0 > 0 }) else {
                throw DecodingError.dataCorruptedError(forKey: .inputSize, in: c, debugDescription: "expected [channels, height, width], got \(inputSize)")
            }
            // Checked here, as thrown errors (the numeric modules are built -Ounchecked): sizes
            // an image processor can make, and finite numbers it can divide by.
            try c.requirePositive(inputSize[0], .inputSize, atMost: ConfigLimits.maximumChannels)
            try c.requirePositive(max(inputSize[1], inputSize[2]), .inputSize, atMost: 4096)
            guard mean.count == inputSize[0], std.count == inputSize[0] else {
                throw DecodingError.dataCorruptedError(forKey: .mean, in: c, debugDescription: "mean and std need \(inputSize[0]) values")
            }
            for value in mean { try c.requireFinite(value, .mean, in: -1e6...1e6) }
            for value in std { try c.requireFinite(abs(value), .std, in: 1e-12...1e6) }
            try c.requireFinite(cropPercentage, .cropPercentage, in: 0.01...2)
        }

        public func encode(to encoder: Swift.Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(values)
        }

        enum Key: String, CodingKey {
            case inputSize = "input_size", interpolation, cropPercentage = "crop_pct", cropMode = "crop_mode", mean, std
        }
    }

    enum Key: String, CodingKey, CaseIterable {
        case architecture, numClasses = "num_classes", numFeatures = "num_features", globalPool = "global_pool"
        case labelNames = "label_names", modelArgs = "model_args", pretrainedConfig = "pretrained_cfg"
    }

    public init(from decoder: Swift.Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        architecture = try c.decode(String.self, forKey: .architecture)
        // Configs of timm before 0.9 are one flat dictionary: pretrained_cfg with the architecture in it.
        pretrainedConfig = try c.decodeIfPresent(PretrainedConfig.self, forKey: .pretrainedConfig) ?? PretrainedConfig(from: decoder)
        numClasses = try c.decodeIfPresent(Int.self, forKey: .numClasses) ?? pretrainedConfig.values["num_classes"]?.int ?? 1000
        numFeatures = try c.decodeIfPresent(Int.self, forKey: .numFeatures)
        globalPool = try c.decodeIfPresent(String.self, forKey: .globalPool)
        labelNames = try c.decodeIfPresent([String].self, forKey: .labelNames)
        modelArgs = try c.decodeIfPresent([String: JSONValue].self, forKey: .modelArgs) ?? [:]
        try c.requirePositive(numClasses, .numClasses)
        if let labelNames, labelNames.count != numClasses {
            throw DecodingError.dataCorruptedError(forKey: .labelNames, in: c,
                                                   debugDescription: "\(labelNames.count) names for \(numClasses) classes")
        }
        let all = try decoder.singleValueContainer().decode([String: JSONValue].self)
        let known = Set(Key.allCases.map(\.rawValue))
        otherKeys = c.contains(.pretrainedConfig) ? all.filter { !known.contains($0.key) } : [:]
    }

    public func encode(to encoder: Swift.Encoder) throws {
        var values = otherKeys
        values["architecture"] = .string(architecture)
        values["num_classes"] = .number(Double(numClasses))
        if let numFeatures { values["num_features"] = .number(Double(numFeatures)) }
        if let globalPool { values["global_pool"] = .string(globalPool) }
        if let labelNames { values["label_names"] = .array(labelNames.map(JSONValue.string)) }
        if !modelArgs.isEmpty { values["model_args"] = .object(modelArgs) }
        var pretrained = pretrainedConfig
        pretrained.values["num_classes"] = .number(Double(numClasses))
        values["pretrained_cfg"] = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(pretrained))
        var container = encoder.singleValueContainer()
        try container.encode(values)
    }

    /// Class names by index: `label_names`, or the class indices as text.
    public var labels: [String] { labelNames ?? (0..<numClasses).map(String.init) }
}
