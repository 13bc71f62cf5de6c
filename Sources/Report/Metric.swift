import Common
import Results
import TensorCore
import Training
import Foundation

/// One reproduced number, flattened out of a results file under a stable id
/// ("vit.test.top1", "cost.vit.tier"): what the diffs compare and the registry's
/// `reproduced_by` names. Accuracies are in percent here, like the published tables.
public struct Metric: Sendable, Equatable {
    public enum Value: Sendable, Equatable {
        case number(Double)
        case text(String)
    }

    public let id: String
    public let label: String
    public let value: Value
    public let unit: String
    /// The 95% bootstrap interval, in `unit`.
    public let interval: ClosedRange<Double>?
    /// How many images an accuracy was measured on.
    public let images: Int?
    public let preset: Preset
    /// Whether the run that made it used `--quick` smoke-test sizes: never judged.
    public var quick = false
    /// The checkpoints its run started from (empty when none were recorded).
    public var checkpoints: [CheckpointIdentity] = []
    /// The precision of the products its run computed with (bf16 numbers are marked so).
    public var precision = Precision.fp32
    /// For an accuracy, what guessing scores, in percent (1/91 of the trained classes' test, 1/10 of the
    /// held-out classes'; k/n for top-k), when the results file says how many classes there were.
    public var chance: Double?

    public var number: Double? {
        if case .number(let number) = value { return number }
        return nil
    }
}

extension ResultsFolder {
    /// `metrics` by id (the first, should two share one).
    public var metricsByID: [String: Metric] {
        Dictionary(metrics.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Every metric of every results file present, in the registry's order. A payload the report
    /// has no table for gives each of its numbers outside lists, by dotted path.
    public var metrics: [Metric] {
        var all: [Metric] = []
        for file in files {
            all += (chapterMetrics(file) ?? genericMetrics(file.chapter, file.preset, file.payloadJSON)).map { $0.made(by: file) }
            all.append(wallTime(file.chapter, file.preset, file.seconds, file.precisionUsed))
        }
        for other in others {
            all += other.numbers.map { numberMetric(other.chapter, other.preset, $0.path, $0.value, other.precision) }
            all.append(wallTime(other.chapter, other.preset, other.provenance.seconds, other.precision))
        }
        return all
    }
}

private func chapterMetrics(_ file: any ChapterResultsFileProtocol) -> [Metric]? {
    switch file {
    case let file as ChapterResultsFile<ViTResults>: vitMetrics(file)
    case let file as ChapterResultsFile<CLIPZeroShotResults>: clipMetrics(file)
    case let file as ChapterResultsFile<CLIPFineTuneResults>: clipFineTuneMetrics(file)
    case let file as ChapterResultsFile<CostResults>: costMetrics(file)
    case let file as ChapterResultsFile<CIFARResults>: cifarMetrics(file)
    case let file as ChapterResultsFile<WiSEFTResults>: wiseFTMetrics(file)
    case let file as ChapterResultsFile<LiTResults>: litMetrics(file)
    default: nil
    }
}

private func genericMetrics(_ chapter: String, _ preset: Preset, _ payload: JSONValue) -> [Metric] {
    payloadNumbers(payload).map { numberMetric(chapter, preset, $0.path, $0.value) }
}

private func numberMetric(_ chapter: String, _ preset: Preset, _ path: String, _ value: Double, _ precision: Precision = .fp32) -> Metric {
    var metric = Metric(id: "\(chapter).\(path)", label: "\(chapter): \(path)", value: .number(value), unit: "", interval: nil, images: nil,
                        preset: preset)
    metric.precision = precision
    return metric
}

/// The name used in metric ids for a model of the CIFAR-10 baseline: "DeiT-Base-Distilled"
/// becomes "deit-base-distilled".
public func metricSlug(_ name: String) -> String {
    name.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }).joined(separator: "-")
}

private func vitMetrics(_ file: ChapterResultsFile<ViTResults>) -> [Metric] {
    let r = file.results
    var make = MetricMaker(chapter: file.chapter, preset: file.preset)
    make.accuracy("validation.top1", "ViT validation top-1 accuracy", r.test.top1)
    make.accuracy("validation.top5", "ViT validation top-5 accuracy", r.test.top5)
    make.accuracy("test.top1", "ViT test top-1 accuracy", r.test.top1)
    make.accuracy("test.top5", "ViT test top-5 accuracy", r.test.top5)
    make.count("trainable_parameters", "ViT trainable parameters", r.trainableParameters, unit: "parameters")
    make.finalLoss("ViT", r.lossCurve)
    make.hyperParameters("ViT", r.hyperParameters)
    return make.metrics
}

private func clipMetrics(_ file: ChapterResultsFile<CLIPZeroShotResults>) -> [Metric] {
    let r = file.results
    var make = MetricMaker(chapter: file.chapter, preset: file.preset)
    make.accuracy("test", "CLIP zero-shot test accuracy (trained classes)", r.test)
    make.accuracy("extended", "CLIP zero-shot extended accuracy (held-out classes)", r.extended)
    make.ensembles("ensemble", r.promptEnsembles ?? []) { "CLIP zero-shot, \($0.templates.count)-template ensemble" }
    return make.metrics
}

private func clipFineTuneMetrics(_ file: ChapterResultsFile<CLIPFineTuneResults>) -> [Metric] {
    let r = file.results
    var make = MetricMaker(chapter: file.chapter, preset: file.preset)
    make.accuracy("test", "Fine-tuned CLIP test accuracy (trained classes)", r.test)
    make.accuracy("extended", "Fine-tuned CLIP extended accuracy (held-out classes)", r.extended)
    for (index, ensemble) in (r.extendedPromptEnsembles ?? []).enumerated() {
        make.accuracy("ensemble.\(index + 1).extended",
                      "Fine-tuned CLIP, \(ensemble.templates.count)-template ensemble, extended accuracy", ensemble.extended)
    }
    make.count("trainable_parameters", "Fine-tuned CLIP trainable parameters", r.trainableParameters, unit: "parameters")
    for recipe in r.recipes {
        make.accuracy("recipes.\(recipe.id).test", "Fine-tuned CLIP (\(recipe.id)) test accuracy", recipe.test)
        make.accuracy("recipes.\(recipe.id).extended", "Fine-tuned CLIP (\(recipe.id)) extended accuracy", recipe.extended)
        if let drift = recipe.drift {
            make.add("recipes.\(recipe.id).drift.embedding_cosine", "Fine-tuned CLIP (\(recipe.id)) held-out embedding cosine to pretrained",
                     .number(drift.embeddingCosine), unit: "")
        }
    }
    make.finalLoss("Fine-tuned CLIP", r.lossCurve)
    make.hyperParameters("CLIP fine-tuning", r.hyperParameters)
    return make.metrics
}

private func costMetrics(_ file: ChapterResultsFile<CostResults>) -> [Metric] {
    var make = MetricMaker(chapter: file.chapter, preset: file.preset)
    for cost in file.results.approaches {
        let key = cost.approach.rawValue
        make.add("\(key).tier", "\(cost.name) deployment cost tier", .text(cost.tier.rawValue), unit: "")
        make.count("\(key).trainable_parameters", "\(cost.name) trainable parameters", cost.trainableParameters, unit: "parameters")
        make.add("\(key).flops_per_image", "\(cost.name) FLOPs per image", .number(cost.flopsPerImage), unit: "FLOPs")
        make.add("\(key).inference_images_per_second", "\(cost.name) inference throughput here",
                 .number(cost.inferenceImagesPerSecond), unit: "images/s")
        if let training = cost.trainingImagesPerSecond {
            make.add("\(key).training_images_per_second", "\(cost.name) training throughput here", .number(training), unit: "images/s")
        }
        if let seconds = cost.chapterWallSeconds {
            make.add("\(key).chapter_wall_seconds", "\(cost.name) chapter run wall time", .number(seconds), unit: "s")
        }
        if let bytes = cost.chapterPeakMemoryBytes {
            make.add("\(key).chapter_peak_memory_gib", "\(cost.name) chapter run peak memory", .number(Double(bytes) / Double(1 << 30)), unit: "GiB")
        }
        let projection = cost.projection
        make.add("\(key).projected_training_hours", "\(cost.name) projected training time on \(projection.hardware)",
                 .number(projection.trainingSecondsOnHardware / 3600), unit: "h")
        make.add("\(key).projected_training_hours_here", "\(cost.name) projected training time on this machine",
                 .number(projection.trainingSecondsHere / 3600), unit: "h")
    }
    return make.metrics
}

private func cifarMetrics(_ file: ChapterResultsFile<CIFARResults>) -> [Metric] {
    var make = MetricMaker(chapter: file.chapter, preset: file.preset)
    for model in file.results.models {
        let key = metricSlug(model.name)
        make.accuracy("\(key).validation", "\(model.name) validation accuracy", model.validation)
        make.accuracy("\(key).train", "\(model.name) train accuracy", model.train)
        make.count("\(key).trainable_parameters", "\(model.name) trainable parameters", model.trainableParameters, unit: "parameters")
        make.add("\(key).train_seconds_per_epoch", "\(model.name) training time per epoch", .number(model.trainSecondsPerEpoch), unit: "s")
        make.add("\(key).validation_seconds_per_epoch", "\(model.name) validation time per epoch",
                 .number(model.validationSecondsPerEpoch), unit: "s")
    }
    make.hyperParameters("CIFAR-10 study", file.results.hyperParameters)
    return make.metrics
}

private func wiseFTMetrics(_ file: ChapterResultsFile<WiSEFTResults>) -> [Metric] {
    var make = MetricMaker(chapter: file.chapter, preset: file.preset)
    for point in file.results.points {
        let alpha = formatNumber(point.alpha)
        make.accuracy("alpha_\(alpha).test", "WiSE-FT alpha \(alpha) test accuracy", point.test)
        make.accuracy("alpha_\(alpha).extended", "WiSE-FT alpha \(alpha) extended accuracy", point.extended)
    }
    return make.metrics
}

private func litMetrics(_ file: ChapterResultsFile<LiTResults>) -> [Metric] {
    file.results.variants.flatMap { r in
        // One id prefix per image tower: lit.clip.test, lit.vit-fine-tuned.extended, ...
        var make = MetricMaker(chapter: "\(file.chapter).\(r.imageTower.rawValue)", preset: file.preset)
        let name = "LiT (\(litTowerName(r.imageTower)))"
        make.accuracy("test", "\(name) test accuracy (trained classes)", r.test)
        make.accuracy("extended", "\(name) extended accuracy (held-out classes)", r.extended)
        make.ensembles("ensemble", r.promptEnsembles) { "\(name), \($0.templates.count)-template ensemble" }
        make.ensembles("before_tuning", r.beforeTuning ?? []) { "\(name) before tuning, \($0.templates.count) template(s)" }
        make.count("trainable_parameters", "\(name) trainable parameters", r.trainableParameters, unit: "parameters")
        make.count("training_pairs", "\(name) training pairs", r.trainingPairCount, unit: "pairs")
        make.finalLoss(name, r.lossCurve)
        make.hyperParameters(name, r.hyperParameters)
        return make.metrics
    }
}

/// The locked image tower of a LiT entry, in words.
func litTowerName(_ tower: LiTImageTower) -> String {
    switch tower {
    case .clip: "CLIP image tower"
    case .vitPretrained: "pretrained ViT"
    case .vitFineTuned: "fine-tuned ViT"
    }
}

private func wallTime(_ chapter: String, _ preset: Preset, _ seconds: Double, _ precision: Precision) -> Metric {
    var metric = Metric(id: "\(chapter).seconds", label: "\(chapter) chapter wall time", value: .number(seconds), unit: "s",
                        interval: nil, images: nil, preset: preset)
    metric.precision = precision
    return metric
}

/// Builds one chapter's metrics, prefixing ids with the chapter's name.
private struct MetricMaker {
    let chapter: String
    let preset: Preset
    var metrics: [Metric] = []

    init(chapter: String, preset: Preset) {
        self.chapter = chapter
        self.preset = preset
    }

    mutating func add(_ key: String, _ label: String, _ value: Metric.Value, unit: String,
                      interval: ClosedRange<Double>? = nil, images: Int? = nil) {
        metrics.append(Metric(id: "\(chapter).\(key)", label: label, value: value, unit: unit, interval: interval,
                              images: images, preset: preset))
    }

    mutating func accuracy(_ key: String, _ label: String, _ accuracy: Accuracy) {
        let interval = accuracy.interval.map { 100 * $0.low...100 * $0.high }
        add(key, label, .number(100 * accuracy.value), unit: "%", interval: interval, images: accuracy.images)
    }

    /// The test and extended accuracy of each prompt set, keyed "<key>.<n>.test" and "<key>.<n>.extended".
    mutating func ensembles(_ key: String, _ ensembles: [PromptEnsembleAccuracy], describe: (PromptEnsembleAccuracy) -> String) {
        for (index, ensemble) in ensembles.enumerated() {
            let what = describe(ensemble)
            accuracy("\(key).\(index + 1).test", "\(what), test accuracy", ensemble.test)
            accuracy("\(key).\(index + 1).extended", "\(what), extended accuracy", ensemble.extended)
        }
    }

    mutating func count(_ key: String, _ label: String, _ count: Int, unit: String) {
        add(key, label, .number(Double(count)), unit: unit)
    }

    mutating func finalLoss(_ model: String, _ curve: [LossPoint]) {
        guard let last = curve.last else { return }
        add("final_loss", "\(model) training loss at the last logged step (\(last.step))", .number(last.loss), unit: "")
    }

    mutating func hyperParameters(_ what: String, _ parameters: HyperParameters) {
        for (name, value) in parameters.sorted(by: { $0.key < $1.key }) {
            switch value {
            case .number(let number): add("hyper_parameters.\(name)", "\(what) \(name)", .number(number), unit: "")
            case .text(let text): add("hyper_parameters.\(name)", "\(what) \(name)", .text(text), unit: "")
            }
        }
    }
}
