import Foundation
import Results
import TensorCore

/// A chapter ready to render: its sections, each with what the run printed there and the
/// figures shown after it, plus the header, the payload's accuracies and the links around it.
struct WovenChapter {
    struct Section {
        let blocks: [ChapterSource.Block]
        /// The printed lines attributed to this section, in printed order.
        let output: [String]
        let figures: [WovenFigure]
    }

    /// Where the README's and notebook's links point, relative to the chapter's folder.
    struct Links {
        let results: String
        let paper: String
        let previous: String?
        let next: String?
    }

    let record: ChapterRecord
    let sections: [Section]
    let links: Links

    /// Attributes each printed line to the section holding its source line; a line with none
    /// (0, or outside the file) goes with the line printed before it, or to the intro. The
    /// figures follow the section that printed last (the last section when nothing was printed).
    init(source: ChapterSource, record: ChapterRecord, figures: [WovenFigure], links: Links) {
        var outputs = Array(repeating: [String](), count: source.sections.count)
        var current = 0
        for printed in record.output ?? [] {
            current = source.section(containing: printed.line) ?? current
            outputs[current].append(printed.text)
        }
        let figuresAfter = (record.output ?? []).isEmpty ? source.sections.count - 1 : current
        sections = source.sections.indices.map { index in
            Section(blocks: source.sections[index].blocks, output: outputs[index], figures: index == figuresAfter ? figures : [])
        }
        self.record = record
        self.links = links
    }

    /// Markdown stating where this run comes from.
    var header: String {
        let machine = record.machine.map(Provenance.describe) ?? "unknown machine"
        var lines = [
            "> Chapter `\(record.chapter)` as this run executed it, woven by `report weave` from its source and its "
                + "[results file](\(links.results)); the paper's tables are in [paper.md](\(links.paper)).",
            ">",
            "> Preset **\(record.preset.rawValue)**, seed \(record.seed), commit `\(record.gitCommit)`, \(machine); "
                + "started \(record.started), \(String(format: "%.1f", record.seconds)) s; products in \(precisionWords).",
        ]
        if record.output == nil { lines += [">", "> This run recorded no output."] }
        return lines.joined(separator: "\n")
    }

    /// The products' precision, in words: bf16 stands out, since its numbers are not an fp32 run's.
    private var precisionWords: String {
        record.precisionUsed == .bf16 ? "**bf16** (oneDNN, float accumulation: not an fp32 run's numbers)" : record.precisionUsed.rawValue
    }

    /// A table of every accuracy in the payload; nil when it has none.
    var accuracyTable: String? {
        let accuracies = record.accuracies
        guard !accuracies.isEmpty else { return nil }
        var table = MarkdownTable(["path under `results`", "accuracy (%)", "bootstrap interval (%)", "images"],
                                  alignments: [.left, .right, .right, .right])
        let mark = PrecisionMark(record.precisionUsed)
        for accuracy in accuracies {
            table.add(["`\(accuracy.path)`", mark(formatPercent(accuracy.value * 100)),
                       mark("\(formatPercent(accuracy.low * 100)) to \(formatPercent(accuracy.high * 100))"), formatNumber(Double(accuracy.images))])
        }
        return "## This run's accuracies\n\nEvery accuracy in the [results file](\(links.results)), by its path.\n\n"
            + table.render().trimmingCharacters(in: .newlines)
    }

    /// Links to the chapters before and after this one in the paper's order.
    var footer: String {
        let neighbours = [links.previous.map { "Previous chapter: [\($0)](../\($0)/)" },
                          links.next.map { "Next chapter: [\($0)](../\($0)/)" }].compactMap { $0 }
        return (["---"] + (neighbours.isEmpty ? [] : [neighbours.joined(separator: " · ")])).joined(separator: "\n\n")
    }
}

/// A figure shown in a chapter: its link from the chapter's folder and its PNG bytes.
struct WovenFigure {
    let name: String
    let link: String
    let png: Data
}
