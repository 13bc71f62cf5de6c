import Common
import Results
import Training
import Foundation

// paper.md's "Why fine-tuned CLIP forgets" (beyond the paper): the mechanism, told from the
// clip-finetune chapter's drift numbers and its two ablations of ft-clip. The words that judge
// (which ablation recovers the held-out classes) follow the numbers: an ablation recovers when
// its extended accuracy's 95% interval lies wholly above ft-clip's, and worsens when below.

extension ChapterSummaries {
    public static func whyCLIPForgets(_ file: ChapterResultsFile<CLIPFineTuneResults>) -> String? {
        let recipes = Dictionary(file.results.recipes.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        guard let ftCLIP = recipes["ft-clip"], let drift = ftCLIP.drift else { return nil }
        let mark = PrecisionMark(file)
        func cosine(_ recipe: CLIPRecipeResult) -> String { recipe.drift.map { mark(String(format: "%.3f", $0.embeddingCosine)) } ?? "not measured" }
        func numbers(_ recipe: CLIPRecipeResult) -> String {
            "extended \(mark(recipe.extended.percentWithInterval)), held-out embedding cosine \(cosine(recipe))"
        }
        var text = "Zero-shot classification of a held-out image reads one vector: the class token's output after the last block, "
            + "through the post-LayerNorm and the visual projection. Under ft-clip no loss reads that vector: FT-CLIP's head reads "
            + "the mean of the other tokens through its own fc_norm, and the post-LayerNorm and projection that zero-shot needs are "
            + "the pretrained ones, re-attached untouched. Nothing holds the class token where the text tower expects it while the "
            + "blocks beneath it move. \(presetTag(file).capitalizingFirst) ft-clip moves the encoder's blocks by a relative "
            + blockChange(drift, mark: mark) + ", and the held-out images' embeddings keep a mean cosine of \(cosine(ftCLIP)) with the "
            + "pretrained ones (\(numbers(ftCLIP)); zero-shot CLIP is cosine 1 by definition)."
        let others = ["zero-shot-head", "huggingface", "flyp", "ft-clip-code"].compactMap { recipes[$0] }.filter { $0.drift != nil }
        if !others.isEmpty {
            text += " Beside it: " + others.map { "\($0.id) \(numbers($0))" }.joined(separator: "; ") + "."
        }
        if let readOut = recipes["zero-shot-head"] {
            text += " zero-shot-head is the one recipe whose loss reads the class token's projected embedding itself, against a head "
                + "made of text embeddings" + (readOut.drift.map { $0.embeddingCosine > drift.embeddingCosine
                    ? "; its embeddings stay closer to the pretrained ones than ft-clip's"
                    : "; even so its embeddings move at least as far as ft-clip's" } ?? "") + "."
        }
        text += ablations(recipes, base: ftCLIP, mark: mark)
        return text
    }

    /// The two ablations of ft-clip against it and against huggingface, and what they separate.
    private static func ablations(_ recipes: [String: CLIPRecipeResult], base: CLIPRecipeResult, mark: PrecisionMark) -> String {
        let cases = [("ft-clip-hf-head", "the fresh head drawn at Hugging Face's scale instead of FT-CLIP's ×0.001"),
                     ("ft-clip-class-token", "fc_norm and the head reading the class token instead of the mean of the patch tokens")]
        let run = cases.compactMap { id, change in recipes[id].map { ($0, change) } }
        guard !run.isEmpty else { return "" }
        var text = " ft-clip and huggingface both leave the class token's output unread"
            + (recipes["huggingface"].map { " (huggingface: extended \(mark($0.extended.percentWithInterval)))" } ?? "")
            + "; they differ in the fresh head's scale and in fc_norm before the mean. The ablations change one at a time (one seed each): "
        var recovered: [String] = []
        text += run.map { recipe, change -> String in
            let standing = compare(recipe.extended, base.extended)
            if standing == "above" { recovered.append(change) }
            let cosine = recipe.drift.map { mark(String(format: "%.3f", $0.embeddingCosine)) } ?? "not measured"
            return "with \(change) (\(recipe.id)), test \(mark(recipe.test.percentWithInterval)), extended "
                + "\(mark(recipe.extended.percentWithInterval)) (\(standing == "overlapping" ? "its interval overlaps ft-clip's" : "\(standing) ft-clip's interval")), "
                + "cosine \(cosine)"
        }.joined(separator: "; ") + ". "
        switch recovered.count {
        case 0: text += "Neither change alone lifts extended accuracy clear of ft-clip's at this size, so these numbers do not separate the two causes."
        case run.count where run.count > 1: text += "Each change alone lifts extended accuracy clear of ft-clip's: both causes contribute."
        default: text += "Only \(recovered[0]) lifts extended accuracy clear of ft-clip's: that is the cause these numbers point to."
        }
        return text
    }

    /// "above", "below" or "overlapping": `a`'s 95% interval against `b`'s (points without one).
    private static func compare(_ a: Accuracy, _ b: Accuracy) -> String {
        let (aLow, aHigh) = a.interval.map { ($0.low, $0.high) } ?? (a.value, a.value)
        let (bLow, bHigh) = b.interval.map { ($0.low, $0.high) } ?? (b.value, b.value)
        if aLow > bHigh { return "above" }
        if aHigh < bLow { return "below" }
        return "overlapping"
    }

    /// "0.012 (block 0) to 0.085 (block 11), most in block 9".
    private static func blockChange(_ drift: CLIPDrift, mark: PrecisionMark) -> String {
        let changes = drift.relativeWeightChange
        guard let first = changes.first, let last = changes.last,
              let largest = changes.indices.max(by: { changes[$0] < changes[$1] }) else { return "amount not measured" }
        return "\(mark(String(format: "%.3f", first))) (block 0) to \(mark(String(format: "%.3f", last))) (block \(changes.count - 1)), "
            + "most in block \(largest) (\(mark(String(format: "%.3f", changes[largest]))))"
    }
}

private extension String {
    var capitalizingFirst: String { prefix(1).uppercased() + dropFirst() }
}
