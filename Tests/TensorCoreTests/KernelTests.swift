// The vectorised and parallel kernels against plain scalar references, at sizes that reach their
// SIMD paths, their remainders and their splits over the cores (the gradient checks use tiny
// tensors), and the fast exp/erf against libm.
import Foundation
import Testing
import TestSupport
@testable import TensorCore

/// Largest |a − b| / max(1, |b|).
func maxDifference(_ a: [Float], _ b: [Float]) -> Float {
    precondition(a.count == b.count)
    return zip(a, b).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
}

/// The product op(a)·op(b) in Double.
func referenceProduct(_ a: Tensor, _ b: Tensor, transposeA: Bool, transposeB: Bool) -> [Float] {
    let m = transposeA ? a.shape[1] : a.shape[0], k = transposeA ? a.shape[0] : a.shape[1]
    let n = transposeB ? b.shape[0] : b.shape[1]
    var c = [Float](repeating: 0, count: m * n)
    for i in 0..<m {
        for j in 0..<n {
            var s = 0.0
            for l in 0..<k {
                let x = transposeA ? a.pointer[l * m + i] : a.pointer[i * k + l]
                let y = transposeB ? b.pointer[j * k + l] : b.pointer[l * n + j]
                s += Double(x) * Double(y)
            }
            c[i * n + j] = Float(s)
        }
    }
    return c
}

@Suite struct Kernels {
    @Test func fastExpAndErfAgainstLibm() {
        var worstExp: Float = 0, worstErf: Float = 0
        for i in -20_000...20_000 {
            let x = Float(i) * 0.004
            worstExp = max(worstExp, abs(fastExp(x) - Foundation.exp(x)) / Foundation.exp(x))
            worstErf = max(worstErf, abs(fastErf(x) - Foundation.erf(x)))
        }
        #expect(worstExp < 3e-7)
        #expect(worstErf < 5e-7)
        #expect(fastExp(-200) < 1e-37)
    }

    /// Large enough to be split over the cores, by rows and (few rows) by columns, every transpose.
    @Test(arguments: [(70, 300, 129), (3, 900, 1200), (300, 5, 3000)])
    func splitProducts(m: Int, n: Int, k: Int) {
        for (ta, tb) in [(false, false), (false, true), (true, false), (true, true)] {
            let a = randomTensor(ta ? [k, m] : [m, k], seed: 31), b = randomTensor(tb ? [n, k] : [k, n], seed: 32)
            let c = matmul(a, b, transposeA: ta, transposeB: tb)
            #expect(maxDifference(c.scalars, referenceProduct(a, b, transposeA: ta, transposeB: tb)) < 1e-4)
        }
    }

    @Test func linearWithBiasAtSize() {
        let x = randomTensor([3, 70, 77], seed: 33), w = randomTensor([130, 77], seed: 34), b = randomTensor([130], seed: 35)
        let y = linear(x, weight: w, bias: b)
        let product = referenceProduct(x.reshaped([210, 77]), w, transposeA: false, transposeB: true)
        let expected = (0..<(210 * 130)).map { product[$0] + b.pointer[$0 % 130] }
        #expect(maxDifference(y.scalars, expected) < 1e-4)
    }

    @Test func activationsAtSize() {
        let x = randomTensor([70, 333], seed: 36, scale: 6)
        let g = gelu(x).scalars, q = quickGelu(x).scalars
        let expectedGelu = x.scalars.map { 0.5 * $0 * (1 + Foundation.erf($0 / Float(2).squareRoot())) }
        let expectedQuick = x.scalars.map { $0 / (1 + Foundation.exp(-1.702 * $0)) }
        #expect(maxDifference(g, expectedGelu) < 1e-6)
        #expect(maxDifference(q, expectedQuick) < 1e-6)
    }

    @Test func layerNormAtSize() {
        let width = 83
        let x = randomTensor([5, 41, width], seed: 37, scale: 3), w = randomTensor([width], seed: 38), b = randomTensor([width], seed: 39)
        let y = layerNorm(x, weight: w, bias: b, eps: 1e-5).scalars
        var expected: [Float] = []
        for row in x.rows {
            let mean = row.map(Double.init).reduce(0, +) / Double(width)
            let variance = row.map { (Double($0) - mean) * (Double($0) - mean) }.reduce(0, +) / Double(width)
            for i in 0..<width {
                expected.append(Float((Double(row[i]) - mean) / (variance + 1e-5).squareRoot()) * w.pointer[i] + b.pointer[i])
            }
        }
        #expect(maxDifference(y, expected) < 1e-5)
    }

    @Test func softmaxAtSize() {
        let x = randomTensor([37, 197], seed: 40, scale: 10)
        let y = softmax(x).scalars
        var expected: [Float] = []
        for row in x.rows {
            let top = row.max()!
            let e = row.map { Foundation.exp(Double($0 - top)) }
            let total = e.reduce(0, +)
            expected += e.map { Float($0 / total) }
        }
        #expect(maxDifference(y, expected) < 1e-6)
    }

    /// Attention against a per-head scalar reference, on heads wide enough for the SIMD paths,
    /// and the packed [B, T, 3D] form against the three separate projections (values and
    /// gradients).
    @Test(arguments: [AttentionMask.none, AttentionMask(causal: true)])
    func attentionAtSize(mask: AttentionMask) {
        let (batch, length, width, heads) = (3, 37, 48, 2)
        let qkv = randomTensor([batch, length, 3 * width], seed: 41)
        func part(_ p: Int) -> Tensor {
            let t = Tensor(uninitializedShape: [batch, length, width])
            for r in 0..<(batch * length) { (t.pointer + r * width).update(from: qkv.pointer + r * 3 * width + p * width, count: width) }
            return t
        }
        let (q, k, v) = (part(0), part(1), part(2))
        let out = attention(query: q, key: k, value: v, heads: heads, mask: mask)
        let headWidth = width / heads, scale = 1 / Double(headWidth).squareRoot()
        var expected = [Float](repeating: 0, count: batch * length * width)
        for b in 0..<batch {
            for h in 0..<heads {
                for i in 0..<length {
                    var scores = [Double](repeating: -.infinity, count: length)
                    for j in 0..<length where !mask.causal || j <= i {
                        var s = 0.0
                        for d in 0..<headWidth {
                            s += Double(q.pointer[(b * length + i) * width + h * headWidth + d]) * Double(k.pointer[(b * length + j) * width + h * headWidth + d])
                        }
                        scores[j] = s * scale
                    }
                    let top = scores.max()!
                    let e = scores.map { $0 == -.infinity ? 0 : Foundation.exp($0 - top) }
                    let total = e.reduce(0, +)
                    for d in 0..<headWidth {
                        var s = 0.0
                        for j in 0..<length { s += e[j] / total * Double(v.pointer[(b * length + j) * width + h * headWidth + d]) }
                        expected[(b * length + i) * width + h * headWidth + d] = Float(s)
                    }
                }
            }
        }
        #expect(maxDifference(out.scalars, expected) < 1e-5)

        // Packed against separate, forward and backward.
        let g = randomTensor([batch, length, width], seed: 42)
        for t in [q, k, v, qkv] { t.requiresGrad = true; t.grad = nil }
        let packed = GradMode.with(enabled: true) { () -> Tensor in
            let y = attention(packed: qkv, heads: heads, mask: mask)
            (y * g).sum().backward()
            return y
        }
        GradMode.with(enabled: true) { (attention(query: q, key: k, value: v, heads: heads, mask: mask) * g).sum().backward() }
        #expect(packed.scalars == out.scalars)
        for r in 0..<(batch * length) {
            for (p, t) in [q, k, v].enumerated() {
                let row = Array(UnsafeBufferPointer(start: qkv.grad!.pointer + r * 3 * width + p * width, count: width))
                let separate = Array(UnsafeBufferPointer(start: t.grad!.pointer + r * width, count: width))
                #expect(row == separate)
            }
        }
    }

    /// A few queries against all keys: the matching rows of full attention, and gradients by finite
    /// differences.
    @Test func queriesAgainstAllKeys() {
        let (batch, length, width, heads) = (2, 7, 8, 2)
        let qkv = randomTensor([batch, length, 3 * width], seed: 54)
        let full = attention(packed: qkv, heads: heads)
        // Queries of position 3; keys and values of every position.
        let q = Tensor(uninitializedShape: [batch, 1, width]), kv = Tensor(uninitializedShape: [batch, length, 2 * width])
        for b in 0..<batch {
            (q.pointer + b * width).update(from: qkv.pointer + (b * length + 3) * 3 * width, count: width)
            for t in 0..<length {
                (kv.pointer + (b * length + t) * 2 * width).update(from: qkv.pointer + (b * length + t) * 3 * width + width, count: 2 * width)
            }
        }
        let few = attention(queries: q, keysAndValues: kv, heads: heads)
        for b in 0..<batch {
            let expected = Array(UnsafeBufferPointer(start: full.pointer + (b * length + 3) * width, count: width))
            let got = Array(UnsafeBufferPointer(start: few.pointer + b * width, count: width))
            #expect(maxDifference(got, expected) < 1e-6)
        }
        #expect(gradientError([q, kv]) { attention(queries: $0[0], keysAndValues: $0[1], heads: heads) } < 5e-3)
    }

    @Test func reductionsAndElementwiseAtSize() {
        let x = randomTensor([300, 70], seed: 43), bias = randomTensor([70], seed: 44)
        x.requiresGrad = true
        bias.requiresGrad = true
        let y = GradMode.with(enabled: true) { () -> Tensor in
            let y = x * bias + bias
            y.sum().backward()
            return y
        }
        let expected = (0..<(300 * 70)).map { x.pointer[$0] * bias.pointer[$0 % 70] + bias.pointer[$0 % 70] }
        #expect(maxDifference(y.scalars, expected) < 1e-6)
        // d/dbias Σ (x·bias + bias) = Σ_rows x + rows
        var columns = [Double](repeating: 300, count: 70)
        for i in 0..<(300 * 70) { columns[i % 70] += Double(x.pointer[i]) }
        #expect(maxDifference(bias.grad!.scalars, columns.map(Float.init)) < 1e-5)
    }

    /// Separate tensors are copied; adjacent views of one storage are viewed in place; either way
    /// each part's gradient is its slice of the incoming one.
    @Test func concatenation() {
        #expect(gradientError([randomTensor([2, 3], seed: 46), randomTensor([1, 3], seed: 47)]) { concatenated($0) } < 5e-3)
        let storage = Storage(count: 12)
        for i in 0..<12 { storage.base[i] = Float(i) }
        let a = Tensor(shape: [2, 3], storage: storage), b = Tensor(shape: [2, 3], storage: storage, offset: 6)
        let joined = concatenated([a, b])
        #expect(joined.storage === storage && joined.scalars == (0..<12).map(Float.init))
        #expect(gradientError([a, b]) { concatenated($0) } < 5e-3)
    }

    /// A freed large buffer is handed out again for the next tensor of its size.
    @Test func largeBuffersAreReused() {
        let count = BufferCache.minimumCount + 12_345  // a size no other test allocates
        var first: UnsafeMutablePointer<Float>?
        do {
            let t = Tensor(zeros: [count])
            first = t.pointer
        }
        let second = Tensor(uninitializedShape: [count])
        #expect(second.pointer == first)
        #expect(Tensor(zeros: [count]).scalars.allSatisfy { $0 == 0 })
    }

    /// The graph holds activations until backward, which releases them (as torch frees its graph).
    @Test func backwardFreesTheGraph() {
        let w = randomTensor([8, 8], seed: 45)
        w.requiresGrad = true
        weak var saved: Tensor?
        var loss: Tensor?
        GradMode.with(enabled: true) {
            let hidden = gelu(matmul(w, w))
            saved = hidden
            loss = hidden.sum()
        }
        #expect(saved != nil)
        loss!.backward()
        #expect(saved == nil)
        #expect(!loss!.needsGrad)
        #expect(w.grad != nil)
    }
}
