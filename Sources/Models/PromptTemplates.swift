// The sentences zero-shot CLIP turns class names into. A class is represented by the text
// embedding of its prompt; with several templates, by the average of their normalised
// embeddings, normalised again (CLIP's prompt ensembling, Radford et al. 2021, Section 3.1.4,
// as OpenAI's Prompt_Engineering_for_ImageNet notebook computes it). Every template list here
// is copied from a source it names, so an ensemble is never tuned on the test images.

/// The prompts zero-shot CLIP classifies with, by `ZeroShotClassifier.classEmbeddings`: `vitclip zero-shot`
/// and every chapter alike.
public struct PromptTemplates: Sendable, Equatable {
    /// A short name for logs and results: "food", "imagenet-80", "minifood-captions".
    public let name: String
    /// Templates with "{}" where the class name goes; MiniFood's caption form "{a dish}" (the
    /// name with its article) and "{dish}" are understood too.
    public let templates: [String]
    /// Where the list comes from.
    public let source: String

    public init(name: String, templates: [String], source: String) {
        precondition(!templates.isEmpty, "PromptTemplates: an ensemble needs at least one template")
        self.name = name
        self.templates = templates
        self.source = source
    }

    /// The template filled with a class name: "a photo of apple pie, a type of food.".
    public static func fill(_ template: String, with className: String) -> String {
        let article = "aeiou".contains(className.first ?? "x") ? "an" : "a"
        return template
            .replacingOccurrences(of: "{a dish}", with: "\(article) \(className)")
            .replacingOccurrences(of: "{dish}", with: className)
            .replacingOccurrences(of: "{}", with: className)
    }

    /// Every template filled with `className`, in order.
    public func prompts(for className: String) -> [String] {
        templates.map { Self.fill($0, with: className) }
    }

    /// OpenAI's single Food-101 template, the one the paper's zero-shot numbers use.
    public static let food = PromptTemplates(
        name: "food", templates: ["a photo of {}, a type of food."],
        source: "openai/CLIP data/prompts.md, Food101 (its only template)")

    /// The 80 templates OpenAI ensembles for ImageNet (`imagenet_templates` in the CLIP
    /// repository's notebooks/Prompt_Engineering_for_ImageNet.ipynb and imagenet_data.json).
    /// OpenAI published no ensemble for Food-101, so the paper preset's ensemble is this
    /// general-purpose one; many of its contexts ("a tattoo of the {}.") are not about food.
    public static let imageNet80 = PromptTemplates(
        name: "imagenet-80", templates: [
            "a bad photo of a {}.", "a photo of many {}.", "a sculpture of a {}.", "a photo of the hard to see {}.",
            "a low resolution photo of the {}.", "a rendering of a {}.", "graffiti of a {}.", "a bad photo of the {}.",
            "a cropped photo of the {}.", "a tattoo of a {}.", "the embroidered {}.", "a photo of a hard to see {}.",
            "a bright photo of a {}.", "a photo of a clean {}.", "a photo of a dirty {}.", "a dark photo of the {}.",
            "a drawing of a {}.", "a photo of my {}.", "the plastic {}.", "a photo of the cool {}.",
            "a close-up photo of a {}.", "a black and white photo of the {}.", "a painting of the {}.", "a painting of a {}.",
            "a pixelated photo of the {}.", "a sculpture of the {}.", "a bright photo of the {}.", "a cropped photo of a {}.",
            "a plastic {}.", "a photo of the dirty {}.", "a jpeg corrupted photo of a {}.", "a blurry photo of the {}.",
            "a photo of the {}.", "a good photo of the {}.", "a rendering of the {}.", "a {} in a video game.",
            "a photo of one {}.", "a doodle of a {}.", "a close-up photo of the {}.", "a photo of a {}.",
            "the origami {}.", "the {} in a video game.", "a sketch of a {}.", "a doodle of the {}.",
            "a origami {}.", "a low resolution photo of a {}.", "the toy {}.", "a rendition of the {}.",
            "a photo of the clean {}.", "a photo of a large {}.", "a rendition of a {}.", "a photo of a nice {}.",
            "a photo of a weird {}.", "a blurry photo of a {}.", "a cartoon {}.", "art of a {}.",
            "a sketch of the {}.", "a embroidered {}.", "a pixelated photo of a {}.", "itap of the {}.",
            "a jpeg corrupted photo of the {}.", "a good photo of a {}.", "a plushie {}.", "a photo of the nice {}.",
            "a photo of the small {}.", "a photo of the weird {}.", "the cartoon {}.", "art of the {}.",
            "a drawing of the {}.", "a photo of the large {}.", "a black and white photo of a {}.", "the plushie {}.",
            "a dark photo of a {}.", "itap of a {}.", "graffiti of the {}.", "a toy {}.",
            "itap of my {}.", "a photo of a cool {}.", "a photo of a small {}.", "a tattoo of the {}.",
        ],
        source: "openai/CLIP notebooks/Prompt_Engineering_for_ImageNet.ipynb (imagenet_templates, 80 templates)")
}

/// Why class names cannot be turned into prompts.
public enum PromptError: Error, Equatable, CustomStringConvertible {
    case noClassNames
    /// A prompt of `tokens` tokens (start and end included) for a text tower of `context` positions.
    case tooLong(label: String, tokens: Int, context: Int)

    public var description: String {
        switch self {
        case .noClassNames:
            return "no class names to make prompts from"
        case let .tooLong(label, tokens, context):
            let shown = label.count > 60 ? label.prefix(60) + "..." : label[...]
            return "the prompt for label '\(shown)' is \(tokens) tokens, more than the text model's \(context) positions; shorten it, or truncate it as open_clip does (--truncate)"
        }
    }
}
