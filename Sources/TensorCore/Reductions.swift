// Reductions and the classification losses.
import Foundation

extension Tensor {
    public func sum() -> Tensor {
        var total: Float = 0
        for i in 0..<count { total += pointer[i] }
        return Tensor(shape: [], scalars: [total]).recording([self]) { g in
            [Tensor(repeating: g.item, shape: self.shape)]
        }
    }

    public func mean() -> Tensor { sum() * (1 / Float(count)) }
}

/// Softmax over the last axis (no gradient: a read-out of probabilities).
public func softmax(_ x: Tensor) -> Tensor {
    let width = x.shape.last ?? 0
    let y = x.copy()
    softmaxRows(y.pointer, rows: x.count / max(width, 1), width: width)
    return y
}

/// Mean cross-entropy of logits [N, C] against class indices, with optional label smoothing
/// (the target puts 1 - ε on the label and ε / C on every class, as torch does).
public func crossEntropy(_ logits: Tensor, labels: [Int], labelSmoothing: Float = 0) -> Tensor {
    precondition(logits.rank == 2 && logits.shape[0] == labels.count, "crossEntropy: logits \(logits.shape), \(labels.count) labels")
    let (rows, classes) = (logits.shape[0], logits.shape[1])
    precondition(labels.allSatisfy { (0..<classes).contains($0) }, "crossEntropy: label out of range 0..<\(classes)")
    let probabilities = softmax(logits)
    let lp = logits.pointer
    var total: Float = 0
    for r in 0..<rows {
        let row = lp + r * classes
        var maximum = -Float.infinity
        for j in 0..<classes { maximum = max(maximum, row[j]) }
        var sum: Float = 0
        for j in 0..<classes { sum += Foundation.exp(row[j] - maximum) }
        let logSumExp = maximum + Foundation.log(sum)
        var meanLogit: Float = 0
        for j in 0..<classes { meanLogit += row[j] }
        meanLogit /= Float(classes)
        total += logSumExp - (1 - labelSmoothing) * row[labels[r]] - labelSmoothing * meanLogit
    }
    return Tensor(shape: [], scalars: [total / Float(rows)]).recording([logits]) { g in
        let dx = Tensor(uninitializedShape: logits.shape)
        let scale = g.item / Float(rows), uniform = labelSmoothing / Float(classes), pp = probabilities.pointer
        for r in 0..<rows {
            for j in 0..<classes {
                let target = (j == labels[r] ? 1 - labelSmoothing : 0) + uniform
                dx.pointer[r * classes + j] = scale * (pp[r * classes + j] - target)
            }
        }
        return [dx]
    }
}
