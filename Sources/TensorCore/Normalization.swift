// LayerNorm over the last axis (biased variance, as torch), and L2 normalisation of embeddings.
import Foundation

/// (x - mean) / sqrt(var + eps) · weight + bias, row by row over the last axis.
///
/// Backward keeps only each row's mean and 1/std (and x, which the graph holds anyway), and
/// recomputes the normalised row from them: a saved copy of it would cost one activation per
/// LayerNorm.
public func layerNorm(_ x: Tensor, weight: Tensor, bias: Tensor, eps: Float) -> Tensor {
    let width = x.shape.last ?? 0, rows = x.count / max(width, 1)
    precondition(weight.shape == [width] && bias.shape == [width], "layerNorm: \(x.shape) with weight \(weight.shape)")
    let y = Tensor(uninitializedShape: x.shape)
    let statistics = Tensor(uninitializedShape: [rows, 2])  // mean, 1/std
    let xp = x.pointer, yp = y.pointer, sp = statistics.pointer
    let wp = weight.pointer, bp = bias.pointer
    Parallel.forEachChunk(rows, costPerItem: width * 4) { range in
        for r in range {
            let row = xp + r * width, out = yp + r * width
            let mean = VectorKernels.sum(row, width) / Float(width)
            let rstd = 1 / (VectorKernels.squaredDeviation(row, width, from: mean) / Float(width) + eps).squareRoot()
            sp[2 * r] = mean
            sp[2 * r + 1] = rstd
            for i in 0..<width { out[i] = ((row[i] - mean) * rstd) * wp[i] + bp[i] }
        }
    }
    return y.recording([x, weight, bias]) { g in
        // Pointers taken inside the closure: capturing the tensors keeps their storage alive.
        let gp = g.pointer, xp = x.pointer, sp = statistics.pointer, wp = weight.pointer
        var dx: Tensor?
        if x.needsGrad {
            let d = Tensor(uninitializedShape: x.shape)
            let dp = d.pointer
            Parallel.forEachChunk(rows, costPerItem: width * 8) { range in
                // Per row: n = (x − mean)·rstd, gw = g·w; dx = rstd · (gw − mean(gw) − n · mean(gw·n)).
                let n = UnsafeMutablePointer<Float>.allocate(capacity: width), gw = UnsafeMutablePointer<Float>.allocate(capacity: width)
                defer { n.deallocate(); gw.deallocate() }
                for r in range {
                    let gr = gp + r * width, xr = xp + r * width, out = dp + r * width
                    let mean = sp[2 * r], rstd = sp[2 * r + 1]
                    for i in 0..<width {
                        n[i] = (xr[i] - mean) * rstd
                        gw[i] = gr[i] * wp[i]
                    }
                    let meanG = VectorKernels.sum(gw, width) / Float(width)
                    let meanGN = VectorKernels.dot(gw, n, width) / Float(width)
                    for i in 0..<width { out[i] = rstd * (gw[i] - meanG - n[i] * meanGN) }
                }
            }
            dx = d
        }
        var dw: Tensor?, db: Tensor?
        if weight.needsGrad || bias.needsGrad {
            let w = Tensor(uninitializedShape: [width]), b = Tensor(uninitializedShape: [width])
            // dw = Σ_rows g·n and db = Σ_rows g, as one pass of column sums over [g·n, g].
            let sums = UnsafeMutablePointer<Float>.allocate(capacity: 2 * width)
            defer { sums.deallocate() }
            Parallel.columnSums(rows: rows, width: 2 * width, into: sums) { r, acc in
                let gr = gp + r * width, xr = xp + r * width
                let mean = sp[2 * r], rstd = sp[2 * r + 1]
                for i in 0..<width {
                    acc[i] += gr[i] * ((xr[i] - mean) * rstd)
                    acc[width + i] += gr[i]
                }
            }
            w.pointer.update(from: sums, count: width)
            b.pointer.update(from: sums + width, count: width)
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
