// Elementwise arithmetic with autograd. Shapes must match, except for a trailing broadcast
// (`x + bias` where bias has the shape of x's last axes), the only broadcast transformers need.
import Foundation

extension Tensor {
    /// How many times `other` repeats along the leading axes of `self`, or nil if it does not fit.
    func trailingRepeats(of other: Tensor) -> Int? {
        guard other.rank <= rank, Array(shape.suffix(other.rank)) == other.shape else { return nil }
        return count / max(other.count, 1)
    }

    /// Sum over leading axes down to `targetShape` (the reverse of a trailing broadcast).
    func reduced(to targetShape: [Int]) -> Tensor {
        if targetShape == shape { return self }
        let result = Tensor(uninitializedShape: targetShape)
        let inner = result.count, outer = count / max(inner, 1)
        Parallel.columnSums(pointer, rows: outer, width: inner, into: result.pointer)
        return result
    }

    public func addInPlace(_ other: Tensor) {
        precondition(shape == other.shape, "addInPlace: \(shape) vs \(other.shape)")
        let a = pointer, b = other.pointer
        Parallel.forEachChunk(count) { range in
            for i in range { a[i] += b[i] }
        }
    }

    /// self += scale * other
    public func addInPlace(_ other: Tensor, scaledBy scale: Float) {
        precondition(shape == other.shape, "addInPlace: \(shape) vs \(other.shape)")
        let a = pointer, b = other.pointer
        Parallel.forEachChunk(count) { range in
            for i in range { a[i] += scale * b[i] }
        }
    }

    public func scaleInPlace(_ scale: Float) {
        let a = pointer
        Parallel.forEachChunk(count) { range in
            for i in range { a[i] *= scale }
        }
    }

    fileprivate enum BinaryOperation { case add, subtract, multiply }

    /// `self op other` elementwise, with `other` broadcast along the leading axes.
    fileprivate func zipped(_ other: Tensor, _ operation: BinaryOperation) -> Tensor {
        guard let repeats = trailingRepeats(of: other) else {
            preconditionFailure("\(operation): shapes \(shape) and \(other.shape) do not broadcast")
        }
        let result = Tensor(uninitializedShape: shape)
        let a = pointer, b = other.pointer, c = result.pointer, inner = other.count
        Parallel.forEachChunk(repeats, costPerItem: inner) { range in
            for r in range {
                let ar = a + r * inner, cr = c + r * inner
                switch operation {
                case .add: for i in 0..<inner { cr[i] = ar[i] + b[i] }
                case .subtract: for i in 0..<inner { cr[i] = ar[i] - b[i] }
                case .multiply: for i in 0..<inner { cr[i] = ar[i] * b[i] }
                }
            }
        }
        return result
    }

    /// a·x + b elementwise.
    fileprivate func affine(_ scale: Float, _ shift: Float) -> Tensor {
        let result = Tensor(uninitializedShape: shape)
        let a = pointer, c = result.pointer
        Parallel.forEachChunk(count) { range in
            for i in range { c[i] = a[i] * scale + shift }
        }
        return result
    }

    public func map(_ transform: (Float) -> Float) -> Tensor {
        let result = Tensor(uninitializedShape: shape)
        let a = pointer, c = result.pointer
        for i in 0..<count { c[i] = transform(a[i]) }
        return result
    }

    public static func + (lhs: Tensor, rhs: Tensor) -> Tensor {
        lhs.zipped(rhs, .add).recording([lhs, rhs]) { g in [g, g.reduced(to: rhs.shape)] }
    }

    public static func - (lhs: Tensor, rhs: Tensor) -> Tensor {
        lhs.zipped(rhs, .subtract).recording([lhs, rhs]) { g in [g, g.affine(-1, 0).reduced(to: rhs.shape)] }
    }

    public static func * (lhs: Tensor, rhs: Tensor) -> Tensor {
        lhs.zipped(rhs, .multiply).recording([lhs, rhs]) { g in
            [g.zipped(rhs, .multiply), (g * lhs.detached()).reduced(to: rhs.shape)]
        }
    }

    public static func * (lhs: Tensor, rhs: Float) -> Tensor {
        lhs.affine(rhs, 0).recording([lhs]) { g in [g.affine(rhs, 0)] }
    }

    public static func + (lhs: Tensor, rhs: Float) -> Tensor {
        lhs.affine(1, rhs).recording([lhs]) { g in [g] }
    }
}
