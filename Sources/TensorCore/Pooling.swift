// Spatial pooling of [B, C, H, W] feature maps, as torch.nn's MaxPool2d (DenseNet's stem),
// AvgPool2d (its transitions) and adaptive average pooling to 1×1 (its head) compute them.

/// The maximum of each k×k window, windows `stride` apart; padding is never the maximum.
public func maxPool2d(_ x: Tensor, kernel: Int, stride: Int, padding: Int = 0) -> Tensor {
    precondition(x.rank == 4 && padding <= kernel / 2, "maxPool2d: input \(x.shape), kernel \(kernel), padding \(padding)")
    let (planes, height, width) = (x.shape[0] * x.shape[1], x.shape[2], x.shape[3])
    let oh = (height + 2 * padding - kernel) / stride + 1, ow = (width + 2 * padding - kernel) / stride + 1
    precondition(oh > 0 && ow > 0, "maxPool2d: kernel \(kernel) does not fit input \(x.shape)")
    let y = Tensor(uninitializedShape: [x.shape[0], x.shape[1], oh, ow])
    // For backward: the index within its plane of each output's maximum.
    var winners = [Int32](repeating: 0, count: planes * oh * ow)
    let xp = x.pointer, yp = y.pointer
    winners.withUnsafeMutableBufferPointer { winners in
        let wp = winners.baseAddress!
        Parallel.forEachChunk(planes, costPerItem: oh * ow * kernel * kernel) { range in
            for p in range {
                let plane = xp + p * height * width
                for oy in 0..<oh {
                    let rows = max(0, oy * stride - padding)..<min(height, oy * stride - padding + kernel)
                    for ox in 0..<ow {
                        let columns = max(0, ox * stride - padding)..<min(width, ox * stride - padding + kernel)
                        // The first maximum in scan order wins, as in torch.
                        var best = -Float.infinity, winner = rows.lowerBound * width + columns.lowerBound
                        for iy in rows {
                            for ix in columns where plane[iy * width + ix] > best {
                                best = plane[iy * width + ix]
                                winner = iy * width + ix
                            }
                        }
                        yp[(p * oh + oy) * ow + ox] = best
                        wp[(p * oh + oy) * ow + ox] = Int32(winner)
                    }
                }
            }
        }
    }
    return y.recording([x]) { g in
        let dx = Tensor(zeros: x.shape)
        let gp = g.pointer, dp = dx.pointer
        for p in 0..<planes {
            for o in 0..<(oh * ow) { dp[p * height * width + Int(winners[p * oh * ow + o])] += gp[p * oh * ow + o] }
        }
        return [dx]
    }
}

/// The mean of each non-overlapping k×k window (stride k, no padding; a remainder is dropped).
public func avgPool2d(_ x: Tensor, kernel: Int) -> Tensor {
    precondition(x.rank == 4 && x.shape[2] >= kernel && x.shape[3] >= kernel, "avgPool2d: input \(x.shape), kernel \(kernel)")
    let (planes, height, width) = (x.shape[0] * x.shape[1], x.shape[2], x.shape[3])
    let oh = height / kernel, ow = width / kernel, scale = 1 / Float(kernel * kernel)
    let y = Tensor(uninitializedShape: [x.shape[0], x.shape[1], oh, ow])
    let xp = x.pointer, yp = y.pointer
    Parallel.forEachChunk(planes, costPerItem: oh * ow * kernel * kernel) { range in
        for p in range {
            let plane = xp + p * height * width
            for oy in 0..<oh {
                for ox in 0..<ow {
                    var sum: Float = 0
                    for ky in 0..<kernel {
                        for kx in 0..<kernel { sum += plane[(oy * kernel + ky) * width + ox * kernel + kx] }
                    }
                    yp[(p * oh + oy) * ow + ox] = sum * scale
                }
            }
        }
    }
    return y.recording([x]) { g in
        let dx = Tensor(zeros: x.shape)
        let gp = g.pointer, dp = dx.pointer
        for p in 0..<planes {
            for oy in 0..<oh {
                for ox in 0..<ow {
                    let share = gp[(p * oh + oy) * ow + ox] * scale
                    for ky in 0..<kernel {
                        for kx in 0..<kernel { dp[p * height * width + (oy * kernel + ky) * width + ox * kernel + kx] += share }
                    }
                }
            }
        }
        return [dx]
    }
}

/// [B, C, H, W] → [B, C]: the mean of each feature map.
public func globalAveragePool(_ x: Tensor) -> Tensor {
    precondition(x.rank == 4, "globalAveragePool: expected [B, C, H, W], got \(x.shape)")
    let planes = x.shape[0] * x.shape[1], area = x.shape[2] * x.shape[3]
    let y = Tensor(uninitializedShape: [x.shape[0], x.shape[1]])
    for p in 0..<planes {
        var sum: Float = 0
        for i in 0..<area { sum += x.pointer[p * area + i] }
        y.pointer[p] = sum / Float(area)
    }
    return y.recording([x]) { g in
        let dx = Tensor(uninitializedShape: x.shape)
        for p in 0..<planes { (dx.pointer + p * area).update(repeating: g.pointer[p] / Float(area), count: area) }
        return [dx]
    }
}
