import Common

/// Which compositions play which part, fixed like Food-101's class list so that the report
/// can name MiniFood's classes whatever seed renders the images.
///
/// Every one of the 384 compositions is a dish with a made-up name ("bazolu"), as every food
/// on the web has a name; the name says nothing of the dish's attributes, as "baklava" says
/// nothing of honey and filo. 101 compositions, drawn at random, are the downstream "food"
/// classes, listed in alphabetical order of their names as Food-101's are; like Food-101's
/// apple_pie .. breakfast_burrito, the first ten of that list are held out of fine-tuning,
/// whatever their attributes. The mini CLIP's caption corpus shows every composition, the
/// downstream ones included, under its name (noisily, as alt-text does: see `CaptionTemplates`),
/// as CLIP's web pairs show pizzas and baklava; its images are its own, never a fine-tuning,
/// test or held-out image. The mini ViT's labelled corpus (ImageNet-21k's stand-in) shows only
/// the other 283 compositions.
public struct MiniFoodWorld: Sendable {
    public static let classCount = 101
    public static let heldOutCount = 10

    /// Downstream classes in alphabetical order of their names: the first 10 are held out.
    public let classes: [Dish]
    /// The compositions no downstream class uses, sorted by name: the labelled corpus's classes.
    public let pretraining: [Dish]
    /// Every composition, sorted by name: the caption corpus's dishes.
    public let captioned: [Dish]
    /// Each composition's made-up name.
    public let names: [Dish: String]

    public var heldOut: [Dish] { Array(classes.prefix(Self.heldOutCount)) }
    public var trained: [Dish] { Array(classes.dropFirst(Self.heldOutCount)) }

    /// The world every chapter uses.
    public static let standard = MiniFoodWorld(arrangement: 101)

    /// A world arranged by `arrangement`: a seed for the names and for which compositions are downstream.
    public init(arrangement: UInt64) {
        var generator = SeededGenerator(seed: arrangement).derived("minifood-world")
        let names = Self.madeUpNames(for: Dish.all, generator: SeededGenerator(seed: arrangement).derived("minifood-names"))
        let byName: (Dish, Dish) -> Bool = { names[$0]! < names[$1]! }
        let downstream = Array(generator.shuffled(Dish.all).prefix(Self.classCount))
        classes = downstream.sorted(by: byName)
        let used = Set(downstream)
        pretraining = Dish.all.filter { !used.contains($0) }.sorted(by: byName)
        captioned = Dish.all.sorted(by: byName)
        self.names = names
    }

    /// 16 hex digits of the SHA-256 of what the world shows pretraining: every composition's
    /// name and part, and the caption templates with their shares. The mini models' cache keys
    /// include it, so a changed world is pretrained again.
    public var fingerprint: String {
        let parts = captioned.map { "\(name(of: $0))\t\($0.name)\t\(classes.contains($0) ? "downstream" : "other")" }
        let captions = CaptionTemplates.all + CaptionTemplates.named + ["\(CaptionTemplates.nameShare)", "\(CaptionTemplates.garbledShare)"]
        return String(SHA256.hex((parts + ["--"] + classes.map(name(of:)) + ["--"] + captions).joined(separator: "\n").utf8).prefix(16))
    }

    /// The name of `dish` in this world.
    public func name(of dish: Dish) -> String { names[dish]! }

    /// Distinct pronounceable words of two or three consonant-vowel syllables, sometimes closed
    /// by a consonant ("bazolu", "kemir"), none of them an attribute or caption word.
    static func madeUpNames(for dishes: [Dish], generator: SeededGenerator) -> [Dish: String] {
        var generator = generator
        let consonants = Array("bdfgklmnprstvz"), vowels = Array("aeiou"), closers = Array("lnrs")
        let reserved = Set(FoodColour.allCases.map(\.rawValue) + ToppingPattern.allCases.map(\.adjective) + DishBase.allCases.map(\.rawValue)
            + ToppingPattern.allCases.compactMap(\.noun) + CaptionTemplates.words)
        var taken = Set<String>(), names: [Dish: String] = [:]
        for dish in dishes {
            while names[dish] == nil {
                var word = ""
                for _ in 0..<(2 + generator.int(below: 2)) { word += String(generator.pick(consonants)) + String(generator.pick(vowels)) }
                if generator.int(below: 3) == 0 { word += String(generator.pick(closers)) }
                if !reserved.contains(word) && taken.insert(word).inserted { names[dish] = word }
            }
        }
        return names
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
