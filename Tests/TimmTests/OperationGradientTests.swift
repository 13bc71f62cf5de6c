// Every operation the timm models add, against finite differences. Inputs avoid the kinks
// (ReLU at 0, ties in max pooling) where a derivative is not defined.
import Testing
import TestSupport
import TensorCore

@Suite struct OperationGradients {
    let tolerance: Float = 5e-3

    @Test(arguments: [(kernel: 3, stride: 1, padding: 1), (kernel: 1, stride: 1, padding: 0), (kernel: 3, stride: 2, padding: 1),
                      (kernel: 2, stride: 2, padding: 0), (kernel: 5, stride: 2, padding: 2)])
    func convolution(kernel: Int, stride: Int, padding: Int) {
        let x = randomTensor([2, 3, 7, 6], seed: 1), w = randomTensor([4, 3, kernel, kernel], seed: 2), b = randomTensor([4], seed: 3)
        #expect(gradientError([x, w, b]) { conv2d($0[0], weight: $0[1], bias: $0[2], stride: stride, padding: padding) } < tolerance)
        #expect(gradientError([x, w]) { conv2d($0[0], weight: $0[1], stride: stride, padding: padding) } < tolerance)
    }

    @Test func convolutionMatchesADirectSum() {
        let x = randomTensor([2, 3, 5, 4], seed: 4), w = randomTensor([2, 3, 3, 3], seed: 5)
        let y = conv2d(x, weight: w, stride: 2, padding: 1)
        #expect(y.shape == [2, 2, 3, 2])
        for b in 0..<2 { for o in 0..<2 { for oy in 0..<3 { for ox in 0..<2 {
            var sum: Float = 0
            for c in 0..<3 { for ky in 0..<3 { for kx in 0..<3 {
                let iy = oy * 2 - 1 + ky, ix = ox * 2 - 1 + kx
                guard (0..<5).contains(iy), (0..<4).contains(ix) else { continue }
                sum += x.pointer[((b * 3 + c) * 5 + iy) * 4 + ix] * w.pointer[((o * 3 + c) * 3 + ky) * 3 + kx]
            } } }
            #expect(abs(y.pointer[((b * 2 + o) * 3 + oy) * 2 + ox] - sum) < 1e-5)
        } } } }
    }

    @Test func batchNormWithRunningStatistics() {
        let x = randomTensor([3, 4, 2, 3], seed: 6, scale: 2), w = randomTensor([4], seed: 7), b = randomTensor([4], seed: 8)
        let mean = randomTensor([4], seed: 9), variance = randomTensor([4], seed: 10).map { $0 * $0 + 0.5 }
        #expect(gradientError([x, w, b]) {
            batchNorm($0[0], weight: $0[1], bias: $0[2], runningMean: mean, runningVariance: variance, eps: 1e-5)
        } < tolerance)
    }

    @Test func batchNormWithBatchStatistics() {
        let x = randomTensor([3, 4, 2, 3], seed: 11, scale: 2), w = randomTensor([4], seed: 12), b = randomTensor([4], seed: 13)
        // Momentum 0 keeps the running statistics still while differences are taken.
        let mean = Tensor(zeros: [4]), variance = Tensor(repeating: 1, shape: [4])
        #expect(gradientError([x, w, b]) {
            batchNorm($0[0], weight: $0[1], bias: $0[2], runningMean: mean, runningVariance: variance, eps: 1e-5,
                      statistics: .batch(momentum: 0))
        } < tolerance)
    }

    @Test func batchStatisticsUpdateTheRunningOnes() {
        let x = Tensor(shape: [2, 1, 1, 2], scalars: [1, 2, 3, 6])
        let mean = Tensor(zeros: [1]), variance = Tensor(repeating: 1, shape: [1])
        let y = batchNorm(x, weight: Tensor(repeating: 1, shape: [1]), bias: Tensor(zeros: [1]), runningMean: mean,
                          runningVariance: variance, eps: 0, statistics: .batch(momentum: 0.1))
        // Batch mean 3, biased variance 3.5 for the output, unbiased 14/3 for the running estimate.
        let expected: Float = 3 / Float(3.5).squareRoot()
        #expect(abs(y.pointer[3] - expected) < 1e-6)
        #expect(abs(mean.item - 0.3) < 1e-6)
        let unbiased: Float = 14.0 / 3.0
        #expect(abs(variance.item - (0.9 + 0.1 * unbiased)) < 1e-6)
    }

    @Test func pooling() {
        // Distinct values a step apart, so that no two entries of a window tie within ±h.
        let values: [Float] = (0..<252).map { (i: Int) -> Float in Float((i * 37) % 252) * 0.05 }
        let x = Tensor(shape: [2, 3, 7, 6], scalars: values)
        #expect(gradientError([x]) { maxPool2d($0[0], kernel: 3, stride: 2, padding: 1) } < tolerance)
        #expect(gradientError([x]) { avgPool2d($0[0], kernel: 2) } < tolerance)
        #expect(gradientError([x]) { globalAveragePool($0[0]) } < tolerance)
        #expect(maxPool2d(x, kernel: 3, stride: 2, padding: 1).shape == [2, 3, 4, 3])
        #expect(avgPool2d(x, kernel: 2).shape == [2, 3, 3, 3])
    }

    @Test func rectifierAndConcatenation() {
        let x = randomTensor([2, 3, 4], seed: 14).map { $0 + ($0 >= 0 ? 0.1 : -0.1) }
        #expect(gradientError([x]) { relu($0[0]) } < tolerance)
        let a = randomTensor([2, 3, 2, 2], seed: 15), b = randomTensor([2, 1, 2, 2], seed: 16)
        #expect(gradientError([a, b]) { concatenated([$0[0], $0[1]], axis: 1) } < tolerance)
        let tokens = randomTensor([2, 1, 4], seed: 17), sequence = randomTensor([2, 5, 4], seed: 18)
        #expect(gradientError([tokens, sequence]) { concatenated([$0[0], $0[1]], axis: 1) } < tolerance)
        let joined = concatenated([tokens, sequence], axis: 1)
        #expect(joined.shape == [2, 6, 4])
        #expect(Array(joined.scalars[24..<28]) == Array(tokens.scalars[4..<8]))
    }

    @Test func crossAttentionOfOneQuery() {
        let q = randomTensor([2, 1, 8], seed: 19), k = randomTensor([2, 5, 8], seed: 20), v = randomTensor([2, 5, 8], seed: 21)
        #expect(gradientError([q, k, v]) { crossAttention(query: $0[0], key: $0[1], value: $0[2], heads: 2) } < tolerance)
    }

    @Test func crossAttentionOverItsOwnKeysIsSelfAttention() {
        let q = randomTensor([2, 5, 8], seed: 22), k = randomTensor([2, 5, 8], seed: 23), v = randomTensor([2, 5, 8], seed: 24)
        let error = zip(crossAttention(query: q, key: k, value: v, heads: 2).scalars,
                        attention(query: q, key: k, value: v, heads: 2).scalars).map { abs($0 - $1) }.max()!
        #expect(error < 1e-6)
    }

    @Test func talkingHeadsAttentionGradients() {
        let q = randomTensor([2, 4, 6], seed: 25), k = randomTensor([2, 4, 6], seed: 26), v = randomTensor([2, 4, 6], seed: 27)
        let wl = randomTensor([3, 3], seed: 28), bl = randomTensor([3], seed: 29)
        let ww = randomTensor([3, 3], seed: 30), bw = randomTensor([3], seed: 31)
        #expect(gradientError([q, k, v, wl, bl, ww, bw]) {
            talkingHeadsAttention(query: $0[0], key: $0[1], value: $0[2], heads: 3,
                                  logitMixing: $0[3], logitBias: $0[4], probabilityMixing: $0[5], probabilityBias: $0[6])
        } < tolerance)
    }

    @Test func talkingHeadsWithIdentityMixingIsPlainAttention() {
        let q = randomTensor([2, 4, 6], seed: 32), k = randomTensor([2, 4, 6], seed: 33), v = randomTensor([2, 4, 6], seed: 34)
        let identity = Tensor(shape: [3, 3], scalars: [1, 0, 0, 0, 1, 0, 0, 0, 1]), zero = Tensor(zeros: [3])
        let mixed = talkingHeadsAttention(query: q, key: k, value: v, heads: 3, logitMixing: identity, logitBias: zero,
                                          probabilityMixing: identity, probabilityBias: zero)
        let error = zip(mixed.scalars, attention(query: q, key: k, value: v, heads: 3).scalars).map { abs($0 - $1) }.max()!
        #expect(error < 1e-6)
    }
}
