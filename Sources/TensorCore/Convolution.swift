// 2-D convolution as torch.nn.Conv2d computes it (square kernel, symmetric zero padding, no
// groups), lowered to OpenBLAS's sgemm one image at a time: im2col unrolls each receptive field
// into a column, and the kernel [O, C·k·k] multiplies the [C·k·k, Ho·Wo] columns. A 1×1 kernel
// with stride 1 needs no unrolling: the image [C, H·W] is its own column matrix.

/// Where a convolution's windows fall on one input plane.
struct ConvolutionGeometry {
    let channels, height, width, kernel, stride, padding: Int
    var outputHeight: Int { (height + 2 * padding - kernel) / stride + 1 }
    var outputWidth: Int { (width + 2 * padding - kernel) / stride + 1 }
    /// Rows of the column matrix: one per (channel, kernel row, kernel column).
    var patchSize: Int { channels * kernel * kernel }
    var isPointwise: Bool { kernel == 1 && stride == 1 && padding == 0 }

    /// The output positions along one axis whose input position `o · stride − padding + offset`
    /// lies inside 0..<size.
    func validOutputs(offset: Int, size: Int, outputs: Int) -> Range<Int> {
        let shift = padding - offset
        let first = max(0, shift > 0 ? (shift + stride - 1) / stride : 0)
        let last = min(outputs - 1, (size - 1 + shift) >= 0 ? (size - 1 + shift) / stride : -1)
        return first..<max(first, last + 1)
    }

    /// Unrolls one image [C, H, W] into columns [C·k·k, Ho·Wo], zeros where a window overhangs.
    func unroll(_ image: UnsafePointer<Float>, into columns: UnsafeMutablePointer<Float>) {
        let (oh, ow) = (outputHeight, outputWidth), plane = height * width
        Parallel.forEachChunk(patchSize, costPerItem: oh * ow) { rows in
            for row in rows {
                let c = row / (kernel * kernel), ky = (row / kernel) % kernel, kx = row % kernel
                let out = columns + row * oh * ow, source = image + c * plane
                let ys = validOutputs(offset: ky, size: height, outputs: oh)
                let xs = validOutputs(offset: kx, size: width, outputs: ow)
                out.update(repeating: 0, count: oh * ow)
                for oy in ys {
                    let line = source + (oy * stride - padding + ky) * width - padding + kx
                    let target = out + oy * ow
                    if stride == 1 {
                        (target + xs.lowerBound).update(from: line + xs.lowerBound, count: xs.count)
                    } else {
                        for ox in xs { target[ox] = line[ox * stride] }
                    }
                }
            }
        }
    }

    /// The adjoint of `unroll`: adds each column entry back onto the input pixel it came from.
    func accumulate(_ columns: UnsafePointer<Float>, into image: UnsafeMutablePointer<Float>) {
        let (oh, ow) = (outputHeight, outputWidth), plane = height * width
        // Split by channel: the rows of different channels write to disjoint planes.
        Parallel.forEachChunk(channels, costPerItem: kernel * kernel * oh * ow) { range in
            for c in range {
                for ky in 0..<kernel {
                    for kx in 0..<kernel {
                        let column = columns + ((c * kernel + ky) * kernel + kx) * oh * ow
                        let ys = validOutputs(offset: ky, size: height, outputs: oh)
                        let xs = validOutputs(offset: kx, size: width, outputs: ow)
                        for oy in ys {
                            let line = image + c * plane + (oy * stride - padding + ky) * width - padding + kx
                            let source = column + oy * ow
                            for ox in xs { line[ox * stride] += source[ox] }
                        }
                    }
                }
            }
        }
    }
}

/// y = x ⋆ weight (+ bias) for x [B, C, H, W], weight [O, C, k, k], bias [O]: [B, O, Ho, Wo].
public func conv2d(_ x: Tensor, weight: Tensor, bias: Tensor? = nil, stride: Int = 1, padding: Int = 0) -> Tensor {
    precondition(x.rank == 4 && weight.rank == 4 && weight.shape[1] == x.shape[1] && weight.shape[2] == weight.shape[3],
                 "conv2d: input \(x.shape) against kernel \(weight.shape)")
    let (batch, outputs) = (x.shape[0], weight.shape[0])
    let geometry = ConvolutionGeometry(channels: x.shape[1], height: x.shape[2], width: x.shape[3],
                                       kernel: weight.shape[2], stride: stride, padding: padding)
    let (oh, ow, patch) = (geometry.outputHeight, geometry.outputWidth, geometry.patchSize)
    precondition(oh > 0 && ow > 0, "conv2d: kernel \(weight.shape) does not fit input \(x.shape) with padding \(padding)")
    precondition(bias.map { $0.shape == [outputs] } ?? true, "conv2d: bias \(bias!.shape) for \(outputs) outputs")
    let y = Tensor(uninitializedShape: [batch, outputs, oh, ow])
    let inputPlane = geometry.channels * geometry.height * geometry.width, outputPlane = outputs * oh * ow
    let columns = geometry.isPointwise ? nil : UnsafeMutablePointer<Float>.allocate(capacity: patch * oh * ow)
    defer { columns?.deallocate() }
    for b in 0..<batch {
        let image = x.pointer + b * inputPlane, out = y.pointer + b * outputPlane
        if let columns { geometry.unroll(image, into: columns) }
        if let bias {
            for o in 0..<outputs { (out + o * oh * ow).update(repeating: bias.pointer[o], count: oh * ow) }
        }
        gemm(m: outputs, n: oh * ow, k: patch, weight.pointer, lda: patch, columns ?? image, ldb: oh * ow,
             beta: bias == nil ? 0 : 1, out, ldc: oh * ow)
    }

    return y.recording([x, weight] + (bias.map { [$0] } ?? [])) { g in
        // Pointers taken inside the closure: capturing the tensors keeps their storage alive.
        let gp = g.pointer, xp = x.pointer, wp = weight.pointer
        let dx = x.needsGrad ? Tensor(zeros: x.shape) : nil
        let dw = weight.needsGrad ? Tensor(zeros: weight.shape) : nil
        let columns = geometry.isPointwise ? nil : UnsafeMutablePointer<Float>.allocate(capacity: patch * oh * ow)
        defer { columns?.deallocate() }
        for b in 0..<batch {
            let image = xp + b * inputPlane, gradient = gp + b * outputPlane
            if let dw {
                // dW += dY · colsᵀ, the columns unrolled again rather than kept from forward.
                if let columns { geometry.unroll(image, into: columns) }
                gemm(transposeB: true, m: outputs, n: patch, k: oh * ow, gradient, lda: oh * ow,
                     columns ?? image, ldb: oh * ow, beta: 1, dw.pointer, ldc: patch)
            }
            if let dx {
                // d(cols) = Wᵀ · dY, folded back onto the image.
                let target = dx.pointer + b * inputPlane
                gemm(transposeA: true, m: patch, n: oh * ow, k: outputs, wp, lda: patch, gradient, ldb: oh * ow,
                     columns ?? target, ldc: oh * ow)
                if let columns { geometry.accumulate(columns, into: target) }
            }
        }
        var grads: [Tensor?] = [dx, dw]
        if bias != nil {
            let db = Tensor(zeros: [outputs])
            for b in 0..<batch {
                for o in 0..<outputs {
                    let plane = gp + b * outputPlane + o * oh * ow
                    var sum: Float = 0
                    for i in 0..<(oh * ow) { sum += plane[i] }
                    db.pointer[o] += sum
                }
            }
            grads.append(db)
        }
        return grads
    }
}
