// MiniFood's dishes are compositions of three attributes a caption can name: the food's
// colour, the pattern of its topping and the dish it is served as ("red dotted soup").
// Every attribute is chosen to be visible at 32 pixels: eight saturated colours far apart
// in hue, patterns a few pixels wide, and dishes with distinct silhouettes. The words are
// plain lower-case English that CLIP's byte-pair tokenizer keeps whole: every attribute word,
// and every noun the captions use, is a single token of its vocabulary.

/// The colour of the food itself (the soup, the icing, the pizza's sauce).
public enum FoodColour: String, CaseIterable, Sendable {
    case red, orange, yellow, green, blue, purple, pink, brown

    /// Linear RGB in 0...1, before the per-image jitter and lighting.
    var rgb: RGB {
        switch self {
        case .red: RGB(0.80, 0.10, 0.12)
        case .orange: RGB(0.96, 0.52, 0.08)
        case .yellow: RGB(0.97, 0.86, 0.16)
        case .green: RGB(0.18, 0.62, 0.22)
        case .blue: RGB(0.16, 0.34, 0.80)
        case .purple: RGB(0.50, 0.18, 0.62)
        case .pink: RGB(0.97, 0.55, 0.74)
        case .brown: RGB(0.45, 0.26, 0.12)
        }
    }

    /// The topping is drawn in cream on dark foods and in chocolate on light ones, so the
    /// pattern always contrasts with the food under it.
    var toppingRGB: RGB {
        switch self {
        case .yellow, .pink, .orange: RGB(0.30, 0.16, 0.08)
        default: RGB(0.98, 0.95, 0.86)
        }
    }
}

/// How the topping is laid on the food.
public enum ToppingPattern: String, CaseIterable, Sendable {
    case plain, dotted, striped, checked, wavy, ringed

    /// The adjective used in class names ("dotted").
    public var adjective: String { rawValue }

    /// The noun captions use ("soup with dots"); plain food has none.
    public var noun: String? {
        switch self {
        case .plain: nil
        case .dotted: "dots"
        case .striped: "stripes"
        case .checked: "checks"
        case .wavy: "waves"
        case .ringed: "rings"
        }
    }
}

/// What the food is served as; each has its own silhouette.
public enum DishBase: String, CaseIterable, Sendable {
    case soup, pizza, cake, sandwich, kebab, donut, cupcake, lolly
}

/// One composition of the three attributes: a class of MiniFood.
public struct Dish: Hashable, Sendable {
    public let colour: FoodColour
    public let pattern: ToppingPattern
    public let base: DishBase

    public init(_ colour: FoodColour, _ pattern: ToppingPattern, _ base: DishBase) {
        self.colour = colour
        self.pattern = pattern
        self.base = base
    }

    /// Every composition, colour-major: 8 x 6 x 8 = 384.
    public static let all: [Dish] = FoodColour.allCases.flatMap { colour in
        ToppingPattern.allCases.flatMap { pattern in DishBase.allCases.map { Dish(colour, pattern, $0) } }
    }

    /// The class name prompts use: "red dotted soup", "plain green pizza".
    public var name: String {
        pattern == .plain ? "plain \(colour.rawValue) \(base.rawValue)" : "\(colour.rawValue) \(pattern.adjective) \(base.rawValue)"
    }

    /// The attribute words, colour, pattern, base.
    public var words: [String] { [colour.rawValue, pattern.adjective, base.rawValue] }

    /// A Food-101 style identifier: "red_dotted_soup".
    public var identifier: String { name.replacingOccurrences(of: " ", with: "_") }
}

/// A colour in 0...1 per channel.
struct RGB: Sendable {
    var r, g, b: Double

    init(_ r: Double, _ g: Double, _ b: Double) {
        self.r = r
        self.g = g
        self.b = b
    }

    func scaled(_ factor: Double) -> RGB { RGB(min(1, r * factor), min(1, g * factor), min(1, b * factor)) }
}
