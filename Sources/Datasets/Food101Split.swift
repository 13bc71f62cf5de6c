import Common
import Foundation
import Imaging

/// How Food-101's images become the paper's train, test and held-out sets.
public enum Food101SplitKind: String, CaseIterable, Sendable {
    /// Section 2.2 as written: all images of the 91 trained classes split 0.8:0.2 per class
    /// with a seed; the held-out classes contribute all their images.
    case paper
    /// The official lists: train.txt trains, test.txt validates; the held-out classes
    /// contribute their test.txt images.
    case official
}

/// The paper's split of Food-101: the first `heldOutCount` classes (C1..C10) are kept out
/// of fine-tuning to measure extended accuracy; the others train and validate.
public struct Food101Split: Sendable {
    public let food: Food101
    public let kind: Food101SplitKind
    public let seed: UInt64
    /// Class indices into `Food101.classes`.
    public let heldOutClasses: [Int]
    public let trainClasses: [Int]
    public let train: [Food101Entry]
    public let test: [Food101Entry]
    public let heldOut: [Food101Entry]

    public static let testFraction = 0.2

    public init(_ food: Food101, kind: Food101SplitKind, seed: UInt64, heldOutCount: Int = 10) throws {
        guard food.classes.count > heldOutCount else {
            throw DatasetError.unusable("\(food.root.path): \(food.classes.count) classes; the split holds out \(heldOutCount) and needs more to train on")
        }
        self.food = food
        self.kind = kind
        self.seed = seed
        heldOutClasses = Array(0..<heldOutCount)
        trainClasses = Array(heldOutCount..<food.classes.count)
        let isHeldOut = { (entry: Food101Entry) in entry.classIndex < heldOutCount }

        switch kind {
        case .paper:
            let pool = food.allEntries
            heldOut = pool.filter(isHeldOut)
            let byClass = Dictionary(grouping: pool.filter { !isHeldOut($0) }, by: \.classIndex)
            let parts = stratifiedSplit(trainClasses.map { byClass[$0] ?? [] },
                                        testFraction: Self.testFraction,
                                        generator: SeededGenerator(seed: seed).derived("food101-paper-split"))
            train = parts.train.flatMap { $0 }
            test = parts.test.flatMap { $0 }
        case .official:
            heldOut = food.officialTest.filter(isHeldOut)
            train = food.officialTrain.filter { !isHeldOut($0) }
            test = food.officialTest.filter { !isHeldOut($0) }
        }

        let trained = Set(train.map(\.classIndex))
        if let empty = trainClasses.first(where: { !trained.contains($0) }) {
            throw DatasetError.emptyClass(name: food.classes[empty], place: "the \(kind.rawValue) split's training set")
        }
    }
}

/// A part of a Food-101 split as a `Dataset`: labels count from 0 within `classes`.
public struct Food101Dataset: Dataset {
    public let food: Food101
    public let entries: [Food101Entry]
    /// Class indices into `food.classes`, in label order.
    public let classes: [Int]
    private let labels: [Int]

    public init(_ food: Food101, entries: [Food101Entry], classes: [Int]) {
        self.food = food
        self.entries = entries
        self.classes = classes
        let labelOf = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
        labels = entries.map { labelOf[$0.classIndex]! }
    }

    public var count: Int { entries.count }
    public var classNames: [String] { classes.map { food.classNames[$0] } }
    public func label(at index: Int) -> Int { labels[index] }
    public func image(at index: Int) throws -> Image { try Image(contentsOf: food.file(of: entries[index])) }

    /// One "class/id" line per image, the form the checksums in results/data.json cover.
    public func listing() -> String {
        entries.map { $0.path + "\n" }.joined()
    }
}

extension Food101Split {
    public var trainSet: Food101Dataset { Food101Dataset(food, entries: train, classes: trainClasses) }
    public var testSet: Food101Dataset { Food101Dataset(food, entries: test, classes: trainClasses) }
    public var heldOutSet: Food101Dataset { Food101Dataset(food, entries: heldOut, classes: heldOutClasses) }
}
