// Tiny checkpoints in the real file formats, for tests that run the paper preset: Hugging Face
// CLIP and ViT directories (config.json, model.safetensors, preprocessor_config.json, and for
// CLIP vocab.json, merges.txt and the tokenizer's configs) copied from the committed fixtures,
// optionally with fresh random weights of another seed, and timm directories of the three CIFAR
// models at the study's 224 px.
import Common
import Checkpoints
import Foundation
import Models
import TensorCore
import Recipes

public enum HuggingFaceFixture: String, CaseIterable, Sendable {
    case clip
    case vit

    /// The committed checkpoint: Tests/Fixtures/models/<kind>.
    public var committed: URL { Fixtures.url("models/\(rawValue)") }

    /// Copies the committed checkpoint's files into `directory` (links resolved). With
    /// `freshSeed`, model.safetensors instead holds the config's model initialised as
    /// transformers initialises it, from that seed, so that a test is tied to no fixed weights;
    /// `poisoned` then names a tensor whose values are all NaN, for a run that must diverge.
    @discardableResult
    public func write(to directory: URL, freshSeed: UInt64? = nil, poisoned: String? = nil) throws -> URL {
        precondition(poisoned == nil || freshSeed != nil, "HuggingFaceFixture: poisoning rewrites the weights, so it needs a fresh seed")
        let manager = FileManager.default
        try manager.createDirectory(at: directory, withIntermediateDirectories: true)
        for name in try manager.contentsOfDirectory(atPath: committed.path) where freshSeed == nil || name != Checkpoint.weightsFileName {
            try manager.copyItem(at: committed.appendingPathComponent(name).resolvingSymlinksInPath(), to: directory.appendingPathComponent(name))
        }
        guard let seed = freshSeed else { return directory }
        let checkpoint = try Checkpoint(directory: committed)
        let parameters: [(name: String, tensor: Tensor)]
        switch self {
        case .clip:
            let model = try CLIPModel(try checkpoint.config(CLIPConfig.self))
            model.initializeRandomly(seed: seed)
            parameters = model.namedParameters
        case .vit:
            let model = try ViTForImageClassification(try checkpoint.config(ViTConfig.self))
            model.initializeRandomly(seed: seed)
            parameters = model.namedParameters
        }
        if let poisoned {
            let tensor = try parameters.first { $0.name == poisoned }.unwrapped("\(rawValue) has no tensor \(poisoned)").tensor
            tensor.pointer.update(repeating: .nan, count: tensor.count)
        }
        try writeSafeTensors(Dictionary(uniqueKeysWithValues: parameters.map { ($0.name, $0.tensor) }), metadata: ["format": "pt"],
                             to: directory.appendingPathComponent(Checkpoint.weightsFileName))
        return directory
    }
}

public enum TimmFixture {
    /// Writes a randomly initialised timm checkpoint (config.json, model.safetensors) of
    /// `model`'s architecture at 224 px in 16 px patches, as the paper preset of `cifar` reads it,
    /// small enough for a test.
    @discardableResult
    public static func write(_ model: CIFARModel, to directory: URL, classes: Int = 5, seed: UInt64 = 9) throws -> URL {
        let arguments: [String: JSONValue] = switch model {
        case .deitBaseDistilled: ["embed_dim": 16, "depth": 2, "num_heads": 2, "mlp_ratio": 2]
        case .caitS24: ["embed_dim": 16, "depth": 2, "num_heads": 2, "mlp_ratio": 2, "mlp_ratio_token_only": 2, "init_values": .number(0.1)]
        case .denseNet201: ["growth_rate": 4, "block_config": .array([2, 2, 2, 3])]
        }
        let config = try MiniTimm.config(model, arguments: arguments, labels: (0..<classes).map { "class \($0)" }, side: 224)
        let network = try TimmRegistry.makeModel(config)
        initializeLikeTimm(network, seed: seed)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try config.write(to: directory.appendingPathComponent(Checkpoint.configFileName))
        try writeSafeTensors(Dictionary(uniqueKeysWithValues: network.namedParameters.map { ($0.name, $0.tensor) }),
                             to: directory.appendingPathComponent(Checkpoint.weightsFileName))
        return directory
    }
}

/// CIFAR-10's binary layout (records of a label byte and 3 x 32 x 32 pixels, a record's pixels all
/// `index * 30` within its file): `trainLabels` cut into data_batch_1..5 in order, the first file
/// taking what does not divide evenly (the reader refuses an empty file, so at least five), the
/// test records in test_batch.bin, `classNames` in batches.meta.txt.
public func writeCIFAR10Batches(to directory: URL, trainLabels: [Int], testLabels: [Int], classNames: [String]) throws {
    precondition(trainLabels.count >= 5 && !testLabels.isEmpty, "writeCIFAR10Batches: five training records and a test record at least")
    func records(_ labels: ArraySlice<Int>) -> Data {
        Data(labels.enumerated().flatMap { index, label in
            [UInt8(label)] + [UInt8](repeating: UInt8(truncatingIfNeeded: index * 30), count: 3 * 32 * 32)
        })
    }
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    try Data(classNames.map { $0 + "\n" }.joined().utf8).write(to: directory.appendingPathComponent("batches.meta.txt"))
    let perFile = trainLabels.count / 5, first = perFile + trainLabels.count % 5
    for number in 0..<5 {
        let start = number == 0 ? 0 : first + (number - 1) * perFile
        let end = number == 0 ? first : start + perFile
        try records(trainLabels[start..<end]).write(to: directory.appendingPathComponent("data_batch_\(number + 1).bin"))
    }
    try records(testLabels[...]).write(to: directory.appendingPathComponent("test_batch.bin"))
}
