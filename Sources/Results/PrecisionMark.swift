import TensorCore

// A number computed with bf16 products is not the number an fp32 run gives: the report marks
// each one, in tables, in the chapters' sentences and in `report diff`, and says so once at the
// top. An fp32 run (and a results file from before precision was recorded) reads as it always did.

/// Marks the numbers of one run with the precision of the products that computed them.
public struct PrecisionMark {
    public let precision: Precision

    public init(_ precision: Precision) {
        self.precision = precision
    }

    public init(_ file: any ChapterResultsFileProtocol) {
        self.init(file.precisionUsed)
    }

    /// `number` (a formatted value, with its interval if any) as the report prints it: unchanged
    /// from an fp32 run, followed by "(bf16)" from a bf16 one.
    public func callAsFunction(_ number: String) -> String {
        precision == .bf16 ? "\(number) (bf16)" : number
    }
}
