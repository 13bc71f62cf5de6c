import Common
import Results

// Tables 3 and 4's second fine-tuned CLIP row: Section 2.2.3's own reading of how the
// fine-tuned CLIP classifies (cosine between the image embedding and the class names' text
// embeddings), fed by the clip-finetune recipe that classifies that way, `zero-shot-head`
// (its head's rows are the class prompts' text embeddings, read by the normalised image
// embedding). The main row stays the chapter's main recipe (ft-clip, FT-CLIP's head).

extension PaperTables {
    /// The recipe behind Section 2.2.3's read-out.
    static let cosineReadOutRecipe = "zero-shot-head"
    static let cosineReadOutRow = "Fine-tuned CLIP, Section 2.2.3's read-out: cosine to the class names' text embeddings (zero-shot-head)"

    /// The published fine-tuned CLIP entry again, judged against the read-out recipe's number
    /// (the paper prints one fine-tuned CLIP number; each reading is judged against it).
    func cosineReadOutEntry(_ entry: PublishedEntry) -> PublishedEntry? {
        guard entry.reproducedBy?.hasPrefix(CLIPFineTuneResults.chapter + ".") == true,
              let column = entry.reproducedBy?.split(separator: ".").last, ["test", "extended"].contains(column),
              results[CLIPFineTuneResults.self]?.results.recipe != Self.cosineReadOutRecipe else { return nil }
        return PublishedEntry(id: entry.id + ".cosine_read_out", source: entry.source, table: entry.table, row: Self.cosineReadOutRow,
                              column: entry.column, kind: entry.kind, direction: entry.direction, value: entry.value, unit: entry.unit,
                              reproducedBy: "\(CLIPFineTuneResults.chapter).recipes.\(Self.cosineReadOutRecipe).\(column)", note: nil)
    }

    /// One row per fine-tuned CLIP entry of `entries`, in Tables 3 and 4's columns.
    func cosineReadOutRows(_ entries: [PublishedEntry]) -> [[String]] {
        entries.compactMap(cosineReadOutEntry).map { entry in
            let metric = entry.reproducedBy.flatMap { metrics[$0] }
            let comparison = PublishedDiff.compare(entry, metric, chapterRan: results[CLIPFineTuneResults.self] != nil,
                                                   tolerance: registry.tolerance(entry.kind))
            return [entry.row, formatPublished(entry), metric.map(formatMetric) ?? "not run", metric?.images.map { formatNumber(Double($0)) } ?? "—",
                    comparison.delta.map { formatDelta($0, unit: "%") } ?? "—", diff.verdictWords(comparison)]
        }
    }
}
