import Foundation
import Results
import TensorCore

// A number computed with bf16 products is not the number an fp32 run gives: the report marks
// each one, in tables, in the chapters' sentences and in `report diff`, and says so once at the
// top. An fp32 run (and a results file from before precision was recorded) reads as it always did.

/// Marks the numbers of one run with the precision of the products that computed them.
struct PrecisionMark {
    let precision: Precision

    init(_ precision: Precision) {
        self.precision = precision
    }

    init(_ file: any ChapterResultsFileProtocol) {
        self.init(file.precisionUsed)
    }

    /// `number` (a formatted value, with its interval if any) as the report prints it: unchanged
    /// from an fp32 run, followed by "(bf16)" from a bf16 one.
    func callAsFunction(_ number: String) -> String {
        precision == .bf16 ? "\(number) (bf16)" : number
    }
}

/// The chapters whose products ran in bf16, in one sentence; nil when every one ran in fp32.
public func precisionStatement(_ results: ResultsFolder) -> String? {
    let bf16 = results.files.filter { $0.precisionUsed == .bf16 }.map(\.chapter)
        + results.others.filter { $0.precision == .bf16 }.map(\.chapter)
    guard !bf16.isEmpty else { return nil }
    return "**Precision: bf16** for \(bf16.joined(separator: ", ")): their products ran with bf16 operands and float accumulation "
        + "(oneDNN), so their numbers are not an fp32 run's; each is marked \(PrecisionMark(.bf16)("").trimmingCharacters(in: .whitespaces))."
}
