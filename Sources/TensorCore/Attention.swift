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
    let layout = AttentionLayout(batch: q.shape[0], queries: q.shape[1], length: q.shape[1], width: q.shape[2], heads: heads,
                                 queryStride: q.shape[2], stride: q.shape[2], mask: mask)
    let (output, probabilities) = layout.forward(q.pointer, k.pointer, v.pointer)
    return output.recording([q, k, v]) { g in
        let dq = Tensor(uninitializedShape: q.shape), dk = Tensor(uninitializedShape: k.shape), dv = Tensor(uninitializedShape: v.shape)
        layout.backward(g.pointer, q.pointer, k.pointer, v.pointer, probabilities.pointer, dq.pointer, dk.pointer, dv.pointer)
        return [dq, dk, dv]
    }
}

/// Attention on a fused projection: `qkv` is [B, T, 3D], each row its query, key and value
/// side by side (x · [W_q; W_k; W_v]ᵀ), read in place through strides. Same result as
/// `attention(query:key:value:)` on the three slices; the gradient is [B, T, 3D] likewise.
public func attention(packed qkv: Tensor, heads: Int, mask: AttentionMask = .none) -> Tensor {
    precondition(qkv.rank == 3 && qkv.shape[2] % 3 == 0, "attention: packed qkv \(qkv.shape) is not [B, T, 3D]")
    let width = qkv.shape[2] / 3
    let layout = AttentionLayout(batch: qkv.shape[0], queries: qkv.shape[1], length: qkv.shape[1], width: width, heads: heads,
                                 queryStride: 3 * width, stride: 3 * width, mask: mask)
    let base = qkv.pointer
    let (output, probabilities) = layout.forward(base, base + width, base + 2 * width)
    return output.recording([qkv]) { g in
        let d = Tensor(uninitializedShape: qkv.shape)
        let base = qkv.pointer, dp = d.pointer
        layout.backward(g.pointer, base, base + width, base + 2 * width, probabilities.pointer, dp, dp + width, dp + 2 * width)
        return [d]
    }
}

/// Attention of a few queries per item over all of its keys: `queries` is [B, Q, D] and
/// `keysAndValues` [B, T, 2D] (each row a key then a value, as x · [W_k; W_v]ᵀ gives them); the
/// result is [B, Q, D]. A model that reads only some positions of its last layer (a [CLS] token)
/// computes just those queries. No mask: every query sees every key.
public func attention(queries q: Tensor, keysAndValues kv: Tensor, heads: Int) -> Tensor {
    precondition(q.rank == 3 && kv.rank == 3 && q.shape[0] == kv.shape[0] && kv.shape[2] == 2 * q.shape[2],
                 "attention: queries \(q.shape) against keys and values \(kv.shape)")
    let width = q.shape[2]
    let layout = AttentionLayout(batch: q.shape[0], queries: q.shape[1], length: kv.shape[1], width: width, heads: heads,
                                 queryStride: width, stride: 2 * width, mask: .none)
    let (output, probabilities) = layout.forward(q.pointer, kv.pointer, kv.pointer + width)
    return output.recording([q, kv]) { g in
        let dq = Tensor(uninitializedShape: q.shape), dkv = Tensor(uninitializedShape: kv.shape)
        let kvp = kv.pointer, dkvp = dkv.pointer
        layout.backward(g.pointer, q.pointer, kvp, kvp + width, probabilities.pointer, dq.pointer, dkvp, dkvp + width)
        return [dq, dkv]
    }
}

/// The geometry of one attention call: `queries` query rows `queryStride` floats apart, `length`
/// key and value rows `stride` apart (their gradients likewise), the output's and its
/// gradient's rows `width` apart. Each (item, head) pair is independent: the pairs run in
/// parallel, each with single-threaded products on its own slices.
struct AttentionLayout {
    let batch, queries, length, width, heads, headWidth, queryStride, stride: Int
    let scale: Float
    let allowed: [Bool]

    init(batch: Int, queries: Int, length: Int, width: Int, heads: Int, queryStride: Int, stride: Int, mask: AttentionMask) {
        precondition(width % heads == 0, "attention: width \(width) is not divisible by \(heads) heads")
        precondition(mask.keyIsValid.map { $0.count == batch && $0.allSatisfy { $0.count == length } } ?? true,
                     "attention: key mask does not match [\(batch), \(length)]")
        precondition(queries == length || (!mask.causal && mask.keyIsValid == nil), "attention: masks need a query per key")
        (self.batch, self.queries, self.length, self.width, self.heads) = (batch, queries, length, width, heads)
        (self.queryStride, self.stride) = (queryStride, stride)
        headWidth = width / heads
        scale = 1 / Float(headWidth).squareRoot()
        allowed = maskTable(mask, batch: batch, length: length)
    }

    /// Floats of one pair's scores (queries × keys).
    var square: Int { queries * length }

    /// Cost of one (item, head) pair for `Parallel.forEachChunk`: its products' multiply-adds.
    var costPerPair: Int { 2 * square * headWidth }

    /// The output [B, Q, D] and the probabilities [B, H, Q, T] backward needs.
    func forward(_ q: UnsafePointer<Float>, _ k: UnsafePointer<Float>, _ v: UnsafePointer<Float>) -> (Tensor, Tensor) {
        let probabilities = Tensor(uninitializedShape: [batch, heads, queries, length])
        let output = Tensor(uninitializedShape: [batch, queries, width])
        let pp = probabilities.pointer, op = output.pointer
        allowed.withUnsafeBufferPointer { table in
            Parallel.forEachChunk(batch * heads, costPerItem: costPerPair) { pairs in
                for pair in pairs {
                    let b = pair / heads, h = pair % heads
                    let querySlice = b * queries * queryStride + h * headWidth, slice = b * length * stride + h * headWidth
                    let scores = pp + pair * square
                    serialGemm(transposeB: true, m: queries, n: length, k: headWidth, alpha: scale,
                               q + querySlice, lda: queryStride, k + slice, ldb: stride, scores, ldc: length,
                               library: Products.perHeadLibrary)
                    // (An empty array's buffer may still have a base address.)
                    if !table.isEmpty, let table = table.baseAddress {
                        let rowsAllowed = table + b * square
                        for i in 0..<square where !rowsAllowed[i] { scores[i] = -.infinity }
                    }
                    for i in 0..<queries { VectorKernels.softmaxRow(scores + i * length, length) }
                    serialGemm(m: queries, n: headWidth, k: length, scores, lda: length, v + slice, ldb: stride,
                               op + b * queries * width + h * headWidth, ldc: width, library: Products.perHeadLibrary)
                }
            }
        }
        return (output, probabilities)
    }

    /// Gradients of Q (written at `queryStride`), K and V (at `stride`) from the output's gradient
    /// `g` (at `width`).
    func backward(_ g: UnsafePointer<Float>, _ q: UnsafePointer<Float>, _ k: UnsafePointer<Float>, _ v: UnsafePointer<Float>,
                  _ probabilities: UnsafePointer<Float>,
                  _ dq: UnsafeMutablePointer<Float>, _ dk: UnsafeMutablePointer<Float>, _ dv: UnsafeMutablePointer<Float>) {
        Parallel.forEachChunk(batch * heads, costPerItem: 2 * costPerPair) { pairs in
            let dScores = UnsafeMutablePointer<Float>.allocate(capacity: square)
            defer { dScores.deallocate() }
            for pair in pairs {
                let b = pair / heads, h = pair % heads
                let querySlice = b * queries * queryStride + h * headWidth, slice = b * length * stride + h * headWidth
                let p = probabilities + pair * square
                let gSlice = g + b * queries * width + h * headWidth
                // dP = dO Vᵀ and dV = Pᵀ dO
                serialGemm(transposeB: true, m: queries, n: length, k: headWidth, gSlice, lda: width, v + slice, ldb: stride,
                           dScores, ldc: length, library: Products.perHeadLibrary)
                serialGemm(transposeA: true, m: length, n: headWidth, k: queries, p, lda: length, gSlice, ldb: width,
                           dv + slice, ldc: stride, library: Products.perHeadLibrary)
                // dS = P ∘ (dP − rowsum(dP ∘ P)), through the softmax
                for i in 0..<queries {
                    let pr = p + i * length, dr = dScores + i * length
                    let dot = VectorKernels.dot(pr, dr, length)
                    for j in 0..<length { dr[j] = pr[j] * (dr[j] - dot) }
                }
                // dQ = scale · dS K and dK = scale · dSᵀ Q
                serialGemm(m: queries, n: headWidth, k: length, alpha: scale, dScores, lda: length, k + slice, ldb: stride,
                           dq + querySlice, ldc: queryStride, library: Products.perHeadLibrary)
                serialGemm(transposeA: true, m: length, n: headWidth, k: queries, alpha: scale, dScores, lda: length,
                           q + querySlice, ldb: queryStride, dk + slice, ldc: stride, library: Products.perHeadLibrary)
            }
        }
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

/// Softmax of each row in place (vectorised, see `VectorKernels.softmaxRow`).
func softmaxRows(_ x: UnsafeMutablePointer<Float>, rows: Int, width: Int) {
    Parallel.forEachChunk(rows, costPerItem: 8 * width) { range in
        for r in range { VectorKernels.softmaxRow(x + r * width, width) }
    }
}
