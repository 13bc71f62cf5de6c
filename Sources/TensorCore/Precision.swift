// The precision of the products, process-wide. fp32 is the default and the only precision the
// goldens check. bf16 runs the products through oneDNN with bf16 operands and float accumulation
// and output; everything else (activations, norms, softmax, the optimiser) stays in float. oneDNN
// has bf16 kernels only on processors with AVX512-BF16 or AMX, and without AMX they run no faster
// than fp32 (measured on an AVX512-BF16 Xeon, benchmarks/NOTES.md), so `auto` picks bf16 only
// where AMX is present.
import Foundation

public enum Precision: String, CaseIterable, Codable, Sendable {
    case fp32, bf16, auto

    /// The precision in use: fp32 or bf16 (never auto).
    public static var current: Precision { lock.withLock { chosen } }

    /// Sets the precision for every later product; `auto` resolves to fp32 or bf16 here.
    /// Throws when bf16 is asked for on a processor oneDNN has no bf16 kernels for.
    public static func set(_ requested: Precision) throws {
        let resolved = try requested.resolved(processorHasBF16: processorHasBF16, processorHasAMX: processorHasAMX)
        lock.withLock { chosen = resolved }
    }

    /// fp32 or bf16, on a processor with or without bf16 products and AMX.
    func resolved(processorHasBF16: Bool, processorHasAMX: Bool) throws -> Precision {
        switch self {
        case .fp32: return .fp32
        case .bf16:
            guard processorHasBF16 else { throw PrecisionError.bf16Unsupported }
            return .bf16
        case .auto: return processorHasAMX ? .bf16 : .fp32
        }
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var chosen = Precision.fp32

    static let processorHasBF16 = !BLASKernel.cpuFlags().isDisjoint(with: ["avx512_bf16", "amx_bf16"])
    static let processorHasAMX = BLASKernel.cpuFlags().contains("amx_bf16")
}

public enum PrecisionError: Error, CustomStringConvertible {
    case bf16Unsupported

    public var description: String {
        "bf16 needs a processor with AVX512-BF16 or AMX (oneDNN has no bf16 products for this one); use --precision fp32"
    }
}
