// The flags every model chapter shares, so `vit`, `clip`, `clip-finetune`, `cost` (and later
// `cifar`, `lit`, `wise-ft`) read alike on the command line.
import ArgumentParser
import Datasets
import Experiment
import Foundation

extension Preset: ExpressibleByArgument {}
extension Food101SplitKind: ExpressibleByArgument {}

public struct ChapterOptions: ParsableArguments {
    @Option(help: "mini: MiniFood and the project's own mini models (default); paper: Food-101 and Hugging Face checkpoints.")
    public var preset: Preset = .mini

    @Option(help: "The Food-101 directory (images/ and meta/), for the paper preset.")
    public var food101: String?

    @Option(help: "paper preset: the 91 classes re-split 0.8:0.2 (paper, default) or train.txt / test.txt (official).")
    public var split: Food101SplitKind = .paper

    @Option(help: "The pretrained Hugging Face checkpoint directory, for the paper preset.")
    public var checkpoint: String?

    @Option(help: "Where <chapter>.json goes.")
    public var results = "results"

    @Option(help: "Where the mini preset keeps the models it pretrains (reused while their configuration is unchanged).")
    public var cache = "cache"

    @Option(help: "Seeds the data, initialisation and training order.")
    public var seed: UInt64 = 0

    @Flag(help: "Smoke-test sizes (the tests use this): the numbers mean nothing.")
    public var quick = false

    public init() {}

    public var resultsDirectory: URL { URL(fileURLWithPath: results) }
    public var cacheDirectory: URL { URL(fileURLWithPath: cache) }

    public func validate() throws {
        switch preset {
        case .mini:
            if food101 != nil || checkpoint != nil {
                throw ValidationError("--food101 and --checkpoint belong to the paper preset; the mini preset makes its own data and models")
            }
        case .paper:
            if food101 == nil { throw ValidationError("the paper preset needs --food101 DIR (Food-101's images/ and meta/)") }
        }
    }

    /// The train / validation / held-out parts this preset reads.
    public func experimentData() throws -> ExperimentData {
        switch preset {
        case .mini: return .mini(seed: seed, quick: quick)
        case .paper: return try .paper(food101: URL(fileURLWithPath: food101!), split: split, seed: seed)
        }
    }

    /// The paper preset's checkpoint directory, or an error saying which flag is missing.
    public func paperCheckpoint(_ what: String) throws -> URL {
        guard let checkpoint else { throw ChapterError("the paper preset needs --checkpoint DIR (\(what))") }
        return URL(fileURLWithPath: checkpoint)
    }
}
