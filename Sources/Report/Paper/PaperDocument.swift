import Common
import Results
import Training
import Foundation

/// `report build`: the figures, then paper.md linking them. Everything is read before
/// anything is written, so a bad results file leaves the previous report untouched.
public enum ReportBuild {
    /// Writes the figures into `figures` and the document to `output`; returns every file written.
    public static func run(results resultsDirectory: URL, figures figuresDirectory: URL, output: URL) throws -> [URL] {
        let registry = try PublishedRegistry.bundled()
        let results = try ResultsFolder(directory: resultsDirectory)
        var written: [URL] = []
        var figurePaths: [String: String] = [:]
        for figure in figures(registry: registry, results: results) {
            let files = try figure.write(to: figuresDirectory)
            written += files
            figurePaths[figure.name] = relativePath(of: files[0], from: output.deletingLastPathComponent())
        }
        let document = PaperDocument(registry: registry, results: results, figurePaths: figurePaths)
        try writeAtomically(Data(document.render().utf8), to: output)
        return written + [output]
    }
}

/// paper.md: the reproduction written up in the paper's own structure (summary,
/// 1 Introduction, 2 Method, 3 Results with Tables 1-5 and the figures, 4 Conclusion),
/// every reproduced cell beside its published one. The prose around the tables is of two
/// kinds: fixed text about what the paper did (its numbers taken from the registry), and
/// a summary of each chapter's numbers (its payload's `summary(of:)`), which names the chapter's preset.
/// A chapter without results shows "not run"; nothing here fails for a missing file.
public struct PaperDocument {
    public let registry: PublishedRegistry
    public let results: ResultsFolder
    /// The figures drawn for this document, as paths relative to paper.md.
    public let figurePaths: [String: String]

    public init(registry: PublishedRegistry, results: ResultsFolder, figurePaths: [String: String]) {
        self.registry = registry
        self.results = results
        self.figurePaths = figurePaths
    }

    public func render() -> String {
        let diff = PublishedDiff(registry: registry, results: results)
        let tables = PaperTables(registry: registry, results: results, diff: diff)
        var out = "# Transformer-Based Fine-Tuning and Zero-Shot Learning for Image Classification: a reproduction\n\n"
        out += "A runnable reproduction of \(registry.sources["fei2024"]!.citation) "
        out += "This file is written by `report build` from the results files in `\(results.directory.lastPathComponent)/`; "
        out += "do not edit it by hand.\n\n"
        out += ([presetStatement(results.presets)] + diff.statements).map(quoted).joined(separator: "\n>\n") + "\n\n"

        out += "## Summary\n\n" + summary(diff) + "\n"
        out += "## 1 Introduction\n\n" + PaperProse.introduction + "\n"
        out += "## 2 Method\n\n"
        out += "### 2.1 Datasets and the split\n\n" + PaperProse.datasets + "\n" + datasetsOfThisRun() + "\n"
        if let data = results[DataResults.self], let words = ChapterSummaries.miniatureScale(data, zeroShot: results[CLIPZeroShotResults.self]) {
            out += words + "\n\n"
        }
        if let data = results[DataResults.self], let table = SimilarityTable.render(data) { out += table + "\n" }
        out += "### 2.2 Models\n\n" + PaperProse.models + "\n" + modelsOfThisRun() + "\n"
        out += "### 2.3 Hyper-parameters\n\n"
        out += tables.hyperParameters(table: "Table 1", chapter: ViTResults.chapter, title: "ViT-B/16 fine-tuning hyper-parameters (AdamW)") + "\n"
        out += tables.hyperParameters(table: "Table 2", chapter: CLIPFineTuneResults.chapter, title: "CLIP fine-tuning hyper-parameters (AdamW)") + "\n"

        out += "## 3 Results\n\n"
        out += "### 3.1 Accuracy\n\n"
        out += tables.accuracy(table: "Table 3", title: "Test accuracy on the trained classes") + "\n"
        out += tables.accuracy(table: "Table 4", title: "Extended accuracy on the held-out classes") + "\n"
        out += figure("fig3-overall-results", caption: "Figure 3. Test and extended accuracy, published (hatched) and this run (solid).")
        out += chapterWords([results[ViTResults.self].map(quote), results[CLIPZeroShotResults.self].map(quote), results[CLIPFineTuneResults.self].map(quote)])
        if results[CLIPFineTuneResults.self].map({ !$0.results.recipes.isEmpty }) == true {
            out += tables.forgetting() + "\n"
            out += figure("fig-forgetting", caption: "What makes fine-tuned CLIP forget: test against extended accuracy per recipe, "
                + "zero-shot CLIP and the WiSE-FT curve.")
            out += ChapterSummaries.forgetting(results[CLIPFineTuneResults.self]!, zeroShot: results[CLIPZeroShotResults.self]) + "\n\n"
            if let why = ChapterSummaries.whyCLIPForgets(results[CLIPFineTuneResults.self]!) {
                out += "#### Why fine-tuned CLIP forgets\n\n" + why + "\n\n"
            }
        }
        out += "### 3.2 Training\n\n"
        out += figure("fig4-training-loss", caption: "Figure 4. Training loss of ViT and CLIP fine-tuning against epoch.")
        out += "### 3.3 Deployment cost\n\n" + tables.cost() + "\n" + chapterWords([results[CostResults.self].map(quote)])
        var section = 4
        if results[LiTResults.self] != nil {
            out += "### 3.\(section) Beyond the paper: LiT\n\n" + PaperProse.lit + "\n" + chapterWords([results[LiTResults.self].map(quote)])
            section += 1
        }
        if results[WiSEFTResults.self] != nil {
            out += "### 3.\(section) Beyond the paper: WiSE-FT\n\n" + PaperProse.wiseFT + "\n"
            out += figure("fig-wise-ft", caption: "WiSE-FT: test against extended accuracy along alpha.")
            out += tables.wiseFT() + "\n"
            out += chapterWords([results[WiSEFTResults.self].map(quote)])
            section += 1
        }
        out += ScalingSection(results: results).render(number: "3.\(section)", figure: { figure($0, caption: $1) }, caption: tables.presetCaption,
                                                       quote: results[ScalingResults.self].flatMap(quote))
        section += 1
        out += "### 3.\(section) Beyond the paper: the CIFAR-10 single-block study (this project's comparison)\n\n" + PaperProse.cifar + "\n"
        out += tables.cifar() + "\n" + chapterWords([results[CIFARResults.self].map(quote)])

        out += "## 4 Conclusion\n\n" + PaperProse.conclusion + "\n" + conclusionOfThisRun(diff) + "\n"
        out += "## Appendix A: every published number against this run\n\n"
        out += "The table `report diff` prints, judged with these tolerances:\n\n"
        out += PublishedKind.allCases.map { "- \($0.rawValue): \(registry.tolerance($0).rule)" }.joined(separator: "\n") + "\n\n"
        out += tables.verdicts() + "\n"
        out += "## Appendix B: provenance\n\n" + tables.provenance() + "\n"
        let references = registry.sources.keys.sorted().map { registry.sources[$0]!.citation } + PaperProse.otherReferences
        out += "## References\n\n" + references.map { "- \($0)" }.joined(separator: "\n") + "\n"
        return out
    }

    /// The abstract: the paper's claims from the registry, then what this run found.
    private func summary(_ diff: PublishedDiff) -> String {
        var out = PaperProse.paperClaims(registry) + "\n\n"
        let judged = diff.comparisons.filter { ![.notRun, .notPublished, .notInResults].contains($0.verdict) }
        if judged.isEmpty {
            out += "No chapter has produced results yet, so nothing below is reproduced: every reproduced cell reads \"not run\".\n"
        } else if !results.quickChapters.isEmpty, !judged.contains(where: \.verdict.isJudgement) {
            out += "Quick run: smoke-test sizes, no verdicts. Its numbers show that every chapter runs end to end on this data and these "
            out += "checkpoints; they neither confirm nor refute the published ones.\n"
        } else if judged.allSatisfy({ $0.verdict == .notComparableMini || $0.verdict == .notJudgedHardware }) {
            out += "This run used the mini preset, so its numbers describe MiniFood, not Food-101: they show the method running end to end "
            out += "and are set beside the published ones without confirming or refuting them.\n"
        } else {
            out += "Against the published numbers, this run's verdicts are: \(verdictCounts(diff)).\n"
        }
        return out
    }

    private func datasetsOfThisRun() -> String {
        var lines: [String] = []
        if let vit = results[ViTResults.self] { lines.append("- vit (preset \(vit.preset.rawValue)): \(vit.results.dataset)") }
        if let clip = results[CLIPZeroShotResults.self] { lines.append("- clip (preset \(clip.preset.rawValue)): \(clip.results.dataset)") }
        if let fine = results[CLIPFineTuneResults.self] { lines.append("- clip-finetune (preset \(fine.preset.rawValue)): \(fine.results.dataset)") }
        if let lit = results[LiTResults.self] { lines.append("- lit (preset \(lit.preset.rawValue)): \(lit.results.dataset)") }
        if let wise = results[WiSEFTResults.self] { lines.append("- wise-ft (preset \(wise.preset.rawValue)): \(wise.results.dataset)") }
        if let cifar = results[CIFARResults.self] { lines.append("- cifar (preset \(cifar.preset.rawValue)): \(cifar.results.dataset)") }
        guard !lines.isEmpty else { return "This run: no chapter has been run yet.\n" }
        return "The data this run's chapters used, in their own words:\n\n" + lines.joined(separator: "\n") + "\n"
    }

    private func modelsOfThisRun() -> String {
        var lines: [String] = []
        if let vit = results[ViTResults.self] {
            lines.append("- vit (preset \(vit.preset.rawValue)): \(vit.results.model), from \(vit.results.checkpointSource); "
                + "\(formatNumber(Double(vit.results.trainableParameters))) trainable parameters")
        }
        if let clip = results[CLIPZeroShotResults.self] {
            let templates = clip.results.templates.map { "\"\($0)\"" }.joined(separator: ", ")
            lines.append("- clip (preset \(clip.preset.rawValue)): \(clip.results.model), from \(clip.results.checkpointSource); prompt template(s) \(templates)")
        }
        if let fine = results[CLIPFineTuneResults.self] {
            lines.append("- clip-finetune (preset \(fine.preset.rawValue)): \(fine.results.model), from \(fine.results.checkpointSource); "
                + "\(formatNumber(Double(fine.results.trainableParameters))) trainable parameters")
        }
        guard !lines.isEmpty else { return "" }
        return "This run's models:\n\n" + lines.joined(separator: "\n") + "\n"
    }

    private func conclusionOfThisRun(_ diff: PublishedDiff) -> String {
        let presets = Set(results.presets.values)
        if presets.isEmpty { return "This run has no results yet; run the chapters, then `report build` again.\n" }
        let presetNames = presets.map(\.rawValue).sorted().joined(separator: " and ")
        var out = "Each of the paper's findings, judged on this run's own numbers (\(presetNames) preset"
        out += presets.contains(.mini) ? "; mini numbers test the findings in MiniFood, not on Food-101). " : "). "
        let scaling = ScalingFindings(results: results).all
        out += Findings.rule + (scaling.isEmpty ? "" : " " + ScalingFindings.rule) + "\n\n"
        out += (Findings(results: results).all + scaling).map { "- \($0.claim) **\($0.outcome.rawValue)**: \($0.evidence)." }
            .joined(separator: "\n") + "\n\n"
        out += "Against the published numbers: \(verdictCounts(diff)). "
        if !results.quickChapters.isEmpty {
            out += "Quick-run numbers (smoke-test sizes) carry no verdict, and no finding is judged on them. "
        }
        if presets.contains(.mini) {
            out += "Mini-preset numbers come from another world and carry no verdict on the paper's numbers; "
            out += "only a paper-preset run on Food-101 can reproduce, beat or miss them. "
        }
        out += "`report diff` lists every number; `report diff --strict` fails when one is missed or not reproduced, or a setting differs.\n"
        return out
    }

    private func verdictCounts(_ diff: PublishedDiff) -> String {
        Verdict.allCases.compactMap { verdict in
            diff.count(verdict) > 0 ? "\(diff.count(verdict)) \(verdict.rawValue)" : nil
        }.joined(separator: ", ")
    }

    private func figure(_ name: String, caption plain: String) -> String {
        guard let path = figurePaths[name] else { return "*\(plain) Not drawn: its results are missing.*\n\n" }
        let caveats = [results.quickChapters.isEmpty ? nil : "Quick run: smoke-test sizes, no verdicts.",
                       checkpointCaveat(results.checkpointUses.map(\.identity), registry: registry).map { "This run used a \($0)." }]
        let caption = ([plain] + caveats.compactMap { $0 }).joined(separator: " ")
        return "![\(caption)](\(path))\n\n*\(caption)*\n\n"
    }

    private func quoted(_ paragraph: String) -> String {
        paragraph.split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? ">" : "> \($0)" }.joined(separator: "\n")
    }

    private func quote(_ file: any ChapterResultsFileProtocol) -> String? {
        file.closingSummary.map { "> **\(file.chapter)**: \($0)" }
    }

    private func chapterWords(_ quotes: [String??]) -> String {
        let present = quotes.compactMap { $0 ?? nil }
        guard !present.isEmpty else { return "" }
        return "In the chapters' own words:\n\n" + present.joined(separator: "\n>\n") + "\n\n"
    }
}
