import Foundation

// The payloads the chapters write under `results` in results/<chapter>.json, and the reader
// the report uses to load them back. Keys are snake_case on disk (the envelope's encoder
// converts them); accuracies are fractions in [0, 1], never percentages, so no file mixes
// the two. Each payload carries a short `summary` the chapter writes from its own numbers:
// the report weaves those sentences into paper.md, so the prose travels with the results.

/// A payload one chapter writes; `chapter` names its results file.
public protocol ChapterPayload: Codable, Sendable {
    static var chapter: String { get }
    /// A few sentences the chapter writes from its own numbers, quoted in paper.md.
    var summary: String { get }
}

/// A classification accuracy over `images` images.
public struct Accuracy: Codable, Sendable, Equatable {
    /// Fraction of images classified correctly, in [0, 1].
    public var value: Double
    public var images: Int
    /// The 95% bootstrap interval, when the chapter resampled the test set.
    public var interval: BootstrapInterval?

    public init(value: Double, images: Int, interval: BootstrapInterval? = nil) {
        self.value = value
        self.images = images
        self.interval = interval
    }
}

/// A 95% percentile-bootstrap interval of an accuracy (fractions, like the accuracy).
public struct BootstrapInterval: Codable, Sendable, Equatable {
    public var low: Double
    public var high: Double
    public var resamples: Int

    public init(low: Double, high: Double, resamples: Int) {
        self.low = low
        self.high = high
        self.resamples = resamples
    }
}

/// Top-1 and top-5 accuracy on one set of images.
public struct TopKAccuracy: Codable, Sendable, Equatable {
    public var top1: Accuracy
    public var top5: Accuracy

    public init(top1: Accuracy, top5: Accuracy) {
        self.top1 = top1
        self.top5 = top5
    }
}

/// One logged point of a training run.
public struct LossPoint: Codable, Sendable, Equatable {
    public var step: Int
    /// Fractional epoch (step / steps per epoch), so runs of different batch sizes align.
    public var epoch: Double
    public var loss: Double
    public var learningRate: Double

    public init(step: Int, epoch: Double, loss: Double, learningRate: Double) {
        self.step = step
        self.epoch = epoch
        self.loss = loss
        self.learningRate = learningRate
    }
}

/// A value that is a number or a word: a hyper-parameter (a rate; an optimizer's or schedule's
/// name), or a published table's cell (an accuracy; a cost tier).
public enum NumberOrText: Codable, Sendable, Equatable, CustomStringConvertible {
    case number(Double)
    case text(String)

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Double.self) {
            self = .number(number)
        } else {
            self = .text(try container.decode(String.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .number(let number): try container.encode(number)
        case .text(let text): try container.encode(text)
        }
    }

    public var description: String {
        switch self {
        case .number(let number): number.formatted(.number.grouping(.never))
        case .text(let text): text
        }
    }
}

/// Hyper-parameters by name. Dictionary keys are written as given (the snake_case strategy
/// does not touch them), so chapters use these names for the settings Tables 1 and 2 publish
/// and may add others (warm-up steps, image size) under names of their own.
public typealias HyperParameters = [String: HyperParameter]
public typealias HyperParameter = NumberOrText

public enum HyperParameterName {
    public static let learningRate = "learning_rate"
    public static let batchSize = "batch_size"
    public static let weightDecay = "weight_decay"
    public static let epochs = "epochs"
    public static let beta1 = "beta1"
    public static let beta2 = "beta2"
    public static let epsilon = "epsilon"
}

// MARK: - Chapter payloads

/// `vit`: ViT-B/16 fine-tuned on the 91 trained classes (the paper's Table 1 and Table 3).
public struct ViTResults: ChapterPayload, Equatable {
    public static let chapter = "vit"

    public var summary: String
    public var model: String
    public var checkpointSource: String
    /// What the images were: "Food-101, paper split" or the mini world's name.
    public var dataset: String
    public var trainableParameters: Int
    public var hyperParameters: HyperParameters
    public var validation: TopKAccuracy
    public var test: TopKAccuracy
    public var lossCurve: [LossPoint]
    /// The validation accuracy after each epoch, when the chapter evaluated every epoch.
    public var epochs: [EpochAccuracy]?
    /// The fine-tuning repeated with further seeds (`--seeds`), when it was.
    public var seedRuns: SeedRuns?

    public init(summary: String, model: String, checkpointSource: String, dataset: String, trainableParameters: Int,
                hyperParameters: HyperParameters, validation: TopKAccuracy, test: TopKAccuracy, lossCurve: [LossPoint],
                epochs: [EpochAccuracy]? = nil, seedRuns: SeedRuns? = nil) {
        self.summary = summary
        self.model = model
        self.checkpointSource = checkpointSource
        self.dataset = dataset
        self.trainableParameters = trainableParameters
        self.hyperParameters = hyperParameters
        self.validation = validation
        self.test = test
        self.lossCurve = lossCurve
        self.epochs = epochs
        self.seedRuns = seedRuns
    }
}

/// The evaluation after one epoch of fine-tuning.
public struct EpochAccuracy: Codable, Sendable, Equatable {
    /// 1 for the first epoch.
    public var epoch: Int
    /// The mean training loss of the epoch's steps.
    public var meanLoss: Double
    public var validation: TopKAccuracy

    public init(epoch: Int, meanLoss: Double, validation: TopKAccuracy) {
        self.epoch = epoch
        self.meanLoss = meanLoss
        self.validation = validation
    }
}

/// Accuracy of one set of prompt templates, averaged in embedding space.
public struct PromptEnsembleAccuracy: Codable, Sendable, Equatable {
    public var templates: [String]
    public var test: Accuracy
    public var extended: Accuracy

    public init(templates: [String], test: Accuracy, extended: Accuracy) {
        self.templates = templates
        self.test = test
        self.extended = extended
    }
}

/// `clip`: zero-shot CLIP ViT-B/32 (Table 3's test and Table 4's extended accuracy).
public struct CLIPZeroShotResults: ChapterPayload, Equatable {
    public static let chapter = "clip"

    public var summary: String
    public var model: String
    public var checkpointSource: String
    public var dataset: String
    /// The prompt template(s) behind `test` and `extended`, e.g. "a photo of {}, a type of food.".
    public var templates: [String]
    /// On the 91 trained classes' test images, choosing among those 91 classes.
    public var test: Accuracy
    /// On the 10 held-out classes' images, choosing among those 10 classes.
    public var extended: Accuracy
    public var promptEnsembles: [PromptEnsembleAccuracy]?

    public init(summary: String, model: String, checkpointSource: String, dataset: String, templates: [String],
                test: Accuracy, extended: Accuracy, promptEnsembles: [PromptEnsembleAccuracy]? = nil) {
        self.summary = summary
        self.model = model
        self.checkpointSource = checkpointSource
        self.dataset = dataset
        self.templates = templates
        self.test = test
        self.extended = extended
        self.promptEnsembles = promptEnsembles
    }
}

/// `clip-finetune`: CLIP's image tower fine-tuned on the 91 classes (Tables 2, 3 and 4), with a
/// classifier initialised from the text embeddings of the class prompts (FT-CLIP).
public struct CLIPFineTuneResults: ChapterPayload, Equatable {
    public static let chapter = "clip-finetune"

    public var summary: String
    public var model: String
    public var checkpointSource: String
    public var dataset: String
    public var trainableParameters: Int
    public var hyperParameters: HyperParameters
    public var test: Accuracy
    public var extended: Accuracy
    public var lossCurve: [LossPoint]
    /// The fine-tuned model as a Hugging Face CLIP directory (fine-tuned image tower, pretrained
    /// text tower), for chapters that build on it such as WiSE-FT.
    public var fineTunedCheckpoint: String?
    /// The extended accuracy again with each prompt ensemble (beyond the paper); the trained
    /// head, and so the test accuracy, knows only the single template.
    public var extendedPromptEnsembles: [ExtendedEnsembleAccuracy]?
    /// The fine-tuning repeated with further seeds (`--seeds`), when it was.
    public var seedRuns: SeedRuns?

    public init(summary: String, model: String, checkpointSource: String, dataset: String, trainableParameters: Int,
                hyperParameters: HyperParameters, test: Accuracy, extended: Accuracy, lossCurve: [LossPoint],
                fineTunedCheckpoint: String? = nil, extendedPromptEnsembles: [ExtendedEnsembleAccuracy]? = nil,
                seedRuns: SeedRuns? = nil) {
        self.summary = summary
        self.model = model
        self.checkpointSource = checkpointSource
        self.dataset = dataset
        self.trainableParameters = trainableParameters
        self.hyperParameters = hyperParameters
        self.test = test
        self.extended = extended
        self.lossCurve = lossCurve
        self.fineTunedCheckpoint = fineTunedCheckpoint
        self.extendedPromptEnsembles = extendedPromptEnsembles
        self.seedRuns = seedRuns
    }
}

/// Zero-shot accuracy on the held-out classes with one set of prompt templates averaged in
/// embedding space.
public struct ExtendedEnsembleAccuracy: Codable, Sendable, Equatable {
    public var templates: [String]
    public var extended: Accuracy

    public init(templates: [String], extended: Accuracy) {
        self.templates = templates
        self.extended = extended
    }
}

/// The three approaches the paper compares; the raw values name them in every payload.
public enum Approach: String, Codable, Sendable, CaseIterable {
    case vit
    case clipZeroShot = "clip_zero_shot"
    case clipFineTune = "clip_fine_tune"
}

/// Table 5's deployment-cost grades.
public enum CostTier: String, Codable, Sendable, CaseIterable {
    case low = "Low"
    case medium = "Medium"
    case high = "High"
}

/// The paper's full configuration projected from this machine's measurements.
public struct CostProjection: Codable, Sendable, Equatable {
    /// The configuration projected to: the paper's 75,750 training images, 10 epochs, 2x RTX 4090.
    public var trainingImages: Int
    public var epochs: Int
    public var hardware: String
    /// Forward plus backward FLOPs of the whole fine-tuning (zero for zero-shot).
    public var trainingFlops: Double
    public var trainingSecondsOnHardware: Double
    public var trainingSecondsHere: Double
    /// Forward FLOPs to classify one image (text embeddings cached for CLIP).
    public var inferenceFlopsPerImage: Double
    /// How the hardware numbers were obtained (peak throughput, utilisation assumed).
    public var assumptions: String

    public init(trainingImages: Int, epochs: Int, hardware: String, trainingFlops: Double, trainingSecondsOnHardware: Double,
                trainingSecondsHere: Double, inferenceFlopsPerImage: Double, assumptions: String) {
        self.trainingImages = trainingImages
        self.epochs = epochs
        self.hardware = hardware
        self.trainingFlops = trainingFlops
        self.trainingSecondsOnHardware = trainingSecondsOnHardware
        self.trainingSecondsHere = trainingSecondsHere
        self.inferenceFlopsPerImage = inferenceFlopsPerImage
        self.assumptions = assumptions
    }
}

/// One approach's measured and projected cost.
public struct ApproachCost: Codable, Sendable, Equatable {
    public var approach: Approach
    public var name: String
    public var trainableParameters: Int
    public var flopsPerImage: Double
    public var inferenceImagesPerSecond: Double
    /// Nil for zero-shot, which trains nothing.
    public var trainingImagesPerSecond: Double?
    /// Wall time and peak resident memory of the chapter run that made this approach's
    /// accuracy, when its results file was there to read them from.
    public var chapterWallSeconds: Double?
    public var chapterPeakMemoryBytes: UInt64?
    public var projection: CostProjection
    public var tier: CostTier
    /// Forward plus backward FLOPs to train on one image; nil for zero-shot.
    public var trainingFlopsPerImage: Double?
    /// The same figures for the mini preset's models, when the chapter measured them.
    public var atMiniSize: ScaledCost?

    public init(approach: Approach, name: String, trainableParameters: Int, flopsPerImage: Double,
                inferenceImagesPerSecond: Double, trainingImagesPerSecond: Double?, chapterWallSeconds: Double?,
                chapterPeakMemoryBytes: UInt64?, projection: CostProjection, tier: CostTier,
                trainingFlopsPerImage: Double? = nil, atMiniSize: ScaledCost? = nil) {
        self.approach = approach
        self.name = name
        self.trainableParameters = trainableParameters
        self.flopsPerImage = flopsPerImage
        self.inferenceImagesPerSecond = inferenceImagesPerSecond
        self.trainingImagesPerSecond = trainingImagesPerSecond
        self.chapterWallSeconds = chapterWallSeconds
        self.chapterPeakMemoryBytes = chapterPeakMemoryBytes
        self.projection = projection
        self.tier = tier
        self.trainingFlopsPerImage = trainingFlopsPerImage
        self.atMiniSize = atMiniSize
    }
}

/// An approach's counted and measured figures for a model of another size (the mini preset's).
public struct ScaledCost: Codable, Sendable, Equatable {
    /// The model, with its geometry: "mini ViT (width 64, 4 layers, patch 4, 32 px)".
    public var model: String
    public var trainableParameters: Int
    public var flopsPerImage: Double
    public var trainingFlopsPerImage: Double?
    public var inferenceImagesPerSecond: Double
    public var trainingImagesPerSecond: Double?

    public init(model: String, trainableParameters: Int, flopsPerImage: Double, trainingFlopsPerImage: Double?,
                inferenceImagesPerSecond: Double, trainingImagesPerSecond: Double?) {
        self.model = model
        self.trainableParameters = trainableParameters
        self.flopsPerImage = flopsPerImage
        self.trainingFlopsPerImage = trainingFlopsPerImage
        self.inferenceImagesPerSecond = inferenceImagesPerSecond
        self.trainingImagesPerSecond = trainingImagesPerSecond
    }
}

/// `cost`: Table 5, graded from measurements rather than asserted.
public struct CostResults: ChapterPayload, Equatable {
    public static let chapter = "cost"

    public var summary: String
    public var approaches: [ApproachCost]
    /// The rule that turns the projections into Low/Medium/High, in words.
    public var tierRule: String
    /// How the throughputs were measured (batch, passes, BLAS), and how FLOPs were counted.
    public var method: String?

    public init(summary: String, approaches: [ApproachCost], tierRule: String, method: String? = nil) {
        self.summary = summary
        self.approaches = approaches
        self.tierRule = tierRule
        self.method = method
    }
}

/// One model of the CIFAR-10 single-block fine-tuning baseline.
public struct CIFARModelResult: Codable, Sendable, Equatable {
    /// The baseline's name for the model: "DenseNet201", "DeiT-Base-Distilled", "CaiT-S24".
    public var name: String
    /// "CNN" or "Transformer".
    public var family: String
    public var trainableParameters: Int
    public var validation: Accuracy
    public var train: Accuracy
    public var trainSecondsPerEpoch: Double
    public var validationSecondsPerEpoch: Double

    public init(name: String, family: String, trainableParameters: Int, validation: Accuracy, train: Accuracy,
                trainSecondsPerEpoch: Double, validationSecondsPerEpoch: Double) {
        self.name = name
        self.family = family
        self.trainableParameters = trainableParameters
        self.validation = validation
        self.train = train
        self.trainSecondsPerEpoch = trainSecondsPerEpoch
        self.validationSecondsPerEpoch = validationSecondsPerEpoch
    }
}

/// `cifar`: the single-block fine-tuning baseline (Malpure et al. 2021) the paper cites.
public struct CIFARResults: ChapterPayload, Equatable {
    public static let chapter = "cifar"

    public var summary: String
    public var dataset: String
    public var hyperParameters: HyperParameters
    public var models: [CIFARModelResult]

    public init(summary: String, dataset: String, hyperParameters: HyperParameters, models: [CIFARModelResult]) {
        self.summary = summary
        self.dataset = dataset
        self.hyperParameters = hyperParameters
        self.models = models
    }
}

/// One mixing weight of WiSE-FT: weights = (1 - alpha) * zero-shot + alpha * fine-tuned.
public struct WiSEFTPoint: Codable, Sendable, Equatable {
    public var alpha: Double
    public var test: Accuracy
    public var extended: Accuracy

    public init(alpha: Double, test: Accuracy, extended: Accuracy) {
        self.alpha = alpha
        self.test = test
        self.extended = extended
    }
}

/// `wise-ft`: weight-space ensembles between zero-shot and fine-tuned CLIP.
public struct WiSEFTResults: ChapterPayload, Equatable {
    public static let chapter = "wise-ft"

    public var summary: String
    public var dataset: String
    /// One point per alpha, in the order run; accuracies with their bootstrap intervals.
    public var points: [WiSEFTPoint]
    public var model: String?
    public var zeroShotCheckpoint: String?
    public var fineTunedCheckpoint: String?
    /// What was mixed, the classification head included, in a sentence.
    public var mixed: String?
    /// The alpha the chapter calls best, and the rule that chose it.
    public var bestAlpha: Double?
    public var bestAlphaRule: String?

    public init(summary: String, dataset: String, points: [WiSEFTPoint], model: String? = nil, zeroShotCheckpoint: String? = nil,
                fineTunedCheckpoint: String? = nil, mixed: String? = nil, bestAlpha: Double? = nil, bestAlphaRule: String? = nil) {
        self.summary = summary
        self.dataset = dataset
        self.points = points
        self.model = model
        self.zeroShotCheckpoint = zeroShotCheckpoint
        self.fineTunedCheckpoint = fineTunedCheckpoint
        self.mixed = mixed
        self.bestAlpha = bestAlpha
        self.bestAlphaRule = bestAlphaRule
    }
}

// MARK: - Reading results back

/// A chapter's results file as written by `ChapterRun.write`: the envelope and its payload.
public struct ChapterResultsFile<Payload: ChapterPayload>: Decodable, Sendable {
    public static var supportedSchema: Int { 1 }

    public let schemaVersion: Int
    public let chapter: String
    public let preset: Preset
    public let seed: UInt64
    public let gitCommit: String
    public let machine: Machine
    public let started: String
    public let seconds: Double
    /// The run's peak resident memory; absent from files written before it was recorded.
    public let peakMemoryBytes: UInt64?
    public let results: Payload

    /// Reads `<directory>/<Payload.chapter>.json`; nil when the chapter has not been run.
    /// Any other problem (unreadable, not JSON, wrong schema or chapter, a missing or mistyped
    /// field) is a `ChapterError` whose message starts with the file's path.
    public static func load(from directory: URL) throws -> ChapterResultsFile? {
        let file = directory.appendingPathComponent("\(Payload.chapter).json")
        guard FileManager.default.fileExists(atPath: file.path) else { return nil }
        return try read(file)
    }

    public static func read(_ file: URL) throws -> ChapterResultsFile {
        let data: Data
        do {
            data = try Data(contentsOf: file)
        } catch {
            throw ChapterError("\(file.path): cannot be read (\(error.localizedDescription))")
        }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let loaded: ChapterResultsFile
        do {
            loaded = try decoder.decode(ChapterResultsFile.self, from: data)
        } catch let error as DecodingError {
            throw ChapterError("\(file.path): not a \(Payload.chapter) results file: \(explain(error))")
        } catch {
            throw ChapterError("\(file.path): not a \(Payload.chapter) results file: \(error.localizedDescription)")
        }
        guard loaded.schemaVersion == supportedSchema else {
            throw ChapterError("\(file.path): schema_version \(loaded.schemaVersion), but this build reads \(supportedSchema)")
        }
        guard loaded.chapter == Payload.chapter else {
            throw ChapterError("\(file.path): written by chapter \"\(loaded.chapter)\", expected \"\(Payload.chapter)\"")
        }
        return loaded
    }
}

/// A decoding error as one line: what went wrong and where in the file.
private func explain(_ error: DecodingError) -> String {
    func place(_ path: [any CodingKey]) -> String {
        let keys = path.map { $0.intValue.map { "[\($0)]" } ?? ".\(snakeCase($0.stringValue))" }.joined()
        return keys.isEmpty ? "the top level" : String(keys.drop(while: { $0 == "." }))
    }
    switch error {
    case .keyNotFound(let key, let context):
        return "missing \"\(snakeCase(key.stringValue))\" in \(place(context.codingPath))"
    case .typeMismatch(_, let context), .valueNotFound(_, let context):
        return "wrong type at \(place(context.codingPath)): \(context.debugDescription)"
    case .dataCorrupted(let context):
        let reason = (context.underlyingError as? NSError)?.localizedDescription ?? context.debugDescription
        return context.codingPath.isEmpty ? "invalid JSON (\(reason))" : "bad value at \(place(context.codingPath)): \(context.debugDescription)"
    @unknown default:
        return String(describing: error)
    }
}

/// The on-disk spelling of a property name, for error messages.
private func snakeCase(_ name: String) -> String {
    var out = ""
    for character in name {
        if character.isUppercase {
            if !out.isEmpty { out.append("_") }
            out.append(contentsOf: character.lowercased())
        } else {
            out.append(character)
        }
    }
    return out
}
