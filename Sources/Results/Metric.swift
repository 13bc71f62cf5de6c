import TensorCore
import Training

/// One reproduced number under a stable id ("vit.test.top1", "cost.vit.tier"): what the diffs
/// compare and the published registry's `reproduced_by` names. Each payload states its own
/// (`ChapterPayload.metrics(of:)`), ids written out beside the fields they read. Accuracies are in
/// percent here, like the published tables.
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

    public init(id: String, label: String, value: Value, unit: String, interval: ClosedRange<Double>?, images: Int?, preset: Preset) {
        (self.id, self.label, self.value, self.unit, self.interval, self.images, self.preset) = (id, label, value, unit, interval, images, preset)
    }

    public var number: Double? {
        if case .number(let number) = value { return number }
        return nil
    }

    /// Whether the run's 95% interval (its value, without one) contains chance.
    public var atChance: Bool? {
        guard let chance, let value = number else { return nil }
        return (interval ?? value...value).contains(chance)
    }
}

/// The name used in metric ids for a model of the CIFAR-10 baseline: "DeiT-Base-Distilled"
/// becomes "deit-base-distilled".
public func metricSlug(_ name: String) -> String {
    name.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }).joined(separator: "-")
}

/// Collects one results file's metrics, each under the id it is given.
public struct MetricList {
    public let preset: Preset
    public private(set) var metrics: [Metric] = []

    public init(preset: Preset) {
        self.preset = preset
    }

    public mutating func add(_ id: String, _ label: String, _ value: Metric.Value, unit: String,
                             interval: ClosedRange<Double>? = nil, images: Int? = nil) {
        metrics.append(Metric(id: id, label: label, value: value, unit: unit, interval: interval, images: images, preset: preset))
    }

    /// An accuracy, in percent, with its chance level: guessing among `classes` scores k/n for top-k
    /// (none when the class count is not recorded).
    public mutating func accuracy(_ id: String, _ label: String, _ accuracy: Accuracy, among classes: Int?, top k: Int = 1) {
        let interval = accuracy.interval.map { 100 * $0.low...100 * $0.high }
        add(id, label, .number(100 * accuracy.value), unit: "%", interval: interval, images: accuracy.images)
        if let classes, classes > 0 { metrics[metrics.count - 1].chance = 100 * Double(min(k, classes)) / Double(classes) }
    }

    /// The test and extended accuracy of each prompt set, as "<id>.<n>.test" and "<id>.<n>.extended".
    public mutating func ensembles(_ id: String, _ ensembles: [PromptEnsembleAccuracy], classes: ClassCounts?,
                                   describe: (PromptEnsembleAccuracy) -> String) {
        for (index, ensemble) in ensembles.enumerated() {
            let what = describe(ensemble)
            accuracy("\(id).\(index + 1).test", "\(what), test accuracy", ensemble.test, among: classes?.trained)
            accuracy("\(id).\(index + 1).extended", "\(what), extended accuracy", ensemble.extended, among: classes?.heldOut)
        }
    }

    public mutating func count(_ id: String, _ label: String, _ count: Int, unit: String) {
        add(id, label, .number(Double(count)), unit: unit)
    }

    public mutating func finalLoss(_ id: String, _ model: String, _ curve: [LossPoint]) {
        guard let last = curve.last else { return }
        add(id, "\(model) training loss at the last logged step (\(last.step))", .number(last.loss), unit: "")
    }

    /// Each hyper-parameter as "<id>.<name>".
    public mutating func hyperParameters(_ id: String, _ what: String, _ parameters: HyperParameters) {
        for (name, value) in parameters.sorted(by: { $0.key < $1.key }) {
            switch value {
            case .number(let number): add("\(id).\(name)", "\(what) \(name)", .number(number), unit: "")
            case .text(let text): add("\(id).\(name)", "\(what) \(name)", .text(text), unit: "")
            }
        }
    }
}
