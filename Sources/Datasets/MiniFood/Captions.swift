import Common

/// The varied sentences MiniFood's image-caption pairs are written in, the stand-in for the
/// web alt-texts CLIP was trained on. They name the same attributes in different orders and
/// forms ("red dotted soup", "red soup with dots", "this soup is red and dotted"), so the mini
/// CLIP has to learn the words, not one fixed phrase. The zero-shot prompt itself is not
/// among them, though its words are.
public enum CaptionTemplates {
    /// Placeholders: {dish} the class name, {a dish} the same with its article, {colour},
    /// {pattern} the adjective, {patterns} the noun (templates using it skip plain food), {base}.
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
    ]

    /// `template` filled in for `dish`, or nil when it needs a pattern noun that plain food lacks.
    public static func fill(_ template: String, with dish: Dish) -> String? {
        if template.contains("{patterns}") && dish.pattern.noun == nil { return nil }
        return template
            .replacingOccurrences(of: "{a dish}", with: withArticle(dish.name))
            .replacingOccurrences(of: "{dish}", with: dish.name)
            .replacingOccurrences(of: "{a colour}", with: withArticle(dish.colour.rawValue))
            .replacingOccurrences(of: "{colour}", with: dish.colour.rawValue)
            .replacingOccurrences(of: "{patterns}", with: dish.pattern.noun ?? "")
            .replacingOccurrences(of: "{pattern}", with: dish.pattern.adjective)
            .replacingOccurrences(of: "{base}", with: dish.base.rawValue)
    }

    /// A caption for `dish` in a template drawn from `generator`.
    public static func caption(for dish: Dish, using generator: inout SeededGenerator) -> String {
        while true {
            if let caption = fill(generator.pick(all), with: dish) { return caption }
        }
    }

    private static func withArticle(_ phrase: String) -> String {
        ("aeiou".contains(phrase.first ?? "x") ? "an " : "a ") + phrase
    }
}
