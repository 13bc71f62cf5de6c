// `vitclip`: the project's models from the command line, on Hugging Face checkpoint directories.
// Its JSON output is a contract other tools call (and the tests check against transformers).
import ArgumentParser
import CommandLineOptions
import Foundation
import TensorCore

@main
struct Vitclip: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "ViT and CLIP in Swift, computing what Hugging Face transformers computes.",
        subcommands: [Tokenize.self, ZeroShot.self, Classify.self])
}

/// Options every model command shares.
struct CheckpointOptions: ParsableArguments {
    @Option(help: "A Hugging Face checkpoint directory (config.json, model.safetensors, preprocessor_config.json, ...).")
    var checkpoint: String

    @Flag(help: "Print machine-readable JSON instead of a table.")
    var json = false

    var directory: URL { URL(fileURLWithPath: checkpoint) }
}

/// Bad arguments, reported as one line on stderr (ValidationError would add the usage text).
struct UsageError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Prints `value` as one line of JSON on standard output.
func printJSON<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

extension PrecisionOption {
    /// Applies `--precision`; a bf16 run says so on stderr, since its logits differ from fp32's.
    func applyNotingBF16() throws {
        if try apply() == .bf16 { FileHandle.standardError.write(Data("note: products in bf16\n".utf8)) }
    }
}
