import Foundation
import Training

// The pieces every chapter's closing sentences share, so each number reads the same way in every
// summary (accuracies through `Accuracy.percentWithInterval`).

/// "[mini preset]", or "[paper preset, quick smoke-test sizes]": once per summary.
public func presetTag<Payload>(_ file: ChapterResultsFile<Payload>) -> String {
    "[\(file.preset.rawValue) preset\(file.quick == true ? ", quick smoke-test sizes" : "")]"
}

/// A training loss with three decimals, "?" when there is none.
func lossWords(_ value: (some BinaryFloatingPoint)?) -> String {
    value.map { String(format: "%.3f", Double($0)) } ?? "?"
}

/// The mean of seeds' accuracies with their standard deviation in points.
func spreadWords(_ values: [Double]) -> String {
    let spread = Spread(values)
    return "\(percent(spread.mean)) (standard deviation \(String(format: "%.2f", 100 * spread.standardDeviation)) points)"
}

/// A mixing weight as the paper writes it: 0, 0.5, 1.
func alphaWords(_ value: Double) -> String { String(format: "%g", value) }
