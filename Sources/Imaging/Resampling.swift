/// Pillow's `Image.resize` for 8-bit RGB, reproduced bit for bit.
///
/// Convolution filters run Pillow's separable two-pass scheme, each pass clipping to 8 bits after
/// accumulating 22-bit fixed-point weights. Pillow 13 picks the pass order (python-pillow PR 9549):
/// vertical first when the height shrinks by more than twice as many pixels as the width does,
/// horizontal first otherwise. The order changes the rounding of the 8-bit intermediate, so we
/// follow it; the rule was pinned down against Pillow 13.0.0's output, not read from its source.
/// NEAREST goes through Pillow's affine scaler instead, with its accumulated sample positions.
///
/// Every output pixel depends only on its own row of weights, so any window of the output can be
/// computed alone with the same result; the preprocessor uses this to resize only what the center
/// crop keeps, and each first pass computes only what the second one reads.
extension Image {
    public func resized(width: Int, height: Int, filter: ResampleFilter) -> Image {
        let pixels = resampledWindow(width: width, height: height, filter: filter,
                                     columns: 0..<width, rows: 0..<height)
        return Image(width: width, height: height, pixels: pixels)
    }

    /// Rows `rows` and columns `columns` of `resized(width:height:filter:)`, as interleaved RGB.
    func resampledWindow(width: Int, height: Int, filter: ResampleFilter,
                         columns: Range<Int>, rows: Range<Int>) -> [UInt8] {
        precondition(width > 0 && height > 0, "resize target must be positive, got \(width)x\(height)")
        precondition(columns.lowerBound >= 0 && columns.upperBound <= width
                     && rows.lowerBound >= 0 && rows.upperBound <= height, "window outside the resized image")
        if columns.isEmpty || rows.isEmpty { return [] }
        let needHorizontal = width != self.width
        let needVertical = height != self.height
        if !needHorizontal && !needVertical {
            return copiedWindow(columns: columns, rows: rows)
        }
        if filter == .nearest {
            return nearestWindow(width: width, height: height, columns: columns, rows: rows)
        }

        return pixels.withUnsafeBufferPointer { pixels in
            let source = PixelRegion(pixels.baseAddress!, width: self.width, firstRow: 0, firstColumn: 0)
            let horizontal = needHorizontal ? ResampleWeights(inSize: self.width, outSize: width, filter: filter) : nil
            let vertical = needVertical ? ResampleWeights(inSize: self.height, outSize: height, filter: filter) : nil
            switch (horizontal, vertical) {
            case let (horizontal?, nil):
                return horizontalPass(source, rows: rows, columns: columns, weights: horizontal)
            case let (nil, vertical?):
                return verticalPass(source, rows: rows, columns: columns, weights: vertical)
            case let (horizontal?, vertical?):
                let verticalFirst = height < self.height && self.height - height > 2 * (self.width - width)
                if verticalFirst {
                    let sourceColumns = horizontal.inputSpan(of: columns)
                    let intermediate = verticalPass(source, rows: rows, columns: sourceColumns, weights: vertical)
                    return intermediate.withUnsafeBufferPointer { intermediate in
                        horizontalPass(PixelRegion(intermediate.baseAddress!, width: sourceColumns.count,
                                                   firstRow: rows.lowerBound, firstColumn: sourceColumns.lowerBound),
                                       rows: rows, columns: columns, weights: horizontal)
                    }
                } else {
                    let sourceRows = vertical.inputSpan(of: rows)
                    let intermediate = horizontalPass(source, rows: sourceRows, columns: columns, weights: horizontal)
                    return intermediate.withUnsafeBufferPointer { intermediate in
                        verticalPass(PixelRegion(intermediate.baseAddress!, width: columns.count,
                                                 firstRow: sourceRows.lowerBound, firstColumn: columns.lowerBound),
                                     rows: rows, columns: columns, weights: vertical)
                    }
                }
            case (nil, nil):
                preconditionFailure("handled above")
            }
        }
    }

    private func copiedWindow(columns: Range<Int>, rows: Range<Int>) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(columns.count * rows.count * 3)
        for y in rows {
            let start = (y * width + columns.lowerBound) * 3
            out.append(contentsOf: pixels[start..<start + columns.count * 3])
        }
        return out
    }

    /// Pillow's NEAREST resize: `ImagingScaleAffine`, which samples at positions accumulated by
    /// repeated addition of the scale (rounding included), leaving out-of-range samples black.
    private func nearestWindow(width: Int, height: Int, columns: Range<Int>, rows: Range<Int>) -> [UInt8] {
        let xs = nearestSamplePositions(inSize: self.width, outSize: width)
        let ys = nearestSamplePositions(inSize: self.height, outSize: height)
        let outWidth = columns.count
        return pixels.withUnsafeBufferPointer { source in
            [UInt8](unsafeUninitializedCapacity: rows.count * outWidth * 3) { out, initialized in
                let src = source.baseAddress!, dst = out.baseAddress!
                for (i, y) in rows.enumerated() {
                    for (j, x) in columns.enumerated() {
                        let o = (i * outWidth + j) * 3
                        guard let sx = xs[x], let sy = ys[y] else {
                            dst[o] = 0; dst[o + 1] = 0; dst[o + 2] = 0
                            continue
                        }
                        let s = (sy * self.width + sx) * 3
                        dst[o] = src[s]; dst[o + 1] = src[s + 1]; dst[o + 2] = src[s + 2]
                    }
                }
                initialized = rows.count * outWidth * 3
            }
        }
    }
}

/// A rectangle of interleaved RGB pixels inside a larger image: `base` holds the pixel at
/// (`firstRow`, `firstColumn`) of that image, and rows are `width` pixels apart.
private struct PixelRegion {
    let base: UnsafePointer<UInt8>
    let width: Int
    let firstRow: Int
    let firstColumn: Int

    init(_ base: UnsafePointer<UInt8>, width: Int, firstRow: Int, firstColumn: Int) {
        self.base = base
        self.width = width
        self.firstRow = firstRow
        self.firstColumn = firstColumn
    }

    @inline(__always)
    func pixel(row: Int, column: Int) -> UnsafePointer<UInt8> {
        base + ((row - firstRow) * width + column - firstColumn) * 3
    }
}

/// Resamples along rows: output columns `columns` of rows `rows`.
private func horizontalPass(_ source: PixelRegion, rows: Range<Int>, columns: Range<Int>,
                            weights: ResampleWeights) -> [UInt8] {
    let outWidth = columns.count
    return [UInt8](unsafeUninitializedCapacity: rows.count * outWidth * 3) { out, initialized in
        let dst = out.baseAddress!
        weights.withUnsafePointers { first, count, kernel, taps in
            for (i, y) in rows.enumerated() {
                let outRow = dst + i * outWidth * 3
                for (j, x) in columns.enumerated() {
                    let k = kernel + x * taps
                    let p = source.pixel(row: y, column: first[x])
                    var r = fixedPointHalf, g = fixedPointHalf, b = fixedPointHalf
                    for t in 0..<count[x] {
                        let w = k[t]
                        r &+= Int32(p[3 * t]) &* w
                        g &+= Int32(p[3 * t + 1]) &* w
                        b &+= Int32(p[3 * t + 2]) &* w
                    }
                    outRow[3 * j] = clip8(r)
                    outRow[3 * j + 1] = clip8(g)
                    outRow[3 * j + 2] = clip8(b)
                }
            }
        }
        initialized = rows.count * outWidth * 3
    }
}

/// Resamples along columns: output rows `rows` of columns `columns`. Accumulates a whole output
/// row at a time, tap by tap, so the inner loop runs over contiguous bytes.
private func verticalPass(_ source: PixelRegion, rows: Range<Int>, columns: Range<Int>,
                          weights: ResampleWeights) -> [UInt8] {
    let rowLength = columns.count * 3
    let sums = UnsafeMutablePointer<Int32>.allocate(capacity: rowLength)
    defer { sums.deallocate() }
    return [UInt8](unsafeUninitializedCapacity: rows.count * rowLength) { out, initialized in
        let dst = out.baseAddress!
        weights.withUnsafePointers { first, count, kernel, taps in
            for (i, y) in rows.enumerated() {
                sums.update(repeating: fixedPointHalf, count: rowLength)
                let k = kernel + y * taps
                for t in 0..<count[y] {
                    let w = k[t]
                    let row = source.pixel(row: first[y] + t, column: columns.lowerBound)
                    for c in 0..<rowLength {
                        sums[c] &+= Int32(row[c]) &* w
                    }
                }
                let outRow = dst + i * rowLength
                for c in 0..<rowLength {
                    outRow[c] = clip8(sums[c])
                }
            }
        }
        initialized = rows.count * rowLength
    }
}

private func nearestSamplePositions(inSize: Int, outSize: Int) -> [Int?] {
    let step = Double(Float(inSize)) / Double(outSize)  // Pillow's box is float
    var position = step * 0.5
    var table = [Int?]()
    table.reserveCapacity(outSize)
    for _ in 0..<outSize {
        let index = position < 0 ? -1 : Int(position)
        table.append(index >= 0 && index < inSize ? index : nil)
        position += step
    }
    return table
}

/// Pillow's 8-bit fixed point: 22 fractional bits, leaving room for 8-bit values times weights
/// whose sums overshoot 1 through negative lobes.
private let precisionBits: Int32 = 22
private let fixedPointHalf: Int32 = 1 << (precisionBits - 1)

@inline(__always)
private func clip8(_ sum: Int32) -> UInt8 {
    let value = sum >> precisionBits
    return value < 0 ? 0 : value > 255 ? 255 : UInt8(truncatingIfNeeded: value)
}

/// One axis' weights, as Pillow's `precompute_coeffs` + `normalize_coeffs_8bpc` compute them: for
/// output index i, `count[i]` fixed-point weights starting at input index `first[i]`.
struct ResampleWeights {
    let taps: Int
    let first: [Int]
    let count: [Int]
    let kernel: [Int32]

    init(inSize: Int, outSize: Int, filter: ResampleFilter) {
        // Pillow computes the scale from a float box, then in double.
        let scale = Double(Float(inSize)) / Double(outSize)
        let filterScale = max(scale, 1)
        let support = filter.support * filterScale
        let taps = Int(support.rounded(.up)) * 2 + 1
        let inverseScale = 1 / filterScale

        var first = [Int](repeating: 0, count: outSize)
        var count = [Int](repeating: 0, count: outSize)
        var kernel = [Int32](repeating: 0, count: outSize * taps)
        var weights = [Double](repeating: 0, count: taps)
        for i in 0..<outSize {
            let center = (Double(i) + 0.5) * scale
            let lower = max(Int(center - support + 0.5), 0)
            let upper = min(Int(center + support + 0.5), inSize)
            let n = upper - lower
            var total = 0.0
            for x in 0..<n {
                let w = filter.weight((Double(x + lower) - center + 0.5) * inverseScale)
                weights[x] = w
                total += w
            }
            for x in 0..<n {
                let w = total != 0 ? weights[x] / total : weights[x]
                let scaled = w * Double(1 << precisionBits)
                kernel[i * taps + x] = Int32(w < 0 ? -0.5 + scaled : 0.5 + scaled)
            }
            first[i] = lower
            count[i] = n
        }
        self.taps = taps
        self.first = first
        self.count = count
        self.kernel = kernel
    }

    /// The input indices that outputs `outputs` read.
    func inputSpan(of outputs: Range<Int>) -> Range<Int> {
        var lower = Int.max, upper = Int.min
        for i in outputs {
            lower = min(lower, first[i])
            upper = max(upper, first[i] + count[i])
        }
        return lower..<upper
    }

    func withUnsafePointers<R>(
        _ body: (UnsafePointer<Int>, UnsafePointer<Int>, UnsafePointer<Int32>, Int) -> R
    ) -> R {
        first.withUnsafeBufferPointer { first in
            count.withUnsafeBufferPointer { count in
                kernel.withUnsafeBufferPointer { kernel in
                    body(first.baseAddress!, count.baseAddress!, kernel.baseAddress!, taps)
                }
            }
        }
    }
}
