import Common

/// Which compositions play which part, fixed like Food-101's class list so that the report
/// can name MiniFood's classes whatever seed renders the images.
///
/// 101 compositions, drawn at random, are the downstream "food" classes, listed in alphabetical
/// order of their names as Food-101's are; like Food-101's apple_pie .. breakfast_burrito, the
/// first ten of that list are held out of fine-tuning, whatever their attributes. The other 283
/// compositions are all the pretraining corpora ever show: every attribute word occurs in
/// pretraining, no downstream composition does.
public struct MiniFoodWorld: Sendable {
    public static let classCount = 101
    public static let heldOutCount = 10

    /// Downstream classes in alphabetical order of their names: the first 10 are held out.
    public let classes: [Dish]
    /// The compositions the pretraining corpora draw from, sorted by name.
    public let pretraining: [Dish]

    public var heldOut: [Dish] { Array(classes.prefix(Self.heldOutCount)) }
    public var trained: [Dish] { Array(classes.dropFirst(Self.heldOutCount)) }

    /// The world every chapter uses.
    public static let standard = MiniFoodWorld(arrangement: 101)

    /// A world arranged by `arrangement`: a seed for which compositions are downstream.
    public init(arrangement: UInt64) {
        var generator = SeededGenerator(seed: arrangement).derived("minifood-world")
        let downstream = Array(generator.shuffled(Dish.all).prefix(Self.classCount))
        classes = downstream.sorted(by: { $0.name < $1.name })
        let used = Set(downstream)
        pretraining = Dish.all.filter { !used.contains($0) }.sorted(by: { $0.name < $1.name })
    }

    /// How crowded a group of classes is: the mean, over its classes, of how many other classes
    /// of the group share two of its three attributes (the near neighbours a classifier choosing
    /// within the group must tell it from).
    public static func meanNearNeighbours(_ group: [Dish]) -> Double {
        guard !group.isEmpty else { return 0 }
        let counts = group.map { dish in
            group.filter { other in
                other != dish && [other.colour == dish.colour, other.pattern == dish.pattern, other.base == dish.base].filter { $0 }.count == 2
            }.count
        }
        return Double(counts.reduce(0, +)) / Double(group.count)
    }
}
