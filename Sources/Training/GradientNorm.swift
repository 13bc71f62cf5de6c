// The global gradient norm, and clipping to it as torch.nn.utils.clip_grad_norm_ does.
import TensorCore

/// √(Σ g²) over every gradient (tensors without one count as zero). Sums of fixed-size blocks
/// are added in order, so the result does not depend on how many threads computed them.
public func gradientNorm(_ tensors: [Tensor]) -> Double {
    let blockSize = 1 << 14
    var total: Double = 0
    for grad in tensors.compactMap(\.grad) {
        let g = grad.pointer, count = grad.count
        let blocks = (count + blockSize - 1) / blockSize
        var partial = [Double](repeating: 0, count: blocks)
        partial.withUnsafeMutableBufferPointer { sums in
            let sums = sums.baseAddress!
            Parallel.forEachChunk(blocks, costPerItem: blockSize) { range in
                for block in range {
                    var sum: Double = 0
                    for i in (block * blockSize)..<min(count, (block + 1) * blockSize) { sum += Double(g[i]) * Double(g[i]) }
                    sums[block] = sum
                }
            }
        }
        total = partial.reduce(total, +)
    }
    return total.squareRoot()
}

/// Scales the gradients by min(1, maxNorm / (norm + 1e-6)), the coefficient formed in Float32 as
/// torch forms it, and returns the norm before clipping.
@discardableResult
public func clipGradientNorm(_ tensors: [Tensor], maxNorm: Double) -> Double {
    let norm = gradientNorm(tensors)
    let coefficient = Float(maxNorm) / (Float(norm) + 1e-6)
    if coefficient < 1 {
        for grad in tensors.compactMap(\.grad) { grad.scaleInPlace(coefficient) }
    }
    return norm
}
