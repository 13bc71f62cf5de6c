// LayerNorm over the last axis (biased variance, as torch), and L2 normalisation of embeddings.
import Foundation

/// (x - mean) / sqrt(var + eps) · weight + bias, row by row over the last axis.
public func layerNorm(_ x: Tensor, weight: Tensor, bias: Tensor, eps: Float) -> Tensor {
    let width = x.shape.last ?? 0, rows = x.count / max(width, 1)
    precondition(weight.shape == [width] && bias.shape == [width], "layerNorm: \(x.shape) with weight \(weight.shape)")
    let y = Tensor(uninitializedShape: x.shape)
    // Saved for backward: the normalised rows and each row's 1/std.
    let normalized = Tensor(uninitializedShape: x.shape), inverseStd = Tensor(uninitializedShape: [rows])
    let xp = x.pointer, yp = y.pointer, np = normalized.pointer, sp = inverseStd.pointer
    let wp = weight.pointer, bp = bias.pointer
    Parallel.forEachChunk(rows, costPerItem: width * 4) { range in
        for r in range {
            let row = xp + r * width, out = yp + r * width, norm = np + r * width
            var sum: Float = 0
            for i in 0..<width { sum += row[i] }
            let mean = sum / Float(width)
            var squares: Float = 0
            for i in 0..<width { let d = row[i] - mean; squares += d * d }
            let rstd = 1 / (squares / Float(width) + eps).squareRoot()
            sp[r] = rstd
            for i in 0..<width {
                let n = (row[i] - mean) * rstd
                norm[i] = n
                out[i] = n * wp[i] + bp[i]
            }
        }
    }
    return y.recording([x, weight, bias]) { g in
        // Pointers taken inside the closure: capturing the tensors keeps their storage alive.
        let gp = g.pointer, np = normalized.pointer, sp = inverseStd.pointer, wp = weight.pointer
        var dx: Tensor?
        if x.needsGrad {
            let d = Tensor(uninitializedShape: x.shape)
            let dp = d.pointer
            Parallel.forEachChunk(rows, costPerItem: width * 4) { range in
                for r in range {
                    let gr = gp + r * width, nr = np + r * width, out = dp + r * width
                    var meanG: Float = 0, meanGN: Float = 0
                    for i in 0..<width { let gi = gr[i] * wp[i]; meanG += gi; meanGN += gi * nr[i] }
                    meanG /= Float(width); meanGN /= Float(width)
                    let rstd = sp[r]
                    for i in 0..<width { out[i] = rstd * (gr[i] * wp[i] - meanG - nr[i] * meanGN) }
                }
            }
            dx = d
        }
        var dw: Tensor?, db: Tensor?
        if weight.needsGrad || bias.needsGrad {
            let w = Tensor(zeros: [width]), b = Tensor(zeros: [width])
            let dwp = w.pointer, dbp = b.pointer
            for r in 0..<rows {
                let gr = gp + r * width, nr = np + r * width
                for i in 0..<width { dwp[i] += gr[i] * nr[i]; dbp[i] += gr[i] }
            }
            dw = w; db = b
        }
        return [dx, dw, db]
    }
}

/// x / ‖x‖₂ over the last axis, as CLIP normalises its embeddings.
public func l2Normalized(_ x: Tensor) -> Tensor {
    let width = x.shape.last ?? 0, rows = x.count / max(width, 1)
    let y = Tensor(uninitializedShape: x.shape), norms = Tensor(uninitializedShape: [rows])
    let xp = x.pointer, yp = y.pointer, np = norms.pointer
    for r in 0..<rows {
        var squares: Float = 0
        for i in 0..<width { squares += xp[r * width + i] * xp[r * width + i] }
        let norm = squares.squareRoot()
        np[r] = norm
        for i in 0..<width { yp[r * width + i] = xp[r * width + i] / norm }
    }
    return y.recording([x]) { g in
        // d/dx (x/‖x‖) applied to g: (g − y (g·y)) / ‖x‖, with y = x/‖x‖ recomputed from x (the
        // closure must not hold y, whose node holds the closure).
        let dx = Tensor(uninitializedShape: x.shape)
        let gp = g.pointer, dp = dx.pointer, xp = x.pointer, np = norms.pointer
        for r in 0..<rows {
            let gr = gp + r * width, xr = xp + r * width, inverse = 1 / np[r]
            var dot: Float = 0
            for i in 0..<width { dot += gr[i] * xr[i] * inverse }
            for i in 0..<width { dp[r * width + i] = (gr[i] - xr[i] * inverse * dot) * inverse }
        }
        return [dx]
    }
}
