import Results
import TensorCore

// The one sentence at the top of a report whose numbers include bf16 ones (each is marked by
// `PrecisionMark`).

/// The chapters whose products ran in bf16, in one sentence; nil when every one ran in fp32.
public func precisionStatement(_ results: ResultsFolder) -> String? {
    let bf16 = results.files.filter { $0.precisionUsed == .bf16 }.map(\.chapter)
        + results.others.filter { $0.precision == .bf16 }.map(\.chapter)
    guard !bf16.isEmpty else { return nil }
    return "**Precision: bf16** for \(bf16.joined(separator: ", ")): their products ran with bf16 operands and float accumulation "
        + "(oneDNN), so their numbers are not an fp32 run's; each is marked \(PrecisionMark(.bf16)("").trimmingCharacters(in: .whitespaces))."
}
