// The command line every chapter shares, so `data`, `vit`, `clip`, ... and `reproduce` read alike:
// `RunOptions` (preset, folders, seed, quick, precision) in every chapter, `Food101Options` where Food-101 is
// read, and `ChapterOptions`, both plus the pretrained checkpoint, for the model chapters.
import ArgumentParser
import CommandLineOptions
import Common
import Datasets
import Foundation
import Recipes
import Results
import TensorCore

extension Preset: ExpressibleByArgument {}
extension Food101SplitKind: ExpressibleByArgument {}
extension CLIPFineTuningRecipe: ExpressibleByArgument {}

public struct RunOptions: ParsableArguments {
    @Option(help: "mini: MiniFood and the project's own mini models (default, nothing downloaded); paper: Food-101 and Hugging Face checkpoints.")
    public var preset: Preset = .mini

    @Option(help: "Where each chapter's <chapter>.json goes (and where later chapters read earlier ones).")
    public var results = "results"

    @Option(help: "Where the mini preset keeps the models it pretrains, and fine-tuned checkpoints and features are kept.")
    public var cache = "cache"

    @Option(help: "Seeds the data, initialisation and training order.")
    public var seed: UInt64 = 0

    @Flag(help: "Smoke-test sizes (the tests use this): the numbers mean nothing.")
    public var quick = false

    /// `--precision`, vitclip's option: `ChapterRun` applies it before any work.
    @OptionGroup public var products: PrecisionOption

    public init() {}

    /// The precision asked for (`auto` not yet resolved).
    public var precision: Precision { products.precision }

    public var resultsDirectory: URL { URL(fileURLWithPath: results) }
    public var cacheDirectory: URL { URL(fileURLWithPath: cache) }
}

public struct Food101Options: ParsableArguments {
    @Option(help: "The Food-101 directory (images/ and meta/), for the paper preset.")
    public var food101: String?

    @Option(help: "paper preset: the 91 classes re-split 0.8:0.2 (paper, default) or train.txt / test.txt (official).")
    public var split: Food101SplitKind?

    public init() {}

    public var splitKind: Food101SplitKind { split ?? .paper }
}

/// The options of a chapter that trains or scores a pretrained model.
public struct ChapterOptions: ParsableArguments {
    @OptionGroup public var run: RunOptions
    @OptionGroup public var food: Food101Options

    @Option(help: "The pretrained Hugging Face checkpoint directory, for the paper preset.")
    public var checkpoint: String?

    public init() {}

    public var preset: Preset { run.preset }
    public var seed: UInt64 { run.seed }
    public var quick: Bool { run.quick }
    public var resultsDirectory: URL { run.resultsDirectory }
    public var cacheDirectory: URL { run.cacheDirectory }

    public func validate() throws {
        switch preset {
        case .mini:
            if food.food101 != nil || checkpoint != nil {
                throw ValidationError("--food101 and --checkpoint belong to the paper preset; the mini preset makes its own data and models")
            }
        case .paper:
            if food.food101 == nil { throw ValidationError("the paper preset needs --food101 DIR (Food-101's images/ and meta/)") }
        }
    }

    /// The train / validation / held-out parts this preset reads.
    public func experimentData() throws -> ExperimentData {
        switch preset {
        case .mini: return .mini(seed: seed, quick: quick)
        case .paper: return try .paper(food101: URL(fileURLWithPath: food.food101!), split: food.splitKind, seed: seed)
        }
    }
}

/// A comma-separated option's items, blanks around each trimmed and empty items skipped, each
/// read by `parse` (which throws the option's error for an item it cannot read).
public func commaSeparatedList<Item>(_ text: String, _ parse: (String) throws -> Item) rethrows -> [Item] {
    try text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.map(parse)
}

extension ParsableArguments {
    /// Parses the command line as every chapter reports errors: `--help` prints the help, any
    /// other problem (an unknown flag, a paper preset without --food101) is one line on stderr
    /// and a non-zero exit, without the usage text `parseOrExit` would add.
    public static func parseChapterArguments(chapter: String) -> Self {
        do {
            return try parse()
        } catch {
            let code = exitCode(for: error)
            if code == .success { exit(withError: error) }
            let line = message(for: error).split(whereSeparator: \.isNewline).joined(separator: " ")
            FileHandle.standardError.write(Data("\(chapter): error: \(line)\n".utf8))
            Foundation.exit(code.rawValue)
        }
    }
}
