// Issue #28's table, the part `vitclip` meets: config.json and preprocessor_config.json values no
// model can be built from, vocabularies past the embedding table, prompts past the text tower's
// positions, option ranges, FIFOs and a long --label list. Each is one line naming the file and
// key (or the option) and the rule, a non-zero exit and nothing on stdout; never a signal, an
// allocation abort or a wrong answer (the numeric modules are built -Ounchecked).
import Foundation
import TestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Sets `key` (the first occurrence) in a fixture's JSON file to the raw JSON `value`.
private func setting(_ key: String, to value: String, in file: String = "config.json", of fixture: String, _ name: String? = nil,
                     expect expected: String) -> CheckpointDamage {
    CheckpointDamage(name: name ?? "\(file): \(key) \(value)", fixture: fixture, damage: { directory in
        let url = directory.appendingPathComponent(file)
        let text = try String(contentsOf: url, encoding: .utf8)
        guard let range = text.range(of: #""\#(key)": [^,\n]*"#, options: .regularExpression) else { throw SpawnFailure(description: "no \(key) in \(file)") }
        try text.replacingCharacters(in: range, with: #""\#(key)": \#(value)"#).write(to: url, atomically: true, encoding: .utf8)
    }, expected: expected)
}

/// The ViT fixture's id2label replaced by `num_labels`.
private func numLabels(_ value: String, expect expected: String) -> CheckpointDamage {
    CheckpointDamage(name: "num_labels \(value)", fixture: "vit", damage: { directory in
        let url = directory.appendingPathComponent("config.json")
        let text = try String(contentsOf: url, encoding: .utf8)
        try text.replacingOccurrences(of: #""id2label": \{[^}]*\},"#, with: #""num_labels": \#(value),"#, options: .regularExpression)
            .write(to: url, atomically: true, encoding: .utf8)
    }, expected: expected)
}

private let vitConfigs: [CheckpointDamage] = [
    setting("patch_size", to: "0", of: "vit", expect: "config.json is not a valid config: 'patch_size': must be between 1 and 224, got 0"),
    setting("num_attention_heads", to: "0", of: "vit", expect: "'num_attention_heads': must be between 1 and 32, got 0"),
    setting("hidden_size", to: "-32", of: "vit", expect: "'hidden_size': must be between 1 and 1048576, got -32"),
    setting("num_channels", to: "-3", of: "vit", expect: "'num_channels': must be between 1 and 64, got -3"),
    numLabels("-5", expect: "'num_labels': must be between 1 and 1048576, got -5"),
    numLabels("1000000000000", expect: "'num_labels': must be between 1 and 1048576, got 1000000000000"),
    setting("image_size", to: "1000000000", of: "vit", expect: "'image_size': must be between 1 and 1048576, got 1000000000"),
    setting("image_size", to: "65536", of: "vit", expect: "'image_size': image_size / patch_size = 4096 gives 16777216 patches, more than 16383"),
    setting("image_size", to: "200", of: "vit", expect: "'image_size': must be a multiple of patch_size 16, got 200"),
    setting("num_hidden_layers", to: "-1", of: "vit", expect: "'num_hidden_layers': must be between 1 and 1024, got -1"),
    setting("num_attention_heads", to: "3", of: "vit", expect: "'num_attention_heads': must divide the width 32, got 3"),
    setting("hidden_size", to: "1048576", of: "vit", expect: "'hidden_size': the model would have"),
    setting("layer_norm_eps", to: "NaN", of: "vit", expect: "config.json is not a valid config: it holds NaN, which JSON does not allow: every value must be a finite number"),
    setting("layer_norm_eps", to: "1e400", of: "vit", expect: "config.json is not a valid config"),
    setting("layer_norm_eps", to: "-1", of: "vit", expect: "'layer_norm_eps': must be a finite number in"),
    setting("height", to: "448", in: "preprocessor_config.json", of: "vit", "ViT preprocessor size 448 for a 224-pixel model",
            expect: "preprocessor_config.json: invalid preprocessor config: it makes 448x224 images but config.json's image_size is 224"),
    setting("height", to: "100000", in: "preprocessor_config.json", of: "vit", "ViT preprocessor size 1e5",
            expect: "size and crop_size must be at most 4096 pixels"),
    CheckpointDamage(name: "image_std 0", fixture: "vit", damage: { directory in
        let url = directory.appendingPathComponent("preprocessor_config.json")
        let text = try String(contentsOf: url, encoding: .utf8)
        try text.replacingOccurrences(of: #""image_std": \[[^\]]*\]"#, with: #""image_std": 0"#, options: .regularExpression)
            .write(to: url, atomically: true, encoding: .utf8)
    }, expected: "image_std non-zero"),
    // The weights disagree first; with 1-channel weights, `requireProcessor` says "'num_channels' must be 3".
    setting("num_channels", to: "1", of: "vit", expect: "has shape [32, 3, 16, 16], expected [32, 1, 16, 16]"),
]

private let clipConfigs: [CheckpointDamage] = [
    setting("hidden_size", to: "-16", of: "clip", expect: "'text_config.hidden_size': must be between 1 and 1048576, got -16"),
    setting("num_attention_heads", to: "3", of: "clip", expect: "'text_config.num_attention_heads': must divide the width 16, got 3"),
    setting("max_position_embeddings", to: "0", of: "clip", expect: "'text_config.max_position_embeddings': must be between 1 and 16384, got 0"),
    setting("logit_scale_init_value", to: "1000", of: "clip", expect: "'logit_scale_init_value': must be a finite number in -100.0...80.0, got 1000.0"),
    setting("height", to: "448", in: "preprocessor_config.json", of: "clip", "CLIP preprocessor crop 448 for a 224-pixel model",
            expect: "invalid preprocessor config: it makes 448x224 images but config.json's image_size is 224"),
    CheckpointDamage(name: "vocab.json with an id of 99,999,999", fixture: "clip", damage: { directory in
        let url = directory.appendingPathComponent("vocab.json")
        let text = try String(contentsOf: url, encoding: .utf8)
        try text.replacingOccurrences(of: #""!": 0,"#, with: #""!": 99999999,"#).write(to: url, atomically: true, encoding: .utf8)
    }, expected: "vocab.json: token '!' has id 99999999, outside the model's 49408 token embeddings (config.json's vocab_size)"),
]

/// A FIFO nobody writes to: opening it for reading would block forever.
private func fifo(in scratch: ScratchDirectory, _ name: String) throws -> URL {
    let url = scratch.url.appendingPathComponent(name)
    guard mkfifo(url.path, 0o600) == 0 else { throw SpawnFailure(description: "mkfifo \(url.path) failed") }
    return url
}

@Suite struct HostileConfigTests {
    @Test(arguments: vitConfigs)
    func aViTConfigNoModelCanBeBuiltFromIsRefused(_ damage: CheckpointDamage) throws {
        let scratch = try ScratchDirectory()
        let checkpoint = try checkpointCopy(of: damage.fixture, in: scratch)
        try damage.damage(checkpoint)
        try expectOneLineFailure(["classify", "--checkpoint", checkpoint.path, "--json", png], mentioning: damage.expected)
    }

    @Test(arguments: clipConfigs)
    func aCLIPConfigNoModelCanBeBuiltFromIsRefused(_ damage: CheckpointDamage) throws {
        let scratch = try ScratchDirectory()
        let checkpoint = try checkpointCopy(of: damage.fixture, in: scratch)
        try damage.damage(checkpoint)
        try expectOneLineFailure(["zero-shot", "--checkpoint", checkpoint.path, "--json", "--label", "pie", png], mentioning: damage.expected)
    }

    @Test("a label of 67 words (78 tokens) is refused naming it, as transformers does; --truncate cuts it as open_clip does, deterministically")
    func aPromptLongerThanTheTextPositionsIsRefusedOrTruncated() throws {
        let label = Array(repeating: "pie", count: 67).joined(separator: " ")
        try expectOneLineFailure(["zero-shot", "--checkpoint", clipCheckpoint, "--json", "--label", "cake", "--label", label, png],
                                 mentioning: "the prompt for label 'pie pie")
        let refused = try runProduct("vitclip", ["zero-shot", "--checkpoint", clipCheckpoint, "--label", label, png])
        #expect(refused.stderr.contains("is 78 tokens, more than the text model's 77 positions"), "\(refused.stderr)")
        let arguments = ["zero-shot", "--checkpoint", clipCheckpoint, "--json", "--truncate", "--label", "cake", "--label", label, png]
        let first = try runProduct("vitclip", arguments), second = try runProduct("vitclip", arguments)
        #expect(first.status == 0, "\(first.stderr)")
        let logits = try decodeJSON([String: [[Float]]].self, first.stdout)["logits_per_image"]
        #expect(logits?.first?.count == 2 && logits!.first!.allSatisfy(\.isFinite))
        #expect(first.stdout == second.stdout)
    }

    @Test(arguments: [["classify", "--checkpoint", vitCheckpoint], ["zero-shot", "--checkpoint", clipCheckpoint, "--label", "pie"]])
    func aTopOutOfRangeIsRefused(_ command: [String]) throws {
        try expectOneLineFailure(command + ["--top=-1", png], mentioning: "--top must be at least 1, got -1")
        try expectOneLineFailure(command + ["--top=0", png], mentioning: "--top must be at least 1, got 0")
    }

    @Test("a FIFO as an image or as model.safetensors is refused before it is opened")
    func aFIFOIsRefused() throws {
        let scratch = try ScratchDirectory()
        let image = try fifo(in: scratch, "photo.jpg")
        try expectOneLineFailure(["classify", "--checkpoint", vitCheckpoint, "--json", image.path], mentioning: "\(image.path): cannot read image file: not a regular file")
        let checkpoint = try checkpointCopy(of: "vit", in: scratch)
        let weights = checkpoint.appendingPathComponent("model.safetensors")
        try FileManager.default.removeItem(at: weights)
        guard mkfifo(weights.path, 0o600) == 0 else { throw SpawnFailure(description: "mkfifo failed") }
        try expectOneLineFailure(["classify", "--checkpoint", checkpoint.path, "--json", png], mentioning: "cannot open \(weights.path): not a regular file")
    }

    @Test("5,000 labels with the last repeated are refused naming it (the check is a set: linear)")
    func manyLabelsAreChecked() throws {
        let labels = (0..<5_000).flatMap { ["--label", "dish \($0)"] } + ["--label", "dish 0"]
        try expectOneLineFailure(["zero-shot", "--checkpoint", clipCheckpoint] + labels + [png], mentioning: "--label 'dish 0' is given twice")
    }
}

@Suite struct SafeTensorsHeaderCostTests {
    @Test("a header of 1.5 M empty tensors (under the 100 MB cap) is parsed within 2 GiB of address space (it took 5.7 GB)")
    func millionsOfEmptyTensorsParseInLinearMemory() throws {
        let scratch = try ScratchDirectory()
        let checkpoint = try checkpointCopy(of: "vit", in: scratch)
        var header = "{"
        header.reserveCapacity(90_000_000)
        for index in 0..<1_500_000 { header += #""t\#(index)":{"dtype":"F32","shape":[0],"data_offsets":[0,0]},"# }
        header += #""__metadata__":{"format":"pt"}}"#
        try safetensors(header: header, dataBytes: 0).write(to: checkpoint.appendingPathComponent("model.safetensors"))
        let run = try runWithinAddressSpace(bytes: 2 << 30, "vitclip", ["classify", "--checkpoint", checkpoint.path, "--json", png])
        #expect(run.status == 1)
        #expect(run.stderr.split(separator: "\n").count == 1, "\(run.stderr)")
        #expect(run.stderr.contains("is missing from \(checkpoint.path)/model.safetensors"), "\(run.stderr)")
    }
}
