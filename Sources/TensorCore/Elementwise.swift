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
        let result = Tensor(zeros: targetShape)
        let inner = result.count, outer = count / max(inner, 1)
        let source = pointer, target = result.pointer
        for o in 0..<outer {
            let row = source + o * inner
            for i in 0..<inner { target[i] += row[i] }
        }
        return result
    }

    public func addInPlace(_ other: Tensor) {
        precondition(shape == other.shape, "addInPlace: \(shape) vs \(other.shape)")
        let a = pointer, b = other.pointer
        for i in 0..<count { a[i] += b[i] }
    }

    /// self += scale * other
    public func addInPlace(_ other: Tensor, scaledBy scale: Float) {
        precondition(shape == other.shape, "addInPlace: \(shape) vs \(other.shape)")
        let a = pointer, b = other.pointer
        for i in 0..<count { a[i] += scale * b[i] }
    }

    public func scaleInPlace(_ scale: Float) {
        let a = pointer
        for i in 0..<count { a[i] *= scale }
    }

    /// Applies `op` elementwise with `other` broadcast along the leading axes.
    fileprivate func zipped(_ other: Tensor, _ name: String, _ op: (Float, Float) -> Float) -> Tensor {
        guard let repeats = trailingRepeats(of: other) else {
            preconditionFailure("\(name): shapes \(shape) and \(other.shape) do not broadcast")
        }
        let result = Tensor(uninitializedShape: shape)
        let a = pointer, b = other.pointer, c = result.pointer, inner = other.count
        for r in 0..<repeats {
            let base = r * inner
            for i in 0..<inner { c[base + i] = op(a[base + i], b[i]) }
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
        lhs.zipped(rhs, "+", +).recording([lhs, rhs]) { g in [g, g.reduced(to: rhs.shape)] }
    }

    public static func - (lhs: Tensor, rhs: Tensor) -> Tensor {
        lhs.zipped(rhs, "-", -).recording([lhs, rhs]) { g in [g, g.map { -$0 }.reduced(to: rhs.shape)] }
    }

    public static func * (lhs: Tensor, rhs: Tensor) -> Tensor {
        lhs.zipped(rhs, "*", *).recording([lhs, rhs]) { g in
            [g.zipped(rhs, "*", *), (g * lhs.detached()).reduced(to: rhs.shape)]
        }
    }

    public static func * (lhs: Tensor, rhs: Float) -> Tensor {
        lhs.map { $0 * rhs }.recording([lhs]) { g in [g.map { $0 * rhs }] }
    }

    public static func + (lhs: Tensor, rhs: Float) -> Tensor {
        lhs.map { $0 + rhs }.recording([lhs]) { g in [g] }
    }
}
