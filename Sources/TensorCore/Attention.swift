// Multi-head scaled dot-product attention, fused: each head's Q, K and V are strided slices of
// the [B, T, D] projections (leading dimension D), so no head is ever copied or transposed.
// The probabilities are kept for backward.
import Foundation

public struct AttentionMask: Sendable {
    /// Each query attends only to itself and earlier positions (CLIP's text tower).
    public var causal: Bool
    /// Per batch item, which keys are real (false for padding); nil when all are.
    public var keyIsValid: [[Bool]]?

    public init(causal: Bool = false, keyIsValid: [[Bool]]? = nil) {
        self.causal = causal
        self.keyIsValid = keyIsValid
    }

    public static let none = AttentionMask()
}

/// softmax(Q Kᵀ / √d_head + mask) V per head; q, k and v are [B, T, D] with D = heads · d_head.
public func attention(query q: Tensor, key k: Tensor, value v: Tensor, heads: Int, mask: AttentionMask = .none) -> Tensor {
    precondition(q.rank == 3 && q.shape == k.shape && q.shape == v.shape, "attention: q \(q.shape), k \(k.shape), v \(v.shape)")
    let (batch, length, width) = (q.shape[0], q.shape[1], q.shape[2])
    precondition(width % heads == 0, "attention: width \(width) is not divisible by \(heads) heads")
    precondition(mask.keyIsValid.map { $0.count == batch && $0.allSatisfy { $0.count == length } } ?? true,
                 "attention: key mask does not match [\(batch), \(length)]")
    let headWidth = width / heads, scale = 1 / Float(headWidth).squareRoot()
    let probabilities = Tensor(uninitializedShape: [batch, heads, length, length])
    let output = Tensor(uninitializedShape: q.shape)
    let qp = q.pointer, kp = k.pointer, vp = v.pointer, pp = probabilities.pointer, op = output.pointer
    let square = length * length
    let allowed = maskTable(mask, batch: batch, length: length)

    allowed.withUnsafeBufferPointer { table in
        for b in 0..<batch {
            for h in 0..<heads {
                let slice = b * length * width + h * headWidth, scores = pp + (b * heads + h) * square
                gemm(transposeB: true, m: length, n: length, k: headWidth, alpha: scale,
                     qp + slice, lda: width, kp + slice, ldb: width, scores, ldc: length)
                softmaxRows(scores, rows: length, width: length, allowed: table.isEmpty ? nil : table.baseAddress! + b * square)
                gemm(m: length, n: headWidth, k: length, scores, lda: length, vp + slice, ldb: width, op + slice, ldc: width)
            }
        }
    }

    return output.recording([q, k, v]) { g in
        let dq = Tensor(uninitializedShape: q.shape), dk = Tensor(uninitializedShape: k.shape), dv = Tensor(uninitializedShape: v.shape)
        // Pointers taken inside the closure: capturing the tensors keeps their storage alive.
        let gp = g.pointer, dqp = dq.pointer, dkp = dk.pointer, dvp = dv.pointer
        let qp = q.pointer, kp = k.pointer, vp = v.pointer, pp = probabilities.pointer
        let dScores = UnsafeMutablePointer<Float>.allocate(capacity: square)
        defer { dScores.deallocate() }
        for b in 0..<batch {
            for h in 0..<heads {
                let slice = b * length * width + h * headWidth, p = pp + (b * heads + h) * square
                // dP = dO Vᵀ and dV = Pᵀ dO
                gemm(transposeB: true, m: length, n: length, k: headWidth, gp + slice, lda: width, vp + slice, ldb: width, dScores, ldc: length)
                gemm(transposeA: true, m: length, n: headWidth, k: length, p, lda: length, gp + slice, ldb: width, dvp + slice, ldc: width)
                // dS = P ∘ (dP − rowsum(dP ∘ P)), through the softmax
                for i in 0..<length {
                    let pr = p + i * length, dr = dScores + i * length
                    var dot: Float = 0
                    for j in 0..<length { dot += pr[j] * dr[j] }
                    for j in 0..<length { dr[j] = pr[j] * (dr[j] - dot) }
                }
                // dQ = scale · dS K and dK = scale · dSᵀ Q
                gemm(m: length, n: headWidth, k: length, alpha: scale, dScores, lda: length, kp + slice, ldb: width, dqp + slice, ldc: width)
                gemm(transposeA: true, m: length, n: headWidth, k: length, alpha: scale, dScores, lda: length, qp + slice, ldb: width, dkp + slice, ldc: width)
            }
        }
        return [dq, dk, dv]
    }
}

/// [B, T, T] table of which (query, key) pairs may attend; empty when all may. Backward needs
/// no mask: masked probabilities are exactly 0, and so are their gradients.
private func maskTable(_ mask: AttentionMask, batch: Int, length: Int) -> [Bool] {
    guard mask.causal || mask.keyIsValid != nil else { return [] }
    var table = [Bool](repeating: true, count: batch * length * length)
    for b in 0..<batch {
        for i in 0..<length {
            for j in 0..<length {
                table[(b * length + i) * length + j] = (!mask.causal || j <= i) && (mask.keyIsValid?[b][j] ?? true)
            }
        }
    }
    return table
}

/// Softmax of each row in place; entries not `allowed` become 0 (a row with none stays 0).
func softmaxRows(_ x: UnsafeMutablePointer<Float>, rows: Int, width: Int, allowed: UnsafePointer<Bool>? = nil) {
    for r in 0..<rows {
        let row = x + r * width, ok = allowed.map { $0 + r * width }
        var maximum = -Float.infinity
        for j in 0..<width where ok?[j] ?? true { maximum = max(maximum, row[j]) }
        var sum: Float = 0
        for j in 0..<width {
            if ok?[j] ?? true {
                let e = Foundation.exp(row[j] - maximum)
                row[j] = e
                sum += e
            } else {
                row[j] = 0
            }
        }
        if sum > 0 {
            let inverse = 1 / sum
            for j in 0..<width { row[j] *= inverse }
        }
    }
}
