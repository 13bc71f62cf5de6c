// Element types of safetensors files, and their conversion to Float32. All formats are little-endian,
// as is every host Swift runs this package on.
import Foundation

enum DType: Equatable {
    case f32, f16, bf16, f64
    /// Any other type the format allows (integers, bool, float8): listed, but not readable as floats.
    case other(String, byteSize: Int?)

    init(_ name: String) {
        switch name {
        case "F32": self = .f32
        case "F16": self = .f16
        case "BF16": self = .bf16
        case "F64": self = .f64
        case "I64", "U64": self = .other(name, byteSize: 8)
        case "I32", "U32": self = .other(name, byteSize: 4)
        case "I16", "U16": self = .other(name, byteSize: 2)
        case "I8", "U8", "BOOL", "F8_E4M3", "F8_E5M2": self = .other(name, byteSize: 1)
        default: self = .other(name, byteSize: nil)
        }
    }

    var name: String {
        switch self {
        case .f32: return "F32"
        case .f16: return "F16"
        case .bf16: return "BF16"
        case .f64: return "F64"
        case let .other(name, _): return name
        }
    }

    var byteSize: Int? {
        switch self {
        case .f32: return 4
        case .f16, .bf16: return 2
        case .f64: return 8
        case let .other(_, size): return size
        }
    }

    /// Converts `count` elements at `source` (any alignment) into `destination`; false if the type is not a float type we read.
    func convert(_ source: UnsafeRawPointer, count: Int, into destination: UnsafeMutablePointer<Float>) -> Bool {
        switch self {
        case .f32:
            UnsafeMutableRawPointer(destination).copyMemory(from: source, byteCount: count * 4)
        case .f16:
            for i in 0..<count { destination[i] = floatFromHalfBits(source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)) }
        case .bf16:
            for i in 0..<count {
                let bits = UInt32(source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)) << 16
                destination[i] = Float(bitPattern: bits)
            }
        case .f64:
            for i in 0..<count { destination[i] = Float(source.loadUnaligned(fromByteOffset: 8 * i, as: Double.self)) }
        case .other:
            return false
        }
        return true
    }
}

/// IEEE 754 binary16 to binary32, exactly (every half is a float). Done by hand because `Float16`
/// is missing on some platforms (macOS on Intel).
func floatFromHalfBits(_ half: UInt16) -> Float {
    let sign = UInt32(half & 0x8000) << 16
    let exponent = Int(half >> 10) & 0x1F
    let mantissa = UInt32(half & 0x03FF)
    switch exponent {
    case 0:
        // Zero or subnormal: mantissa · 2^-24.
        let magnitude = Float(mantissa) * 0x1p-24
        return sign == 0 ? magnitude : -magnitude
    case 0x1F:
        // Infinity or NaN; the NaN payload moves to the top of the wider mantissa.
        return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
    default:
        return Float(bitPattern: sign | UInt32(exponent - 15 + 127) << 23 | (mantissa << 13))
    }
}
