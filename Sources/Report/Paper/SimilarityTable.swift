// Section 2.1's similarity table: the data chapter's `similarity` rows, the paper's experiment
// beside this run's, each with what a finding of this run may then claim. The claims follow
// from the numbers by fixed rules (a ratio, a threshold), never from the findings' verdicts.
import Foundation
import Results

enum SimilarityTable {
    /// The table and its lead-in, or nil when the data chapter wrote no table.
    static func render(_ data: ChapterResultsFile<DataResults>) -> String? {
        guard let rows = data.results.similarity, !rows.isEmpty else { return nil }
        var table = MarkdownTable(["Quantity", "Paper", "This run", "What a finding of this run may then claim"],
                                  alignments: [.left, .right, .right, .left])
        let byID = Dictionary(rows.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        for row in rows {
            table.add(["`\(row.id)`", row.paper.map(cell) ?? "none", row.thisRun.map(cell) ?? "not counted", claim(row, all: byID)])
        }
        var out = "**The experiment's scale beside the paper's** \(presetTag(data)): each quantity that decides one "
            + "of the paper's findings, counted from this run's data and settings. How each is counted:\n\n"
        out += rows.map { "- `\($0.id)`: \($0.note)" + ($0.paperNote.map { "; no paper value: \($0)" } ?? "") + "." }.joined(separator: "\n")
        return out + "\n\n" + table.render()
    }

    /// A value as the table prints it: whole numbers from 100 up, else up to four significant digits.
    static func cell(_ value: Double) -> String {
        formatNumber(abs(value) >= 100 ? value.rounded() : value)
    }

    /// "12x fewer", "1.3x more", "about the same": this run's value against the paper's.
    static func ratioWords(_ row: SimilarityRow) -> String? {
        guard let paper = row.paper, let run = row.thisRun, paper > 0, run > 0 else { return nil }
        let ratio = run / paper
        if ratio >= 0.8 && ratio <= 1.25 { return "about the paper's" }
        return ratio < 1 ? "\(formatNumber((1 / ratio).rounded()))x fewer than the paper's" : "\(formatNumber((ratio * 10).rounded() / 10))x the paper's"
    }

    static func claim(_ row: SimilarityRow, all: [String: SimilarityRow]) -> String {
        let ratio = ratioWords(row), lower = (row.thisRun ?? 0) < 0.8 * (row.paper ?? 0)
        switch row.id {
        case "images_per_trained_class":
            guard let ratio else { return "not comparable" }
            return lower ? "\(ratio): a supervised head learns from fewer examples, so fine-tuned accuracy sits lower against zero-shot than in "
                + "the paper; a finding that fine-tuning beats zero-shot holds here a fortiori, one that it does not is weak evidence against the paper"
                : "\(ratio): fine-tuning's data per class as in the paper"
        case "clip_pretraining_pairs_per_finetuning_image", "vit_pretraining_images_per_finetuning_image":
            guard let ratio else { return "not counted: the checkpoint's own pretraining" }
            let model = row.id.hasPrefix("clip") ? "CLIP" : "ViT"
            return lower ? "\(ratio): the \(model)'s pretraining is small beside its fine-tuning, so what the \(model) brings from pretraining "
                + "counts for less than in the paper; a finding resting on pretrained features says what a small pretraining gives"
                : "\(ratio): pretraining as large beside fine-tuning as the paper's"
        case "vit_tokens_per_clip_tokens":
            guard let run = row.thisRun else { return "not counted" }
            return (3...5).contains(run) ? "the ViT sees its images in about as many more tokens as ViT-B/16 against CLIP ViT-B/32: "
                + "a ViT-against-CLIP finding compares the same finer-against-coarser geometry as the paper's"
                : "unlike the paper's geometry: a ViT-against-CLIP finding compares other model sizes than the paper's"
        case "clip_finetuning_steps", "vit_finetuning_steps":
            guard let ratio else { return "not comparable" }
            return "\(ratio) optimiser steps: " + (lower ? "less training than the paper's; a fine-tuned accuracy may sit below its plateau"
                : "as many updates as the paper's or more, so a fine-tuned accuracy is not limited by the number of steps")
        case "fresh_head_logit_reach":
            guard let run = row.thisRun else { return "not counted" }
            return run >= 10 ? "a fresh head can move its logits to the paper's scale in its steps, so a fine-tuned CLIP's loss is not "
                + "held up by its head; a finding on fine-tuning CLIP speaks of the method"
                : "a fresh head cannot reach confident logits in its steps: a fine-tuned CLIP's loss is held up by its head, and a finding "
                + "on fine-tuning CLIP speaks of this limit, not of the method"
        case "downstream_names_in_pretraining_captions":
            guard let run = row.thisRun else { return "not countable: as in the paper, assumed from CLIP's zero-shot accuracy" }
            return run > 0.5 ? "most class names occur in pretraining, as Food-101's do on the web: zero-shot accuracy measures recognising "
                + "dishes by names met in pretraining, the paper's question"
                : "few class names occur in pretraining: zero-shot accuracy measures inferring unseen names, not the paper's question"
        case "held_out_near_neighbour_share":
            guard let run = row.thisRun else { return "not countable on Food-101" }
            let trained = all["trained_near_neighbour_share"]?.thisRun ?? 0
            return run > 2 * max(trained, 0.05) ? "the held-out classes are more alike than the trained ones: extended accuracy is lower than "
                + "test accuracy partly by the choice of classes, not only by the method"
                : "the held-out classes are no more alike than a random ten: a gap between extended and test accuracy is the method's, "
                + "not the class list's"
        case "trained_near_neighbour_share":
            return row.thisRun == nil ? "not countable on Food-101" : "the baseline the held-out row is read against"
        default:
            return ratio ?? "not comparable"
        }
    }
}
