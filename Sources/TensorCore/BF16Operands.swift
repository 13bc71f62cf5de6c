// bf16 copies of a product's two operands for oneDNN (`Precision.bf16`): each rounded to nearest
// even from float, stored densely in the operand's own orientation, in buffers each thread reuses.
final class BF16Operands {
    private var a = Buffer(), b = Buffer()

    private struct Buffer {
        var pointer: UnsafeMutablePointer<UInt16>?
        var capacity = 0

        mutating func reserve(_ count: Int) -> UnsafeMutablePointer<UInt16> {
            if count > capacity {
                pointer?.deallocate()
                pointer = .allocate(capacity: count)
                capacity = count
            }
            return pointer!
        }
    }

    deinit {
        a.pointer?.deallocate()
        b.pointer?.deallocate()
    }

    /// Dense bf16 copies of op(A) (m × k) and op(B) (k × n), as `OneDNN.Product` describes them.
    func convert(_ g: OneDNN.Geometry, _ aSource: UnsafePointer<Float>, _ bSource: UnsafePointer<Float>)
        -> (UnsafeMutableRawPointer, UnsafeMutableRawPointer) {
        let aRows = g.transposeA ? g.k : g.m, aColumns = g.transposeA ? g.m : g.k
        let bRows = g.transposeB ? g.n : g.k, bColumns = g.transposeB ? g.k : g.n
        let aCopy = a.reserve(aRows * aColumns), bCopy = b.reserve(bRows * bColumns)
        Self.round(aSource, rows: aRows, columns: aColumns, leading: g.lda, into: aCopy)
        Self.round(bSource, rows: bRows, columns: bColumns, leading: g.ldb, into: bCopy)
        return (UnsafeMutableRawPointer(aCopy), UnsafeMutableRawPointer(bCopy))
    }

    static func round(_ source: UnsafePointer<Float>, rows: Int, columns: Int, leading: Int,
                      into target: UnsafeMutablePointer<UInt16>) {
        for r in 0..<rows {
            let row = source + r * leading, out = target + r * columns
            for i in 0..<columns { out[i] = bf16(row[i]) }
        }
    }

    /// float → bf16, rounding to nearest even (NaN stays NaN).
    @inline(__always)
    static func bf16(_ x: Float) -> UInt16 {
        let bits = x.bitPattern
        if x.isNaN { return UInt16(bits >> 16) | 0x40 }
        return UInt16((bits &+ 0x7FFF &+ ((bits >> 16) & 1)) >> 16)
    }
}
