// Shape and indexing operations: views, token concatenation, row gathers and lookups, the
// patch layout of a convolution whose stride equals its kernel, and transposition.

extension Tensor {
    /// The same elements under another shape (a view: storage is shared).
    public func reshaped(_ newShape: [Int]) -> Tensor {
        precondition(newShape.reduce(1, *) == count, "reshape \(shape) to \(newShape)")
        return Tensor(shape: newShape, storage: storage, offset: offset)
            .recording([self]) { g in [g.reshaped(self.shape)] }
    }

    /// Items lo..<hi along the first axis (a view).
    public func slice(_ range: Range<Int>) -> Tensor {
        let inner = count / max(shape[0], 1)
        let view = Tensor(shape: [range.count] + shape.dropFirst(), storage: storage, offset: offset + range.lowerBound * inner)
        return view.recording([self]) { g in
            let dx = Tensor(zeros: self.shape)
            (dx.pointer + range.lowerBound * inner).update(from: g.pointer, count: g.count)
            return [dx]
        }
    }
}

/// [B, N, D] → [B, K + N, D]: the K learned tokens (any shape of K·D values, e.g. CLIP's [D]
/// class embedding or ViT's [1, 1, D] cls token) placed before every item's sequence.
public func prependingTokens(_ tokens: Tensor, to x: Tensor) -> Tensor {
    let (batch, length, width) = (x.shape[0], x.shape[1], x.shape[2])
    precondition(x.rank == 3 && tokens.count % width == 0, "prependingTokens: \(tokens.shape) before \(x.shape)")
    let k = tokens.count / width
    let y = Tensor(uninitializedShape: [batch, k + length, width])
    for b in 0..<batch {
        let out = y.pointer + b * (k + length) * width
        out.update(from: tokens.pointer, count: k * width)
        (out + k * width).update(from: x.pointer + b * length * width, count: length * width)
    }
    return y.recording([tokens, x]) { g in
        let dTokens = Tensor(zeros: tokens.shape), dx = Tensor(uninitializedShape: x.shape)
        for b in 0..<batch {
            let row = g.pointer + b * (k + length) * width
            for i in 0..<(k * width) { dTokens.pointer[i] += row[i] }
            (dx.pointer + b * length * width).update(from: row + k * width, count: length * width)
        }
        return [dTokens, dx]
    }
}

/// [B, T, D] → [B, D]: for each item b the row at position `positions[b]` (pooling on the CLS
/// or end-of-text token).
public func selectingPositions(_ x: Tensor, _ positions: [Int]) -> Tensor {
    let (batch, length, width) = (x.shape[0], x.shape[1], x.shape[2])
    precondition(positions.count == batch && positions.allSatisfy { (0..<length).contains($0) },
                 "selectingPositions: \(positions) in \(x.shape)")
    let y = Tensor(uninitializedShape: [batch, width])
    for b in 0..<batch {
        (y.pointer + b * width).update(from: x.pointer + (b * length + positions[b]) * width, count: width)
    }
    return y.recording([x]) { g in
        let dx = Tensor(zeros: x.shape)
        for b in 0..<batch {
            (dx.pointer + (b * length + positions[b]) * width).update(from: g.pointer + b * width, count: width)
        }
        return [dx]
    }
}

/// Rows of `table` ([V, D]) for each id, shaped `shape + [D]`.
public func embedding(_ table: Tensor, ids: [Int], shape: [Int]) -> Tensor {
    let (vocabulary, width) = (table.shape[0], table.shape[1])
    precondition(shape.reduce(1, *) == ids.count, "embedding: \(ids.count) ids for shape \(shape)")
    precondition(ids.allSatisfy { (0..<vocabulary).contains($0) }, "embedding: id out of range 0..<\(vocabulary)")
    let y = Tensor(uninitializedShape: shape + [width])
    for (i, id) in ids.enumerated() {
        (y.pointer + i * width).update(from: table.pointer + id * width, count: width)
    }
    return y.recording([table]) { g in
        let dTable = Tensor(zeros: table.shape)
        for (i, id) in ids.enumerated() {
            let source = g.pointer + i * width, target = dTable.pointer + id * width
            for j in 0..<width { target[j] += source[j] }
        }
        return [dTable]
    }
}

/// [B, C, H, W] pixels → [B, (H/p)·(W/p), C·p·p] patches in the order a [D, C, p, p] convolution
/// kernel flattens to, so that a patch-embedding convolution is one `linear`. Pixels are inputs,
/// never trained, so no gradient is recorded.
public func patches(_ pixels: Tensor, size p: Int) -> Tensor {
    precondition(pixels.rank == 4, "patches: expected [B, C, H, W], got \(pixels.shape)")
    let (batch, channels, height, width) = (pixels.shape[0], pixels.shape[1], pixels.shape[2], pixels.shape[3])
    precondition(height % p == 0 && width % p == 0, "patches: \(height)x\(width) is not a multiple of \(p)")
    let rows = height / p, columns = width / p, patchWidth = channels * p * p
    let y = Tensor(uninitializedShape: [batch, rows * columns, patchWidth])
    let source = pixels.pointer, target = y.pointer
    Parallel.forEachChunk(batch * rows, costPerItem: columns * patchWidth) { range in
        for item in range {
            let b = item / rows, row = item % rows
            for column in 0..<columns {
                var out = target + ((b * rows + row) * columns + column) * patchWidth
                for c in 0..<channels {
                    for dy in 0..<p {
                        let line = source + ((b * channels + c) * height + row * p + dy) * width + column * p
                        out.update(from: line, count: p)
                        out += p
                    }
                }
            }
        }
    }
    return y
}

/// The transpose of a matrix.
public func transposed(_ x: Tensor) -> Tensor {
    precondition(x.rank == 2, "transposed takes a matrix, got \(x.shape)")
    let (m, n) = (x.shape[0], x.shape[1])
    let y = Tensor(uninitializedShape: [n, m])
    for i in 0..<m { for j in 0..<n { y.pointer[j * m + i] = x.pointer[i * n + j] } }
    return y.recording([x]) { g in [transposed(g)] }
}
