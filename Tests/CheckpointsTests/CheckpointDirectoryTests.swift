// Hugging Face model directories: single-file and sharded weights, and what is wrong when they can't be read.
import Foundation
import Testing
import TensorCore
@testable import Checkpoints

@Suite struct CheckpointDirectoryTests {
    @Test func clipFixtureHoldsConfigWeightsAndTokenizerFiles() throws {
        let checkpoint = try Checkpoint(directory: Fixtures.model("clip"))
        #expect(checkpoint.modelType == "clip")
        #expect(checkpoint.weightFiles.map(\.lastPathComponent) == ["model.safetensors"])
        let config = try checkpoint.config(CLIPConfig.self)
        #expect(checkpoint.names.count == 5 + 2 * 16 * 2 + 4 + 2 + 1 + 2)
        #expect(checkpoint.shape(of: "text_model.embeddings.token_embedding.weight") == [config.textConfig.vocabSize, config.textConfig.hiddenSize])
        let patch = try checkpoint.tensor("vision_model.embeddings.patch_embedding.weight", shape: [32, 3, 32, 32])
        #expect(patch.scalars.contains { $0 != 0 })
        #expect(try checkpoint.tensor("logit_scale", shape: []).item == Float(log(20.0) as Double).roundedToHalf)
        for file in ["preprocessor_config.json", "vocab.json", "merges.txt", "tokenizer_config.json", "special_tokens_map.json"] {
            #expect(checkpoint.fileURL(file) != nil, "\(file)")
        }
        #expect(checkpoint.fileURL("pytorch_model.bin") == nil)
    }

    @Test func vitFixtureDecodesAsViT() throws {
        let checkpoint = try Checkpoint(directory: Fixtures.model("vit"))
        #expect(checkpoint.modelType == "vit")
        #expect(checkpoint.description == "vit checkpoint at \(Fixtures.model("vit").path): 40 tensors in model.safetensors")
        #expect(try checkpoint.config(ViTConfig.self).labels.count == 5)
        #expect(checkpoint.shape(of: "classifier.weight") == [5, 32])
        #expect(throws: CheckpointError.missingTensor(name: "vit.pooler.dense.weight", file: Fixtures.model("vit/model.safetensors").path)) {
            try checkpoint.tensor("vit.pooler.dense.weight")
        }
    }

    @Test func shardedWeightsReadAsOne() throws {
        let source = try SafeTensorsFile(contentsOf: Fixtures.model("vit-grad/model.safetensors"))
        let scratch = try ScratchDirectory()
        try FileManager.default.copyItem(at: Fixtures.model("vit-grad/config.json"), to: scratch.file("config.json"))
        let weightMap = try writeShards(of: source, into: scratch, count: 2)

        let checkpoint = try Checkpoint(directory: scratch.url)
        #expect(checkpoint.weightFiles.map(\.lastPathComponent) == ["model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"])
        #expect(checkpoint.names == source.names)
        for name in source.names {
            #expect(try checkpoint.tensor(name).scalars == source.tensor(name).scalars, "\(name) from \(weightMap[name]!)")
        }
        #expect(throws: CheckpointError.missingTensor(name: "nope", file: scratch.file(Checkpoint.shardIndexFileName).path)) {
            try checkpoint.tensor("nope")
        }
    }

    @Test func shardIndexNamingAnAbsentTensorNamesTheShard() throws {
        let scratch = try ScratchDirectory()
        try Data(#"{"model_type": "vit"}"#.utf8).write(to: scratch.file("config.json"))
        try writeSafeTensors(["a": Tensor(shape: [1], scalars: [1])], to: scratch.file("shard.safetensors"))
        try Data(#"{"weight_map": {"a": "shard.safetensors", "b": "shard.safetensors"}}"#.utf8).write(to: scratch.file(Checkpoint.shardIndexFileName))
        #expect(throws: CheckpointError.missingTensor(name: "b", file: scratch.file("shard.safetensors").path)) {
            try Checkpoint(directory: scratch.url)
        }
    }

    @Test func missingPiecesAreNamed() throws {
        let scratch = try ScratchDirectory()
        let absent = scratch.file("absent")
        #expect(throws: CheckpointError.missingDirectory(path: absent.path)) { try Checkpoint(directory: absent) }
        #expect(throws: CheckpointError.missingConfig(directory: scratch.url.path)) { try Checkpoint(directory: scratch.url) }

        try Data(#"{"architectures": ["ViTModel"]}"#.utf8).write(to: scratch.file("config.json"))
        #expect(throws: CheckpointError.badConfig(file: scratch.file("config.json").path, reason: "'model_type' is missing")) {
            try Checkpoint(directory: scratch.url)
        }

        try Data(#"{"model_type": "vit"}"#.utf8).write(to: scratch.file("config.json"))
        #expect(throws: CheckpointError.noWeights(directory: scratch.url.path)) { try Checkpoint(directory: scratch.url) }

        try Data("pickle".utf8).write(to: scratch.file("pytorch_model.bin"))
        let error = #expect(throws: CheckpointError.self) { try Checkpoint(directory: scratch.url) }
        #expect(error == .pytorchWeightsOnly(directory: scratch.url.path, file: "pytorch_model.bin"))
        #expect(error?.description.contains("convert them to safetensors") == true)
    }

    /// Splits `source` into `count` shards and an index, as save_pretrained does for large models.
    private func writeShards(of source: SafeTensorsFile, into scratch: ScratchDirectory, count: Int) throws -> [String: String] {
        var weightMap: [String: String] = [:]
        for shard in 0..<count {
            let fileName = String(format: "model-%05d-of-%05d.safetensors", shard + 1, count)
            let names = source.names.enumerated().filter { $0.offset % count == shard }.map(\.element)
            try writeSafeTensors(Dictionary(uniqueKeysWithValues: try names.map { ($0, try source.tensor($0)) }), to: scratch.file(fileName))
            for name in names { weightMap[name] = fileName }
        }
        let index = try JSONSerialization.data(withJSONObject: ["metadata": ["total_size": 0], "weight_map": weightMap])
        try index.write(to: scratch.file(Checkpoint.shardIndexFileName))
        return weightMap
    }
}

private extension Float {
    /// The nearest float16 value (the fixture stores its weights as float16), by round-to-nearest-even on the bits.
    var roundedToHalf: Float {
        let dropped = 13
        let bits = bitPattern
        let half = UInt32(1) << (dropped - 1)
        let lowestKept = (bits >> dropped) & 1
        let rounded = (bits + half - 1 + lowestKept) & ~((UInt32(1) << dropped) - 1)
        return Float(bitPattern: rounded)
    }
}
