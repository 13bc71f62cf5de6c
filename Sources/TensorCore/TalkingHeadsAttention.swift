// Talking-heads attention (Shazeer et al. 2020), as CaiT's TalkingHeadAttn computes it: the
// heads' attention logits are mixed across heads by a learned [H, H] map before the softmax
// (proj_l), and the probabilities mixed again after it (proj_w), before weighting the values.
// Per item, a stack of H score matrices is an [H, T·T] matrix, so each mix is one sgemm.
import Foundation

/// With S_h = Q_h K_hᵀ / √d_head:  A = W_w · softmax(W_l · S + b_l) + b_w  per head, output A_h V_h.
/// q, k, v are [B, T, D]; the mixing weights are [H, H] and biases [H], as torch.nn.Linear(H, H).
public func talkingHeadsAttention(query q: Tensor, key k: Tensor, value v: Tensor, heads: Int,
                                  logitMixing: Tensor, logitBias: Tensor,
                                  probabilityMixing: Tensor, probabilityBias: Tensor) -> Tensor {
    precondition(q.rank == 3 && q.shape == k.shape && q.shape == v.shape, "talkingHeadsAttention: q \(q.shape), k \(k.shape), v \(v.shape)")
    let (batch, length, width) = (q.shape[0], q.shape[1], q.shape[2])
    precondition(width % heads == 0, "talkingHeadsAttention: width \(width) is not divisible by \(heads) heads")
    for (name, tensor, shape) in [("logit mixing", logitMixing, [heads, heads]), ("logit bias", logitBias, [heads]),
                                  ("probability mixing", probabilityMixing, [heads, heads]), ("probability bias", probabilityBias, [heads])] {
        precondition(tensor.shape == shape, "talkingHeadsAttention: \(name) \(tensor.shape) for \(heads) heads")
    }
    let headWidth = width / heads, scale = 1 / Float(headWidth).squareRoot(), square = length * length
    // Kept for backward, each [B, H, T, T]: the raw scores, the softmax of the mixed scores, and
    // the mixed probabilities.
    let scores = Tensor(uninitializedShape: [batch, heads, length, length])
    let probabilities = Tensor(uninitializedShape: scores.shape), mixed = Tensor(uninitializedShape: scores.shape)
    let output = Tensor(uninitializedShape: q.shape)
    let qp = q.pointer, kp = k.pointer, vp = v.pointer, op = output.pointer
    for b in 0..<batch {
        let s = scores.pointer + b * heads * square, p = probabilities.pointer + b * heads * square
        let a = mixed.pointer + b * heads * square
        for h in 0..<heads {
            let slice = b * length * width + h * headWidth
            gemm(transposeB: true, m: length, n: length, k: headWidth, alpha: scale, qp + slice, lda: width, kp + slice, ldb: width,
                 s + h * square, ldc: length)
        }
        mixHeads(logitMixing.pointer, bias: logitBias.pointer, heads: heads, square, s, into: p)
        softmaxRows(p, rows: heads * length, width: length)
        mixHeads(probabilityMixing.pointer, bias: probabilityBias.pointer, heads: heads, square, p, into: a)
        for h in 0..<heads {
            let slice = b * length * width + h * headWidth
            gemm(m: length, n: headWidth, k: length, a + h * square, lda: length, vp + slice, ldb: width, op + slice, ldc: width)
        }
    }

    return output.recording([q, k, v, logitMixing, logitBias, probabilityMixing, probabilityBias]) { g in
        // Pointers taken inside the closure: capturing the tensors keeps their storage alive.
        let dq = Tensor(uninitializedShape: q.shape), dk = Tensor(uninitializedShape: k.shape), dv = Tensor(uninitializedShape: v.shape)
        let dWl = Tensor(zeros: [heads, heads]), dbl = Tensor(zeros: [heads])
        let dWw = Tensor(zeros: [heads, heads]), dbw = Tensor(zeros: [heads])
        let gp = g.pointer, qp = q.pointer, kp = k.pointer, vp = v.pointer
        let wl = logitMixing.pointer, ww = probabilityMixing.pointer
        // Per item: the gradient of the mixed probabilities, then of the softmax's output (in
        // place, into its input's), then of the raw scores.
        let dMixed = UnsafeMutablePointer<Float>.allocate(capacity: heads * square)
        let dProbabilities = UnsafeMutablePointer<Float>.allocate(capacity: heads * square)
        defer { dMixed.deallocate(); dProbabilities.deallocate() }
        for b in 0..<batch {
            let s = scores.pointer + b * heads * square, p = probabilities.pointer + b * heads * square
            let a = mixed.pointer + b * heads * square
            for h in 0..<heads {
                let slice = b * length * width + h * headWidth
                // dA = dO Vᵀ and dV = Aᵀ dO
                gemm(transposeB: true, m: length, n: length, k: headWidth, gp + slice, lda: width, vp + slice, ldb: width,
                     dMixed + h * square, ldc: length)
                gemm(transposeA: true, m: length, n: headWidth, k: length, a + h * square, lda: length, gp + slice, ldb: width,
                     dv.pointer + slice, ldc: width)
            }
            unmixHeads(ww, heads: heads, square, dMixed, input: p, into: dProbabilities, weightGradient: dWw.pointer, biasGradient: dbw.pointer)
            backpropagateSoftmaxRows(dProbabilities, probabilities: p, rows: heads * length, width: length)
            // The gradient of the raw scores reuses dMixed's memory.
            unmixHeads(wl, heads: heads, square, dProbabilities, input: s, into: dMixed, weightGradient: dWl.pointer, biasGradient: dbl.pointer)
            for h in 0..<heads {
                let slice = b * length * width + h * headWidth, dS = dMixed + h * square
                // dQ = scale · dS K and dK = scale · dSᵀ Q
                gemm(m: length, n: headWidth, k: length, alpha: scale, dS, lda: length, kp + slice, ldb: width, dq.pointer + slice, ldc: width)
                gemm(transposeA: true, m: length, n: headWidth, k: length, alpha: scale, dS, lda: length, qp + slice, ldb: width,
                     dk.pointer + slice, ldc: width)
            }
        }
        return [dq, dk, dv, dWl, dbl, dWw, dbw]
    }
}

/// out = W · x + b for a stack x of H matrices of `size` values each ([H, size]), W [H, H].
private func mixHeads(_ weight: UnsafePointer<Float>, bias: UnsafePointer<Float>, heads: Int, _ size: Int,
                      _ x: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>) {
    for h in 0..<heads { (out + h * size).update(repeating: bias[h], count: size) }
    gemm(m: heads, n: size, k: heads, weight, lda: heads, x, ldb: size, beta: 1, out, ldc: size)
}

/// Backward of `mixHeads`: dx = Wᵀ · dOut, and dW += dOut · xᵀ, db += row sums of dOut.
private func unmixHeads(_ weight: UnsafePointer<Float>, heads: Int, _ size: Int, _ gradient: UnsafePointer<Float>,
                        input x: UnsafePointer<Float>, into dx: UnsafeMutablePointer<Float>,
                        weightGradient: UnsafeMutablePointer<Float>, biasGradient: UnsafeMutablePointer<Float>) {
    gemm(transposeA: true, m: heads, n: size, k: heads, weight, lda: heads, gradient, ldb: size, dx, ldc: size)
    gemm(transposeB: true, m: heads, n: heads, k: size, gradient, lda: size, x, ldb: size, beta: 1, weightGradient, ldc: heads)
    for h in 0..<heads {
        var sum: Float = 0
        for i in 0..<size { sum += gradient[h * size + i] }
        biasGradient[h] += sum
    }
}
