import Common
import Results
import TensorCore
import Training

// Beyond the paper: one row per clip-finetune recipe, to tell which part of fine-tuning makes
// CLIP lose its zero-shot ability on the held-out classes.

extension PaperTables {
    /// "What makes fine-tuned CLIP forget": test and extended accuracy of each recipe with 95%
    /// intervals, their change against zero-shot CLIP, and what the recipe trained.
    func forgetting() -> String {
        guard let file = results[CLIPFineTuneResults.self], !file.results.recipes.isEmpty else { return "" }
        let zeroShotFile = results[CLIPZeroShotResults.self], zeroShot = zeroShotFile?.results
        let mark = PrecisionMark(file), zeroShotMark = zeroShotFile.map { PrecisionMark($0) } ?? mark
        var out = "**What makes fine-tuned CLIP forget** (beyond the paper). Test accuracy on the trained classes and extended "
        out += "(zero-shot) accuracy on the held-out classes after each fine-tuning recipe, with the change against zero-shot CLIP "
        out += "(the clip chapter) in percentage points; \(presetCaption([CLIPFineTuneResults.chapter, CLIPZeroShotResults.chapter])). "
        out += "95% bootstrap intervals in brackets. `ft-clip` is the paper's recipe and feeds Tables 3 and 4.\n\n"
        out += "Drift is the mean cosine between each held-out image's pretrained and fine-tuned embedding (class token, "
        out += "post-LayerNorm, projection: what zero-shot reads; 1 = unmoved).\n\n"
        var markdown = MarkdownTable(["Recipe", "Test (%)", "Change", "Extended (%)", "Change", "Drift (cosine)", "Trained"],
                                     alignments: [.left, .right, .right, .right, .right, .right, .left])
        if let zeroShot {
            markdown.add(["zero-shot CLIP (no fine-tuning)", zeroShotMark(zeroShot.test.percentWithInterval), "—",
                          zeroShotMark(zeroShot.extended.percentWithInterval), "—", "1", "nothing"])
        }
        // A change mixes both runs' precision: marked when either is bf16.
        let changeMark = mark.precision == .bf16 ? mark : zeroShotMark
        for recipe in file.results.recipes {
            markdown.add([recipe.id, mark(recipe.test.percentWithInterval), zeroShot.map { changeMark(change(recipe.test, $0.test)) } ?? "—",
                          mark(recipe.extended.percentWithInterval), zeroShot.map { changeMark(change(recipe.extended, $0.extended)) } ?? "—",
                          recipe.drift.map { mark(String(format: "%.3f", $0.embeddingCosine)) } ?? "—", recipe.trained])
        }
        return out + markdown.render()
    }

    /// "+3.0" / "−62.1": percentage points from `before` to `after`.
    private func change(_ after: Accuracy, _ before: Accuracy) -> String {
        let points = 100 * (after.value - before.value)
        return (points >= 0 ? "+" : "−") + formatPercent(abs(points))
    }
}
