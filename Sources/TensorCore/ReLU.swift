// The rectifier that follows every batch norm in DenseNet.

/// max(x, 0) elementwise; the gradient passes where x > 0.
public func relu(_ x: Tensor) -> Tensor {
    let y = Tensor(uninitializedShape: x.shape)
    let xp = x.pointer, yp = y.pointer
    Parallel.forEachChunk(x.count, costPerItem: 2) { range in
        for i in range { yp[i] = max(xp[i], 0) }
    }
    return y.recording([x]) { g in
        let dx = Tensor(uninitializedShape: x.shape)
        let gp = g.pointer, dp = dx.pointer, xp = x.pointer
        Parallel.forEachChunk(x.count, costPerItem: 2) { range in
            for i in range { dp[i] = xp[i] > 0 ? gp[i] : 0 }
        }
        return [dx]
    }
}
