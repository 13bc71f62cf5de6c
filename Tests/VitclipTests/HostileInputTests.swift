// Hostile and broken input given to `vitclip`, as the README's "Bad input" table lists it: each
// case exits non-zero with one line on stderr that names the cause, and prints nothing else.
import Foundation
import TestSupport
import Testing

/// A copy of a fixture checkpoint (symlinked tokenizer files resolved) that a test may damage.
func checkpointCopy(of fixture: String, in scratch: ScratchDirectory) throws -> URL {
    let source = Fixtures.url("models/\(fixture)")
    let copy = scratch.url.appendingPathComponent(fixture)
    try FileManager.default.createDirectory(at: copy, withIntermediateDirectories: true)
    for name in try FileManager.default.contentsOfDirectory(atPath: source.path) {
        try Data(contentsOf: source.appendingPathComponent(name).resolvingSymlinksInPath()).write(to: copy.appendingPathComponent(name))
    }
    return copy
}

/// A safetensors file whose header is `header`, followed by `dataBytes` zero bytes.
func safetensors(header: String, dataBytes: Int, declaredLength: UInt64? = nil) -> Data {
    var bytes = Data()
    var length = (declaredLength ?? UInt64(header.utf8.count)).littleEndian
    withUnsafeBytes(of: &length) { bytes.append(contentsOf: $0) }
    return bytes + Data(header.utf8) + Data(count: dataBytes)
}

/// One way to break a checkpoint: what to do to a fresh copy, and what the error line must say.
struct CheckpointDamage: CustomTestStringConvertible, Sendable {
    let name: String
    let fixture: String
    let damage: @Sendable (URL) throws -> Void
    let expected: String
    var testDescription: String { name }

    static func replacing(_ file: String, in fixture: String, with data: Data, _ name: String, expect expected: String) -> Self {
        Self(name: name, fixture: fixture, damage: { try data.write(to: $0.appendingPathComponent(file)) }, expected: expected)
    }

    static func editingConfig(of fixture: String, _ name: String, _ edit: @escaping @Sendable (String) -> String, expect expected: String) -> Self {
        Self(name: name, fixture: fixture, damage: { directory in
            let config = directory.appendingPathComponent("config.json")
            try edit(try String(contentsOf: config, encoding: .utf8)).write(to: config, atomically: true, encoding: .utf8)
        }, expected: expected)
    }

    static func removing(_ file: String, from fixture: String, expect expected: String) -> Self {
        Self(name: "missing \(file)", fixture: fixture, damage: { try FileManager.default.removeItem(at: $0.appendingPathComponent(file)) },
             expected: expected)
    }
}

private let damages: [CheckpointDamage] = [
    CheckpointDamage(name: "truncated safetensors", fixture: "vit", damage: { directory in
        let weights = directory.appendingPathComponent("model.safetensors")
        let bytes = try Data(contentsOf: weights)
        try bytes.prefix(bytes.count / 2).write(to: weights)
    }, expected: "is truncated: tensor"),
    .replacing("model.safetensors", in: "vit", with: safetensors(
        header: #"{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}"#,
        dataBytes: 12), "overlapping offsets", expect: "tensors 'a' (bytes 0..<8) and 'b' (bytes 4..<12) overlap"),
    .replacing("model.safetensors", in: "vit", with: safetensors(
        header: #"{"a": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}}"#, dataBytes: 8),
        "offsets past the end", expect: "is truncated: tensor 'a' needs bytes up to"),
    .replacing("model.safetensors", in: "vit", with: safetensors(
        header: #"{"a": {"dtype": "BF16", "shape": [4], "data_offsets": [0, 16]}}"#, dataBytes: 16),
        "dtype and shape that disagree with the offsets", expect: "data_offsets [0, 16] span 16 bytes, but BF16 [4] needs 4 × 2"),
    .replacing("model.safetensors", in: "vit", with: safetensors(header: "{}", dataBytes: 0, declaredLength: 1 << 63),
               "header length of 2^63", expect: "declared header length 9223372036854775808 exceeds"),
    .replacing("model.safetensors", in: "vit", with: Data(), "zero-byte safetensors", expect: "is truncated: its header needs 8 bytes"),
    .editingConfig(of: "vit", "tensors wider than config.json says", { $0.replacingOccurrences(of: #""intermediate_size": 64"#, with: #""intermediate_size": 96"#) },
                   expect: "has shape [64, 32], expected [96, 32]"),
    .editingConfig(of: "vit", "more layers in config.json than tensors", { $0.replacingOccurrences(of: #""num_hidden_layers": 2"#, with: #""num_hidden_layers": 3"#) },
                   expect: "tensor 'vit.encoder.layer.2."),
    .editingConfig(of: "vit", "config.json with a string for a number", { $0.replacingOccurrences(of: #""hidden_size": 32"#, with: #""hidden_size": "32""#) },
                   expect: "is not a valid config"),
    .editingConfig(of: "vit", "config.json that is not JSON", { String($0.prefix(40)) }, expect: "is not a valid config"),
    .removing("preprocessor_config.json", from: "vit", expect: "preprocessor_config.json"),
    .removing("config.json", from: "vit", expect: "has no config.json"),
]

private let clipDamages: [CheckpointDamage] = [
    .removing("vocab.json", from: "clip", expect: "vocab.json"),
    .removing("merges.txt", from: "clip", expect: "merges.txt"),
    .removing("preprocessor_config.json", from: "clip", expect: "preprocessor_config.json"),
    .editingConfig(of: "clip", "CLIP config.json with a list for a number", { $0.replacingOccurrences(of: #""projection_dim": 16"#, with: #""projection_dim": [16]"#) },
                   expect: "is not a valid config"),
]

/// Runs `vitclip` and checks the bad-input contract: non-zero exit, nothing on stdout, one line on stderr.
func expectOneLineFailure(_ arguments: [String], mentioning expected: String) throws {
    let run = try runProduct("vitclip", arguments)
    #expect(run.status != 0)
    #expect(run.stdout.isEmpty)
    #expect(run.stderr.split(separator: "\n").count == 1, "\(run.stderr)")
    #expect(run.stderr.contains(expected), "\(run.stderr)")
}

@Suite struct HostileInputTests {
    @Test(arguments: damages)
    func aDamagedViTCheckpointIsNamed(_ damage: CheckpointDamage) throws {
        let scratch = try ScratchDirectory()
        let checkpoint = try checkpointCopy(of: damage.fixture, in: scratch)
        try damage.damage(checkpoint)
        try expectOneLineFailure(["classify", "--checkpoint", checkpoint.path, "--json", png], mentioning: damage.expected)
    }

    @Test(arguments: clipDamages)
    func aDamagedCLIPCheckpointIsNamed(_ damage: CheckpointDamage) throws {
        let scratch = try ScratchDirectory()
        let checkpoint = try checkpointCopy(of: damage.fixture, in: scratch)
        try damage.damage(checkpoint)
        try expectOneLineFailure(["zero-shot", "--checkpoint", checkpoint.path, "--json", "--label", "pie", png], mentioning: damage.expected)
    }

    @Test(arguments: [
        (["--label", "pie", "--label", "pie"], "--label 'pie' is given twice"),
        (["--label", "pie", "--label", " "], "--label number 2 is empty"),
        ([], "give at least one --label"),
    ])
    func anEmptyOrRepeatedLabelListIsRefused(labels: [String], expected: String) throws {
        try expectOneLineFailure(["zero-shot", "--checkpoint", clipCheckpoint] + labels + [png], mentioning: expected)
    }

    @Test func brokenImagesAreNamed() throws {
        let scratch = try ScratchDirectory()
        let empty = scratch.url.appendingPathComponent("empty.jpg")
        try Data().write(to: empty)
        let truncated = scratch.url.appendingPathComponent("truncated.jpg")
        let jpeg = try Data(contentsOf: Fixtures.url("imaging/rgb420_97x61.jpg"))
        try jpeg.prefix(jpeg.count / 2).write(to: truncated)
        for (image, expected) in [(empty, "unsupported image format"), (truncated, "corrupt or truncated JPEG")] {
            try expectOneLineFailure(["classify", "--checkpoint", vitCheckpoint, "--json", image.path], mentioning: "\(image.path): \(expected)")
        }
    }

    @Test("CMYK and greyscale JPEGs and greyscale PNGs are read as Pillow reads them")
    func cmykAndGreyImagesAreClassified() throws {
        let images = ["imaging/cmyk_64x48.jpg", "imaging/gray_97x61.jpg", "imaging/gray_50x40.png"].map { Fixtures.url($0).path }
        let run = try runProduct("vitclip", ["classify", "--checkpoint", vitCheckpoint, "--json"] + images)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try decodeJSON([String: [[Float]]].self, run.stdout)["logits"]?.count == 3)
    }

    @Test("a JPEG whose header claims 65000 x 65000 pixels is refused before decoding, within 2 GiB of address space")
    func decompressionBombIsRefusedWithoutAllocating() throws {
        let bomb = Fixtures.url("imaging/bomb_65000x65000.jpg").path
        // Decoding would need 12.7 GB; loading the tiny checkpoint and refusing fits in 2 GiB of address space.
        let run = try runWithinAddressSpace(bytes: 2 << 30, "vitclip", ["zero-shot", "--checkpoint", clipCheckpoint, "--label", "pie", bomb])
        #expect(run.status != 0)
        #expect(run.stderr.split(separator: "\n").count == 1, "\(run.stderr)")
        #expect(run.stderr.contains("\(bomb): image of 65000 x 65000 pixels exceeds the limit of 89478485"), "\(run.stderr)")
    }
}
