// Every autograd operation against central finite differences: for a random upstream weight r,
// d/dθ Σ(f(θ) ∘ r) from backward() must equal (L(θ + h) − L(θ − h)) / 2h, entry by entry.
import Foundation
import Testing
import TestSupport
@testable import TensorCore

@Suite struct GradientChecks {
    let tolerance: Float = 5e-3

    @Test func elementwiseWithTrailingBroadcast() {
        let a = randomTensor([3, 4], seed: 1), b = randomTensor([4], seed: 2)
        #expect(gradientError([a, b]) { $0[0] + $0[1] } < tolerance)
        #expect(gradientError([a, b]) { $0[0] - $0[1] } < tolerance)
        #expect(gradientError([a, b]) { $0[0] * $0[1] } < tolerance)
        #expect(gradientError([a]) { $0[0] * 3 + 1 } < tolerance)
    }

    @Test func linearAndMatmul() {
        let x = randomTensor([2, 3, 5], seed: 3), w = randomTensor([4, 5], seed: 4), b = randomTensor([4], seed: 5)
        #expect(gradientError([x, w, b]) { linear($0[0], weight: $0[1], bias: $0[2]) } < tolerance)
        #expect(gradientError([x, w]) { linear($0[0], weight: $0[1]) } < tolerance)
        let m = randomTensor([3, 5], seed: 6), n = randomTensor([5, 4], seed: 7), nt = randomTensor([4, 5], seed: 8)
        let mt = randomTensor([5, 3], seed: 9)
        #expect(gradientError([m, n]) { matmul($0[0], $0[1]) } < tolerance)
        #expect(gradientError([m, nt]) { matmul($0[0], $0[1], transposeB: true) } < tolerance)
        #expect(gradientError([mt, n]) { matmul($0[0], $0[1], transposeA: true) } < tolerance)
        #expect(gradientError([mt, nt]) { matmul($0[0], $0[1], transposeA: true, transposeB: true) } < tolerance)
    }

    @Test func normalizations() {
        let x = randomTensor([3, 2, 6], seed: 10, scale: 2), w = randomTensor([6], seed: 11), b = randomTensor([6], seed: 12)
        #expect(gradientError([x, w, b]) { layerNorm($0[0], weight: $0[1], bias: $0[2], eps: 1e-5) } < tolerance)
        #expect(gradientError([randomTensor([3, 5], seed: 13)]) { l2Normalized($0[0]) } < tolerance)
    }

    @Test func activations() {
        let x = randomTensor([4, 6], seed: 14, scale: 3)
        #expect(gradientError([x]) { gelu($0[0]) } < tolerance)
        #expect(gradientError([x]) { quickGelu($0[0]) } < tolerance)
        #expect(gradientError([randomTensor([5], seed: 15)]) { exp($0[0]) } < tolerance)
    }

    @Test(arguments: [AttentionMask.none, AttentionMask(causal: true),
                      AttentionMask(causal: true, keyIsValid: [[true, true, true, false, false], [true, true, true, true, true]])])
    func attentionThroughEveryMask(mask: AttentionMask) {
        let q = randomTensor([2, 5, 8], seed: 16), k = randomTensor([2, 5, 8], seed: 17), v = randomTensor([2, 5, 8], seed: 18)
        #expect(gradientError([q, k, v]) { attention(query: $0[0], key: $0[1], value: $0[2], heads: 2, mask: mask) } < tolerance)
    }

    @Test func shapeOperations() {
        let x = randomTensor([2, 3, 4], seed: 19), token = randomTensor([4], seed: 20)
        #expect(gradientError([token, x]) { prependingTokens($0[0], to: $0[1]) } < tolerance)
        #expect(gradientError([x]) { selectingPositions($0[0], [2, 0]) } < tolerance)
        #expect(gradientError([x]) { $0[0].reshaped([6, 4]) } < tolerance)
        #expect(gradientError([x]) { $0[0].slice(1..<2) } < tolerance)
        #expect(gradientError([randomTensor([3, 4], seed: 21)]) { transposed($0[0]) } < tolerance)
        #expect(gradientError([randomTensor([5, 3], seed: 22)]) { embedding($0[0], ids: [4, 1, 4, 0], shape: [2, 2]) } < tolerance)
    }

    @Test func losses() {
        let logits = randomTensor([4, 5], seed: 23, scale: 2)
        #expect(gradientError([logits]) { crossEntropy($0[0], labels: [0, 3, 4, 3]) } < tolerance)
        #expect(gradientError([logits]) { crossEntropy($0[0], labels: [1, 1, 2, 0], labelSmoothing: 0.1) } < tolerance)
        #expect(gradientError([logits]) { $0[0].mean() } < tolerance)
    }
}

@Suite struct ForwardValues {
    @Test func crossEntropyOfUniformLogitsIsLogClasses() {
        let loss = crossEntropy(Tensor(zeros: [3, 7]), labels: [0, 1, 6]).item
        #expect(abs(loss - Float(log(7.0))) < 1e-6)
    }

    @Test func causalMaskedAttentionAtFirstPositionCopiesTheFirstValue() {
        let q = randomTensor([1, 3, 4], seed: 1), k = randomTensor([1, 3, 4], seed: 2), v = randomTensor([1, 3, 4], seed: 3)
        let out = attention(query: q, key: k, value: v, heads: 2, mask: AttentionMask(causal: true))
        #expect(Array(out.scalars[0..<4]) == Array(v.scalars[0..<4]))
    }

    @Test func patchesFollowConvolutionKernelOrder() {
        // One 1-channel 4x4 image, patch 2: patch (0, 1) holds rows 0-1 of columns 2-3.
        let pixels = Tensor(shape: [1, 1, 4, 4], scalars: (0..<16).map(Float.init))
        #expect(Array(patches(pixels, size: 2).scalars[4..<8]) == [2, 3, 6, 7])
    }

    @Test func gradientsAccumulateOverUses() {
        let x = Tensor(shape: [2], scalars: [1, 2])
        x.requiresGrad = true
        GradMode.with(enabled: true) { (x * x + x).sum().backward() }
        #expect(x.grad!.scalars == [3, 5])
    }
}
