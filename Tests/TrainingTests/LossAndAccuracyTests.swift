// CLIP's symmetric loss against its definition, and top-k counting.
import Foundation
import Testing
import TestSupport
import TensorCore
@testable import Training

@Suite struct LossAndAccuracy {
    @Test func contrastiveLossIsTheMeanOfBothDirections() {
        let n = 5
        let logits = randomTensor([n, n], seed: 3, scale: 4)
        var expected: Double = 0
        for i in 0..<n {
            let row = (0..<n).map { Double(logits.pointer[i * n + $0]) }
            let column = (0..<n).map { Double(logits.pointer[$0 * n + i]) }
            expected += log(row.map(exp).reduce(0, +)) - row[i]
            expected += log(column.map(exp).reduce(0, +)) - column[i]
        }
        expected /= Double(2 * n)
        let loss = clipContrastiveLoss(logitsPerImage: logits).item
        #expect(abs(Double(loss) - expected) < 1e-5)
    }

    @Test func contrastiveLossTrainsTheTemperature() {
        let logScale = Tensor(shape: [], scalars: [log(10)])
        logScale.requiresGrad = true
        let similarities = randomTensor([4, 4], seed: 8)
        func loss() -> Tensor { clipContrastiveLoss(logitsPerImage: similarities * exp(logScale)) }
        GradMode.with(enabled: true) { loss().backward() }
        let h: Float = 1e-2
        logScale.pointer[0] += h
        let plus = loss().item
        logScale.pointer[0] -= 2 * h
        let minus = loss().item
        let numeric = (plus - minus) / (2 * h)
        #expect(abs(logScale.grad!.item - numeric) <= 1e-2 * max(1, abs(numeric)))
    }

    @Test func topKCountsTheLabelsRank() {
        let logits = Tensor(shape: [3, 6], scalars: [
            0, 1, 2, 3, 4, 5,  // label 5: rank 1
            5, 4, 3, 2, 1, 0,  // label 4: rank 5
            9, 8, 7, 6, 5, 4,  // label 5: rank 6
        ])
        let labels = [5, 4, 5]
        #expect(topKHits(logits, labels: labels, k: 1) == 1)
        #expect(topKHits(logits, labels: labels, k: 5) == 2)
        let hits = evaluateHits(examples: 3, batchSize: 2) { range in
            (logits: Tensor(shape: [range.count, 6], copying: logits.pointer + range.lowerBound * 6), labels: Array(labels[range]))
        }
        #expect(hits.top1 == [true, false, false] && hits.top5 == [true, true, false])
    }
}
