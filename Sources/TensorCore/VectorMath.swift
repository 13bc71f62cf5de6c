// Elementwise math written for the auto-vectoriser: straight-line float arithmetic, selects and bit
// casts, no calls, so that a loop over a buffer compiles to packed instructions (SSE on the
// baseline x86-64 target, AVX-512 when built for it). Reductions use SIMD16 accumulators, since
// the compiler may not reorder a scalar float sum.
//
// Accuracy: `fastExp` is Cephes' expf (within 2 ulp on its range); `fastErf` is Abramowitz &
// Stegun 7.1.26 (absolute error below 1.5e-7), the same approximation PyTorch's vectorised CPU
// erf uses, so GELU here rounds much as torch's does.

/// e^x for finite x; arguments below −87.3 give about 1e-38 instead of 0, above 88.3 they clamp.
@inline(__always)
func fastExp(_ x: Float) -> Float {
    let v = min(max(x, -87.3), 88.3)
    // n = round(v / ln 2) by the 1.5·2²³ trick, r = v − n ln 2 in two parts (Cephes' C1, C2).
    let n = (v * 1.442_695_04 + 12_582_912) - 12_582_912
    let r = (v - n * 0.693_359_375) + n * 2.121_944_4e-4
    var p: Float = 1.987_569_15e-4
    p = p * r + 1.398_199_95e-3
    p = p * r + 8.333_451_9e-3
    p = p * r + 4.166_579_59e-2
    p = p * r + 1.666_666_55e-1
    p = p * r + 5.000_000_12e-1
    let y = (p * r) * r + r + 1
    return y * Float(bitPattern: UInt32(bitPattern: Int32(n) &+ 127) &<< 23)
}

/// erf(x) and, for reuse by GELU's derivative, e^(−x²).
@inline(__always)
func fastErfAndGaussian(_ x: Float) -> (erf: Float, gaussian: Float) {
    let a = abs(x)
    let t = 1 / (0.327_591_1 * a + 1)
    var r: Float = 1.061_405_429
    r = r * t - 1.453_152_027
    r = r * t + 1.421_413_741
    r = r * t - 0.284_496_736
    r = r * t + 0.254_829_592
    let gaussian = fastExp(-(x * x))
    let magnitude = 1 - (r * t) * gaussian
    return (x < 0 ? -magnitude : magnitude, gaussian)
}

@inline(__always)
func fastErf(_ x: Float) -> Float { fastErfAndGaussian(x).erf }

/// Loads and stores of 16 floats at a time, for hand-written reductions.
@inline(__always)
func load16(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
}

@inline(__always)
func store16(_ value: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: value, as: SIMD16<Float>.self)
}

enum VectorKernels {
    /// Σ x[i].
    @inline(__always)
    static func sum(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = SIMD16<Float>(repeating: 0)
        var i = 0
        while i + 16 <= n { acc += load16(x + i); i += 16 }
        var s = acc.sum()
        while i < n { s += x[i]; i += 1 }
        return s
    }

    /// Σ x[i]·y[i].
    @inline(__always)
    static func dot(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = SIMD16<Float>(repeating: 0)
        var i = 0
        while i + 16 <= n { acc += load16(x + i) * load16(y + i); i += 16 }
        var s = acc.sum()
        while i < n { s += x[i] * y[i]; i += 1 }
        return s
    }

    /// Σ (x[i] − c)².
    @inline(__always)
    static func squaredDeviation(_ x: UnsafePointer<Float>, _ n: Int, from c: Float) -> Float {
        var acc = SIMD16<Float>(repeating: 0)
        let center = SIMD16<Float>(repeating: c)
        var i = 0
        while i + 16 <= n { let d = load16(x + i) - center; acc += d * d; i += 16 }
        var s = acc.sum()
        while i < n { let d = x[i] - c; s += d * d; i += 1 }
        return s
    }

    /// max x[i] (−∞ for n = 0).
    @inline(__always)
    static func maximum(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
        // (pointwiseMax and SIMD.max() compile to lane-by-lane loops; a compare and blend does not.)
        var acc = SIMD16<Float>(repeating: -.infinity)
        var i = 0
        while i + 16 <= n {
            let v = load16(x + i)
            acc.replace(with: v, where: v .> acc)
            i += 16
        }
        var m = -Float.infinity
        for lane in 0..<16 { m = max(m, acc[lane]) }
        while i < n { m = max(m, x[i]); i += 1 }
        return m
    }

    /// In place: each row of `width` becomes its softmax. Rows whose entries are all −∞ become
    /// zeros (nothing to attend to).
    @inline(__always)
    static func softmaxRow(_ row: UnsafeMutablePointer<Float>, _ width: Int) {
        let top = maximum(row, width)
        guard top > -.infinity else {
            row.update(repeating: 0, count: width)
            return
        }
        var total: Float = 0
        for j in 0..<width {
            // exp(−∞) must be 0 exactly (masked keys); fastExp alone would give ~1e-38.
            let x = row[j]
            let e = fastExp(x - top)
            row[j] = x == -.infinity ? 0 : e
        }
        total = sum(row, width)
        let inverse = 1 / total
        for j in 0..<width { row[j] *= inverse }
    }
}
