// `vitclip`: the project's models from the command line, on Hugging Face checkpoint directories.
// Its JSON output is a contract other tools call (and the tests check against transformers).
import ArgumentParser
import CommandLineOptions
import Cluster
import Foundation
import Imaging
import TensorCore

@main
struct Vitclip: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "ViT and CLIP in Swift, computing what Hugging Face transformers computes.",
        subcommands: [Tokenize.self, ZeroShot.self, Classify.self, Download.self])
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

// Under `mpirun` the images are split across the ranks: each computes whole batches of a single
// process's (the same boundaries, so the same numbers), rank 0 gathers the rows in image order
// and alone prints. A rank that fails ends the job with its error instead of leaving the others
// waiting; a plain process is unchanged.

/// Runs a command's work; under MPI an error takes the whole job down, with this rank's message.
func onEveryRank(_ body: () throws -> Void) throws {
    let world = MPIWorld.current
    guard world.isDistributed else { return try body() }
    do { try body() } catch { world.abort("error: \(error)") }
}

/// The rows (`width` numbers per image) of every image, computed `batchSize` images at a time
/// by `rowsOf`: this rank its share of the batches, gathered on rank 0, in image order. The other
/// ranks get nil.
func shardedRows(of images: [RawPath], batchSize: Int, width: Int, _ rowsOf: ([RawPath]) throws -> [[Float]]) throws -> [[Float]]? {
    let world = MPIWorld.current
    guard world.size > 1 else { return try rowsOf(images) }
    let mine = world.shareOfBatches(examples: images.count, batchSize: batchSize).flatMap { images[$0] }
    let rows = try mine.isEmpty ? [] : rowsOf(mine)
    precondition(rows.allSatisfy { $0.count == width }, "shardedRows: rows of \(width) numbers expected")
    let all = try world.gather(rows.flatMap { $0 })
    guard world.isLeader else { return nil }
    return stride(from: 0, to: all.count, by: width).map { Array(all[$0..<($0 + width)]) }
}
