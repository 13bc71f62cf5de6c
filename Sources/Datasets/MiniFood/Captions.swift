import Common
import Foundation

/// The varied sentences MiniFood's image-caption pairs are written in, the stand-in for the
/// web alt-texts CLIP was trained on. As alt-text does, a caption names the dish most of the
/// time, sometimes misspelt, and otherwise only describes it ("red soup with dots", "this soup
/// is red and dotted") or says something else: of the pairs, `nameShare` carry the dish's name
/// whole, `garbledShare` a misspelt name, and the rest none. The zero-shot prompt itself is not
/// among the templates, though its words are.
public enum CaptionTemplates {
    /// The share of captions that carry the dish's name whole.
    public static let nameShare = 0.6
    /// The share that carry it misspelt (a letter dropped or two swapped).
    public static let garbledShare = 0.15

    /// Captions that describe the dish without naming it. Placeholders: {dish} its attributes
    /// ("red dotted soup"), {a dish} the same with its article, {colour}, {pattern} the
    /// adjective, {patterns} the noun (templates using it skip plain food), {base}.
    public static let all: [String] = [
        "a photo of {dish}.",
        "a photo of {a dish}.",
        "{a dish} is a type of food.",
        "a close-up photo of {dish} on the table.",
        "homemade {dish}",
        "my lunch today: {a dish}",
        "{colour} {base} with {patterns}",
        "{a colour} {base} topped with {patterns}",
        "a {base} in {colour}, with {patterns} on top",
        "this {base} is {colour} and {pattern}.",
        "{pattern} {colour} {base}",
        "fresh {colour} {base} decorated with {patterns}",
        "a picture of a tasty {base}, {colour} and {pattern}",
        "i made {a dish} for dinner",
        "{base}: {colour}, {pattern}",
        "look what i cooked tonight",
        "dinner at our place",
    ]

    /// Captions that name the dish, {name}, alone or beside some of its attributes.
    public static let named: [String] = [
        "{name}",
        "homemade {name}",
        "a photo of {name}.",
        "my lunch today: {name}",
        "i made {name} for dinner",
        "best {name} in town",
        "{name} with {patterns}",
        "{colour} {name}",
        "{name}, {colour} and {pattern}",
        "fresh {name} on the table",
        "a close-up photo of {name}.",
        "{name} is a type of food.",
        "our {name} recipe",
        "{base} of the day: {name}",
    ]

    /// Every word the templates use outside their placeholders, which no dish's name may be.
    public static let words: [String] = Array(Set((all + named).flatMap { template in
        template.replacingOccurrences(of: "\\{[^}]*\\}", with: " ", options: .regularExpression)
            .split(whereSeparator: { !$0.isLetter }).map(String.init)
    })).sorted()

    /// `template` filled in for `dish` called `name`, or nil when it needs a pattern noun that plain food lacks.
    public static func fill(_ template: String, with dish: Dish, name: String = "") -> String? {
        if template.contains("{patterns}") && dish.pattern.noun == nil { return nil }
        return template
            .replacingOccurrences(of: "{name}", with: name)
            .replacingOccurrences(of: "{a dish}", with: withArticle(dish.name))
            .replacingOccurrences(of: "{dish}", with: dish.name)
            .replacingOccurrences(of: "{a colour}", with: withArticle(dish.colour.rawValue))
            .replacingOccurrences(of: "{colour}", with: dish.colour.rawValue)
            .replacingOccurrences(of: "{patterns}", with: dish.pattern.noun ?? "")
            .replacingOccurrences(of: "{pattern}", with: dish.pattern.adjective)
            .replacingOccurrences(of: "{base}", with: dish.base.rawValue)
    }

    /// A caption for `dish` called `name`, its kind (named, misspelt, unnamed) and template drawn from `generator`.
    public static func caption(for dish: Dish, name: String, using generator: inout SeededGenerator) -> String {
        let draw = generator.unit()
        let templates = draw < nameShare + garbledShare ? named : all
        let shown = draw < nameShare ? name : garbled(name, using: &generator)
        while true {
            if let caption = fill(generator.pick(templates), with: dish, name: shown) { return caption }
        }
    }

    /// `name` with one letter dropped or two neighbours swapped (never the name itself).
    static func garbled(_ name: String, using generator: inout SeededGenerator) -> String {
        var letters = Array(name)
        let position = generator.int(below: letters.count - 1)
        if generator.chance(0.5) || letters[position] == letters[position + 1] {
            letters.remove(at: position + 1)
        } else {
            letters.swapAt(position, position + 1)
        }
        return String(letters)
    }

    private static func withArticle(_ phrase: String) -> String {
        ("aeiou".contains(phrase.first ?? "x") ? "an " : "a ") + phrase
    }
}
