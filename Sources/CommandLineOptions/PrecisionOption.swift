// `--precision`, once for every command: vitclip's model commands and every chapter (through
// ChapterSupport's RunOptions) parse and apply it the same way.
import ArgumentParser
import TensorCore

extension Precision: ExpressibleByArgument {}

/// `--precision`: the products' precision (TensorCore's process-wide setting).
public struct PrecisionOption: ParsableArguments {
    @Option(help: "Products in fp32, bf16 (oneDNN, float accumulation; needs AVX512-BF16 or AMX), or auto (bf16 only with AMX).")
    public var precision: Precision = .fp32

    public init() {}

    /// Sets the precision for every later product and returns the one in use (`auto` resolved).
    /// Throws `PrecisionError` (one line) when bf16 is asked for on a processor without it.
    @discardableResult
    public func apply() throws -> Precision {
        try Precision.set(precision)
        return Precision.current
    }
}
