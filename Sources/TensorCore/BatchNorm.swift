// Batch normalisation over the channel axis of [B, C, ...] (torch.nn.BatchNorm2d), in either of
// torch's two modes: normalising with the running statistics (eval), or with the batch's own
// (train), which also moves the running statistics towards the batch's by `momentum`.
import Foundation

public enum BatchNormStatistics: Sendable {
    /// Eval mode: the running mean and variance; the layer is a per-channel affine map.
    case running
    /// Train mode: the batch's mean and biased variance; the running mean and the unbiased
    /// variance are blended in with weight `momentum` (torch's default 0.1).
    case batch(momentum: Float)
}

/// weight · (x − mean) / √(variance + eps) + bias per channel, x of shape [B, C, ...].
public func batchNorm(_ x: Tensor, weight: Tensor, bias: Tensor, runningMean: Tensor, runningVariance: Tensor,
                      eps: Float, statistics: BatchNormStatistics = .running) -> Tensor {
    precondition(x.rank >= 2, "batchNorm: expected [B, C, ...], got \(x.shape)")
    let (batch, channels) = (x.shape[0], x.shape[1]), spatial = x.count / max(batch * channels, 1)
    for (name, tensor) in [("weight", weight), ("bias", bias), ("running mean", runningMean), ("running variance", runningVariance)] {
        precondition(tensor.shape == [channels], "batchNorm: \(name) \(tensor.shape) for input \(x.shape)")
    }
    // Per channel: the mean subtracted and 1/std, from the batch or the running statistics.
    let mean = Tensor(uninitializedShape: [channels]), inverseStd = Tensor(uninitializedShape: [channels])
    let y = Tensor(uninitializedShape: x.shape)
    let xp = x.pointer, yp = y.pointer, mp = mean.pointer, sp = inverseStd.pointer
    let wp = weight.pointer, bp = bias.pointer, rmp = runningMean.pointer, rvp = runningVariance.pointer
    let count = batch * spatial
    Parallel.forEachChunk(channels, costPerItem: count * 3) { range in
        for c in range {
            switch statistics {
            case .running:
                mp[c] = rmp[c]
                sp[c] = 1 / (rvp[c] + eps).squareRoot()
            case let .batch(momentum):
                var sum: Double = 0
                for b in 0..<batch {
                    let plane = xp + (b * channels + c) * spatial
                    for i in 0..<spatial { sum += Double(plane[i]) }
                }
                let m = sum / Double(count)
                var squares: Double = 0
                for b in 0..<batch {
                    let plane = xp + (b * channels + c) * spatial
                    for i in 0..<spatial { let d = Double(plane[i]) - m; squares += d * d }
                }
                mp[c] = Float(m)
                sp[c] = Float(1 / (squares / Double(count) + Double(eps)).squareRoot())
                let unbiased = squares / Double(max(count - 1, 1))
                rmp[c] = (1 - momentum) * rmp[c] + momentum * Float(m)
                rvp[c] = (1 - momentum) * rvp[c] + momentum * Float(unbiased)
            }
            let scale = wp[c] * sp[c], shift = bp[c] - mp[c] * scale
            for b in 0..<batch {
                let offset = (b * channels + c) * spatial
                for i in 0..<spatial { yp[offset + i] = xp[offset + i] * scale + shift }
            }
        }
    }

    let usesBatchStatistics: Bool
    if case .batch = statistics { usesBatchStatistics = true } else { usesBatchStatistics = false }
    return y.recording([x, weight, bias]) { g in
        // Pointers taken inside the closure: capturing the tensors keeps their storage alive.
        let gp = g.pointer, xp = x.pointer, wp = weight.pointer, mp = mean.pointer, sp = inverseStd.pointer
        let dx = x.needsGrad ? Tensor(uninitializedShape: x.shape) : nil
        let dw = Tensor(uninitializedShape: [channels]), db = Tensor(uninitializedShape: [channels])
        let dxp = dx?.pointer, dwp = dw.pointer, dbp = db.pointer
        Parallel.forEachChunk(channels, costPerItem: count * 3) { range in
            for c in range {
                // Σ g and Σ g·x̂ over the channel, x̂ = (x − mean)/std recomputed from x.
                var sumG: Float = 0, sumGX: Float = 0
                for b in 0..<batch {
                    let offset = (b * channels + c) * spatial
                    for i in 0..<spatial {
                        sumG += gp[offset + i]
                        sumGX += gp[offset + i] * (xp[offset + i] - mp[c]) * sp[c]
                    }
                }
                dbp[c] = sumG
                dwp[c] = sumGX
                guard let dxp else { continue }
                let scale = wp[c] * sp[c]
                // Batch statistics depend on x too: dx = w/std · (g − mean(g) − x̂ · mean(g·x̂)).
                let meanG = usesBatchStatistics ? sumG / Float(count) : 0
                let meanGX = usesBatchStatistics ? sumGX / Float(count) : 0
                for b in 0..<batch {
                    let offset = (b * channels + c) * spatial
                    for i in 0..<spatial {
                        let normalized = (xp[offset + i] - mp[c]) * sp[c]
                        dxp[offset + i] = scale * (gp[offset + i] - meanG - normalized * meanGX)
                    }
                }
            }
        }
        return [dx, dw, db]
    }
}
