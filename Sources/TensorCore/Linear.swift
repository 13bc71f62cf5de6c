// Matrix products: `linear` (x · Wᵀ + b, as torch.nn.Linear, over any leading axes) and the 2-D
// `matmul` that CLIP's similarity logits use.

extension Tensor {
    /// The shape with its last axis replaced.
    func replacingLastAxis(with size: Int) -> [Int] { Array(shape.dropLast()) + [size] }
}

/// y = x · weightᵀ + bias, with x of shape [..., in], weight [out, in], bias [out].
public func linear(_ x: Tensor, weight: Tensor, bias: Tensor? = nil) -> Tensor {
    let inputs = x.shape.last ?? 0, outputs = weight.shape[0]
    precondition(weight.shape == [outputs, inputs], "linear: input \(x.shape) against weight \(weight.shape)")
    let rows = x.count / max(inputs, 1)
    let y = Tensor(uninitializedShape: x.replacingLastAxis(with: outputs))
    if let bias { precondition(bias.shape == [outputs], "linear: bias \(bias.shape) for \(outputs) outputs") }
    gemm(transposeB: true, m: rows, n: outputs, k: inputs, x.pointer, lda: inputs, weight.pointer, ldb: inputs,
         y.pointer, ldc: outputs, bias: bias?.pointer)

    return y.recording([x, weight] + (bias.map { [$0] } ?? [])) { g in
        var grads: [Tensor?] = [nil, nil]
        if x.needsGrad {
            let dx = Tensor(uninitializedShape: x.shape)
            gemm(m: rows, n: inputs, k: outputs, g.pointer, lda: outputs, weight.pointer, ldb: inputs, dx.pointer, ldc: inputs)
            grads[0] = dx
        }
        if weight.needsGrad {
            let dw = Tensor(uninitializedShape: weight.shape)
            gemm(transposeA: true, m: outputs, n: inputs, k: rows, g.pointer, lda: outputs, x.pointer, ldb: inputs, dw.pointer, ldc: inputs)
            grads[1] = dw
        }
        if bias != nil { grads.append(g.reduced(to: [outputs])) }
        return grads
    }
}

/// The 2-D product op(a) · op(b).
public func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
    precondition(a.rank == 2 && b.rank == 2, "matmul takes matrices, got \(a.shape) and \(b.shape)")
    let m = transposeA ? a.shape[1] : a.shape[0], k = transposeA ? a.shape[0] : a.shape[1]
    let n = transposeB ? b.shape[0] : b.shape[1]
    precondition((transposeB ? b.shape[1] : b.shape[0]) == k, "matmul: \(a.shape) and \(b.shape) do not chain")
    let c = Tensor(uninitializedShape: [m, n])
    gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
         a.pointer, lda: a.shape[1], b.pointer, ldb: b.shape[1], c.pointer, ldc: n)
    return c.recording([a, b]) { g in
        // d(a) = g · op(b)ᵀ, laid out as a (transposed back when a was used transposed); likewise b.
        let ga = a.needsGrad
            ? (transposeA ? matmul(b, g, transposeA: transposeB, transposeB: true)
                          : matmul(g, b, transposeB: !transposeB)) : nil
        let gb = b.needsGrad
            ? (transposeB ? matmul(g, a, transposeA: true, transposeB: transposeA)
                          : matmul(a, g, transposeA: !transposeA)) : nil
        return [ga, gb]
    }
}
