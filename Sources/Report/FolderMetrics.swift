import Common
import Results
import TensorCore
import Foundation

// The metrics of a results folder: each payload's own (`ChapterPayload.metrics(of:)`), numbers by
// dotted path for payloads without, and every chapter's wall time.

extension ResultsFolder {
    /// `metrics` by id (the first, should two share one).
    public var metricsByID: [String: Metric] {
        Dictionary(metrics.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Every metric of every results file present, in the registry's order: those its payload
    /// states, or, for a payload that states none, each of its numbers outside lists by dotted path.
    public var metrics: [Metric] {
        var all: [Metric] = []
        for file in files {
            all += (file.payloadMetrics ?? genericMetrics(file.chapter, file.preset, file.payloadJSON)).map { $0.made(by: file) }
            all.append(wallTime(file.chapter, file.preset, file.seconds, file.precisionUsed))
        }
        for other in others {
            all += other.numbers.map { numberMetric(other.chapter, other.preset, $0.path, $0.value, other.precision) }
            all.append(wallTime(other.chapter, other.preset, other.provenance.seconds, other.precision))
        }
        return all
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

private func wallTime(_ chapter: String, _ preset: Preset, _ seconds: Double, _ precision: Precision) -> Metric {
    var metric = Metric(id: "\(chapter).seconds", label: "\(chapter) chapter wall time", value: .number(seconds), unit: "s",
                        interval: nil, images: nil, preset: preset)
    metric.precision = precision
    return metric
}
