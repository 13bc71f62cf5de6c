// The prompt ensembles the chapters score beside OpenAI's single Food-101 template
// (`PromptTemplates`, in Models): on the mini preset, MiniFood's own caption phrasings.
import Datasets
import Models
import Results

extension PromptTemplates {
    /// MiniFood's caption templates that name the dish and nothing else, so that a prompt is
    /// made from the class name alone, as a zero-shot prompt must be: the sentences the mini
    /// CLIP was pretrained on, the mini world's counterpart of an ensemble of web phrasings.
    public static let miniFoodCaptions = PromptTemplates(
        name: "minifood-captions",
        templates: CaptionTemplates.all.filter { template in
            let placeholders = template.split(separator: "{", omittingEmptySubsequences: false).dropFirst().map { $0.prefix { $0 != "}" } }
            return !placeholders.isEmpty && placeholders.allSatisfy { $0 == "dish" || $0 == "a dish" }
        },
        source: "MiniFood's CaptionTemplates (Sources/Datasets/MiniFood/Captions.swift) that name only the dish")

    /// The ensemble the zero-shot evaluations score beside the single food template (the clip
    /// chapter unless `--no-ensemble`; clip-finetune on the held-out classes).
    public static func ensemble(for preset: Preset) -> PromptTemplates {
        switch preset {
        case .mini: miniFoodCaptions
        case .paper: imageNet80
        }
    }
}
