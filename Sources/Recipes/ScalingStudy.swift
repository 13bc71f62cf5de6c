// The scaling study's plan: which training-set sizes and learning rates, and how a size's
// training images are drawn. Each size keeps the fine-tuning's epochs and batch, so its steps
// grow with the data, as they would for a user with a smaller or larger dataset; the test
// (validation) and held-out images never change.
import Common
import Datasets
import Foundation

public enum ScalingPlan {
    /// The paper preset's sizes: Food-101's paper split has 800 training images a class.
    public static let ladder = [10, 40, 160, 800]
    /// The learning-rate axis, as multiples of the published rate.
    public static let learningRateFactors = [0.3, 1, 3]

    /// The sizes of `ladder` below `largest`, then `largest` itself; while there are fewer than
    /// `count`, the geometric midpoint of the widest gap (by ratio, the smaller on a tie), or half
    /// the smallest size when there is only one. Stops early when no new whole size fits.
    public static func sizes(largest: Int, count: Int, ladder: [Int] = ladder) -> [Int] {
        precondition(largest > 0 && count > 0, "ScalingPlan.sizes: needs a positive largest size and count")
        var sizes = Set(ladder.filter { $0 > 0 && $0 < largest } + [largest])
        while sizes.count < count {
            let sorted = sizes.sorted()
            let gaps = zip(sorted, sorted.dropFirst()).compactMap { low, high -> (ratio: Double, middle: Int)? in
                let middle = Int((Double(low) * Double(high)).squareRoot().rounded())
                return middle > low && middle < high ? (Double(high) / Double(low), middle) : nil
            }
            if let widest = gaps.reduce(nil, { best, gap in gap.ratio > (best?.ratio ?? 0) ? gap : best }) {
                sizes.insert(widest.middle)
            } else if sorted.count == 1, sorted[0] > 1 {
                sizes.insert(sorted[0] / 2)
            } else {
                break
            }
        }
        return sizes.sorted()
    }

    /// How `ExperimentData.drawingTraining` draws, in a sentence for the results file.
    public static func drawDescription(seed: UInt64) -> String {
        "each size's training images drawn with seed \(seed) from each trained class's training images (one shuffle per class, "
            + "so a smaller size's images are among every larger size's); the validation (test) and held-out images fixed"
    }
}

extension ExperimentData {
    /// The fewest training images of any trained class: the largest size every class can give.
    public var trainingImagesPerClass: Int {
        var counts = [Int](repeating: 0, count: train.classNames.count)
        for index in 0..<train.count { counts[train.label(at: index)] += 1 }
        return counts.min() ?? 0
    }

    /// The same data with `perClass` training images of each trained class, drawn with `seed`;
    /// the validation and held-out parts unchanged. The full training set when `perClass` reaches it.
    public func drawingTraining(perClass: Int, seed: UInt64) -> ExperimentData {
        var byClass = [[Int]](repeating: [], count: train.classNames.count)
        for index in 0..<train.count { byClass[train.label(at: index)].append(index) }
        guard byClass.contains(where: { $0.count > perClass }) else { return self }
        var generator = SeededGenerator(seed: seed).derived("scaling-training-images")
        let picked = byClass.flatMap { generator.shuffled($0).prefix(perClass) }.sorted()
        return ExperimentData(preset: preset, train: DatasetSubset(train, indices: picked), test: test, heldOut: heldOut,
                              source: source)
    }
}
