// Multi-head attention of Tq queries over Tk keys (CaiT's class attention: the class token
// alone queries itself and every patch). As in `attention`, each head is a strided slice of
// the [B, T, D] projections, and the probabilities are kept for backward.

/// softmax(Q Kᵀ / √d_head) V per head, with q [B, Tq, D] and k, v [B, Tk, D]: [B, Tq, D].
public func crossAttention(query q: Tensor, key k: Tensor, value v: Tensor, heads: Int) -> Tensor {
    precondition(q.rank == 3 && k.rank == 3 && k.shape == v.shape && q.shape[0] == k.shape[0] && q.shape[2] == k.shape[2],
                 "crossAttention: q \(q.shape), k \(k.shape), v \(v.shape)")
    let (batch, queries, keys, width) = (q.shape[0], q.shape[1], k.shape[1], q.shape[2])
    precondition(width % heads == 0, "crossAttention: width \(width) is not divisible by \(heads) heads")
    let headWidth = width / heads, scale = 1 / Float(headWidth).squareRoot(), block = queries * keys
    let probabilities = Tensor(uninitializedShape: [batch, heads, queries, keys])
    let output = Tensor(uninitializedShape: q.shape)
    let qp = q.pointer, kp = k.pointer, vp = v.pointer, pp = probabilities.pointer, op = output.pointer
    for b in 0..<batch {
        for h in 0..<heads {
            let qs = b * queries * width + h * headWidth, ks = b * keys * width + h * headWidth
            let scores = pp + (b * heads + h) * block
            gemm(transposeB: true, m: queries, n: keys, k: headWidth, alpha: scale, qp + qs, lda: width, kp + ks, ldb: width, scores, ldc: keys)
            softmaxRows(scores, rows: queries, width: keys)
            gemm(m: queries, n: headWidth, k: keys, scores, lda: keys, vp + ks, ldb: width, op + qs, ldc: width)
        }
    }

    return output.recording([q, k, v]) { g in
        let dq = Tensor(uninitializedShape: q.shape), dk = Tensor(uninitializedShape: k.shape), dv = Tensor(uninitializedShape: v.shape)
        // Pointers taken inside the closure: capturing the tensors keeps their storage alive.
        let gp = g.pointer, dqp = dq.pointer, dkp = dk.pointer, dvp = dv.pointer
        let qp = q.pointer, kp = k.pointer, vp = v.pointer, pp = probabilities.pointer
        let dScores = UnsafeMutablePointer<Float>.allocate(capacity: block)
        defer { dScores.deallocate() }
        for b in 0..<batch {
            for h in 0..<heads {
                let qs = b * queries * width + h * headWidth, ks = b * keys * width + h * headWidth
                let p = pp + (b * heads + h) * block
                // dP = dO Vᵀ and dV = Pᵀ dO
                gemm(transposeB: true, m: queries, n: keys, k: headWidth, gp + qs, lda: width, vp + ks, ldb: width, dScores, ldc: keys)
                gemm(transposeA: true, m: keys, n: headWidth, k: queries, p, lda: keys, gp + qs, ldb: width, dvp + ks, ldc: width)
                backpropagateSoftmaxRows(dScores, probabilities: p, rows: queries, width: keys)
                // dQ = scale · dS K and dK = scale · dSᵀ Q
                gemm(m: queries, n: headWidth, k: keys, alpha: scale, dScores, lda: keys, kp + ks, ldb: width, dqp + qs, ldc: width)
                gemm(transposeA: true, m: keys, n: headWidth, k: queries, alpha: scale, dScores, lda: keys, qp + qs, ldb: width, dkp + ks, ldc: width)
            }
        }
        return [dq, dk, dv]
    }
}

/// In place, the gradient of each row's softmax logits from that of its probabilities:
/// dS = P ∘ (dP − rowsum(dP ∘ P)).
func backpropagateSoftmaxRows(_ gradient: UnsafeMutablePointer<Float>, probabilities: UnsafePointer<Float>, rows: Int, width: Int) {
    for i in 0..<rows {
        let pr = probabilities + i * width, dr = gradient + i * width
        var dot: Float = 0
        for j in 0..<width { dot += pr[j] * dr[j] }
        for j in 0..<width { dr[j] = pr[j] * (dr[j] - dot) }
    }
}
