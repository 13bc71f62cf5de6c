// The three parts every chapter reads, whichever preset makes them: the 91 trained classes'
// training images and the 0.2 split held back from them, which the paper calls "test" (its test
// accuracy), and the 10 held-out classes (its
// "extended" accuracy). Labels are local to each part: 0..<91 for train and test, 0..<10 for
// held-out, in the order of `classNames`.
import Datasets
import Common
import Results
import Training
import Foundation

public struct ExperimentData: Sendable {
    public let preset: Preset
    public let train: any Dataset
    /// The paper's test images: the 0.2 of the 91 classes' photos held back from training.
    public let test: any Dataset
    public let heldOut: any Dataset
    /// Where the images come from, for the results files ("MiniFood standard, seed 0", a path).
    public let source: String

    /// MiniFood, rendered on demand (`quick`: the smoke size the tests use).
    public static func mini(seed: UInt64, quick: Bool) -> ExperimentData {
        let food = MiniFood(seed: seed, sizes: quick ? .quick : .standard)
        return ExperimentData(preset: .mini, train: food.train, test: food.test, heldOut: food.heldOut,
                              source: "MiniFood \(quick ? "quick" : "standard"), seed \(seed)")
    }

    /// Food-101 from the user's directory, split as the data chapter splits it.
    public static func paper(food101 root: URL, split: Food101SplitKind, seed: UInt64) throws -> ExperimentData {
        let parts = try Food101Split(Food101(root: root), kind: split, seed: seed)
        return ExperimentData(preset: .paper, train: parts.trainSet, test: parts.testSet, heldOut: parts.heldOutSet,
                              source: "Food-101 at \(root.recordedPath), \(split.rawValue) split, seed \(seed)")
    }
}
