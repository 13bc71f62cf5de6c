import Common

/// Which compositions play which part, fixed like Food-101's class list so that the report
/// can name MiniFood's classes whatever seed renders the images.
///
/// 101 compositions are the downstream "food" classes; like Food-101's C1..C10, the first ten
/// of them are held out of fine-tuning. They are picked to cover all 8 colours, all 6 patterns
/// and all 8 dishes, so zero-shot accuracy on them tests every attribute word. The other 283
/// compositions are all the pretraining corpora ever show: every attribute word occurs in
/// pretraining, no downstream composition does.
public struct MiniFoodWorld: Sendable {
    public static let classCount = 101
    public static let heldOutCount = 10

    /// Downstream classes: the 10 held-out ones, then the 91 trained ones, each group sorted by name.
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
        let heldOut = Self.coveringPicks(from: downstream, count: Self.heldOutCount)
        let trained = downstream.filter { !heldOut.contains($0) }
        classes = heldOut.sorted(by: { $0.name < $1.name }) + trained.sorted(by: { $0.name < $1.name })
        let used = Set(downstream)
        pretraining = Dish.all.filter { !used.contains($0) }.sorted(by: { $0.name < $1.name })
    }

    /// Picks greedily, in the candidates' order, the dish that adds the most attribute values
    /// not yet covered.
    private static func coveringPicks(from candidates: [Dish], count: Int) -> [Dish] {
        var picked: [Dish] = []
        var colours = Set<FoodColour>(), patterns = Set<ToppingPattern>(), bases = Set<DishBase>()
        for _ in 0..<count {
            let best = candidates.filter { !picked.contains($0) }.max { a, b in
                novelty(a, colours, patterns, bases) < novelty(b, colours, patterns, bases)
            }!
            picked.append(best)
            colours.insert(best.colour)
            patterns.insert(best.pattern)
            bases.insert(best.base)
        }
        return picked
    }

    private static func novelty(_ dish: Dish, _ colours: Set<FoodColour>, _ patterns: Set<ToppingPattern>, _ bases: Set<DishBase>) -> Int {
        (colours.contains(dish.colour) ? 0 : 1) + (patterns.contains(dish.pattern) ? 0 : 1) + (bases.contains(dish.base) ? 0 : 1)
    }
}
