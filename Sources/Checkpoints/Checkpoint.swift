// A Hugging Face model directory, as save_pretrained writes it: config.json, and the weights either
// in model.safetensors or in shards listed by model.safetensors.index.json. Preprocessor and
// tokenizer files sit beside them.
import Foundation
import TensorCore

public final class Checkpoint: @unchecked Sendable {
    public static let configFileName = "config.json"
    public static let weightsFileName = "model.safetensors"
    public static let shardIndexFileName = "model.safetensors.index.json"
    static let pytorchFileNames = ["pytorch_model.bin", "pytorch_model.bin.index.json"]

    public let directory: URL
    public var configURL: URL { directory.appendingPathComponent(Self.configFileName) }
    /// config.json's `model_type`: "clip", "vit", ...
    public let modelType: String
    /// The safetensors files holding the weights: one, or the shards in name order.
    public var weightFiles: [URL] { files.map(\.url) }

    private let files: [SafeTensorsFile]
    /// For each tensor, its file in `files`.
    private let fileIndex: [String: Int]
    /// What errors about a missing tensor name: the weights file, or the shard index.
    private let weightsPath: String

    /// `directory`'s config.json, after checking that both exist: the first thing any checkpoint
    /// directory (Hugging Face's or timm's) is asked.
    public static func existingConfig(in directory: URL) throws -> URL {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CheckpointError.missingDirectory(path: directory.path)
        }
        let configURL = directory.appendingPathComponent(configFileName)
        guard FileManager.default.fileExists(atPath: configURL.path) else { throw CheckpointError.missingConfig(directory: directory.path) }
        return configURL
    }

    public init(directory: URL) throws {
        self.directory = directory
        let manager = FileManager.default
        modelType = try Self.readModelType(try Self.existingConfig(in: directory))

        let single = directory.appendingPathComponent(Self.weightsFileName)
        let index = directory.appendingPathComponent(Self.shardIndexFileName)
        if manager.fileExists(atPath: single.path) {
            let file = try SafeTensorsFile(contentsOf: single)
            files = [file]
            fileIndex = Dictionary(uniqueKeysWithValues: file.names.map { ($0, 0) })
            weightsPath = single.path
        } else if manager.fileExists(atPath: index.path) {
            (files, fileIndex) = try Self.openShards(index: index)
            weightsPath = index.path
        } else if let pytorch = Self.pytorchFileNames.first(where: { manager.fileExists(atPath: directory.appendingPathComponent($0).path) }) {
            throw CheckpointError.pytorchWeightsOnly(directory: directory.path, file: pytorch)
        } else {
            throw CheckpointError.noWeights(directory: directory.path)
        }
    }

    /// Decodes config.json as `type` (CLIPConfig, ViTConfig, ...).
    public func config<Config: HuggingFaceConfig>(_ type: Config.Type = Config.self) throws -> Config {
        try Config(contentsOf: configURL)
    }

    /// Tensor names across all weight files, sorted.
    public var names: [String] { fileIndex.keys.sorted() }

    public func shape(of name: String) -> [Int]? {
        fileIndex[name].flatMap { files[$0].shape(of: name) }
    }

    /// Reads `name` as Float32, checking its shape when `shape` is given.
    public func tensor(_ name: String, shape: [Int]? = nil) throws -> Tensor {
        guard let index = fileIndex[name] else { throw CheckpointError.missingTensor(name: name, file: weightsPath) }
        return try files[index].tensor(name, shape: shape)
    }

    /// A file of the checkpoint directory (preprocessor_config.json, vocab.json, ...), if present.
    public func fileURL(_ name: String) -> URL? {
        let url = directory.appendingPathComponent(name)
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }

    private static func readModelType(_ configURL: URL) throws -> String {
        let object = try readJSONObject(configURL)
        guard let modelType = object["model_type"] as? String else {
            throw CheckpointError.badConfig(file: configURL.path, reason: "'model_type' is missing")
        }
        return modelType
    }

    /// Opens the shards named by a safetensors index and checks that each holds the tensors mapped to it.
    private static func openShards(index: URL) throws -> ([SafeTensorsFile], [String: Int]) {
        guard let weightMap = try readJSONObject(index)["weight_map"] as? [String: String] else {
            throw CheckpointError.badConfig(file: index.path, reason: "'weight_map' must map tensor names to file names")
        }
        let shardNames = Set(weightMap.values).sorted()
        // A shard is a file beside the index: a name with a slash (or "..") would read elsewhere.
        if let outside = shardNames.first(where: { $0.isEmpty || $0 == "." || $0 == ".." || $0.contains("/") || $0.contains("\0") }) {
            throw CheckpointError.badConfig(file: index.path, reason: "'weight_map' names shard '\(outside)', which is not a file name in \(index.deletingLastPathComponent().path)")
        }
        let shardIndex = Dictionary(uniqueKeysWithValues: shardNames.enumerated().map { ($1, $0) })
        let shards = try shardNames.map { try SafeTensorsFile(contentsOf: index.deletingLastPathComponent().appendingPathComponent($0)) }
        var fileIndex: [String: Int] = [:]
        for (name, shardName) in weightMap {
            let shard = shardIndex[shardName]!
            guard shards[shard].shape(of: name) != nil else {
                throw CheckpointError.missingTensor(name: name, file: shards[shard].url.path)
            }
            fileIndex[name] = shard
        }
        return (shards, fileIndex)
    }

    private static func readJSONObject(_ url: URL) throws -> [String: Any] {
        let data: Data
        try MappedFile.requireRegularFile(url.path)
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw CheckpointError.cannotOpen(file: url.path, reason: error.localizedDescription)
        }
        guard let object = try? JSONSerialization.jsonObject(with: data), let dictionary = object as? [String: Any] else {
            throw CheckpointError.badConfig(file: url.path, reason: nonFiniteNumber(in: data) ?? "not a JSON object")
        }
        return dictionary
    }
}

extension Checkpoint: CustomStringConvertible {
    /// One line for logs and the command line: type, place, and where the weights are.
    public var description: String {
        "\(modelType) checkpoint at \(directory.path): \(fileIndex.count) tensors in "
            + weightFiles.map(\.lastPathComponent).joined(separator: ", ")
    }
}
