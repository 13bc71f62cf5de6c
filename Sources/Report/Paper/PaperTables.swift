import Common
import Results
import TensorCore
import Training
import Foundation

// The paper's tables, each with the published value beside this run's and a caption that
// names the preset behind the reproduced column.

struct PaperTables {
    let registry: PublishedRegistry
    let results: ResultsFolder
    let diff: PublishedDiff

    /// This run's metrics by id, computed once.
    let metrics: [String: Metric]

    init(registry: PublishedRegistry, results: ResultsFolder, diff: PublishedDiff) {
        self.registry = registry
        self.results = results
        self.diff = diff
        metrics = results.metricsByID
    }

    private var comparisons: [String: PublishedComparison] {
        Dictionary(uniqueKeysWithValues: diff.comparisons.map { ($0.entry.id, $0) })
    }

    /// "preset mini (MiniFood, not Food-101)", "preset paper (Food-101)", or "not run" for a chapter.
    func presetCaption(_ chapters: [String]) -> String {
        let presets = results.presets
        let used = chapters.compactMap { presets[$0] }
        if used.isEmpty { return "this run: not run yet" }
        let names = Set(used)
        let mini = "MiniFood, a procedural world; not Food-101 numbers"
        if names == [.mini] { return "this run: preset **mini** (\(mini))" }
        if names == [.paper] {
            let files = results.files.filter { chapters.contains($0.chapter) }
            let caveats = [files.contains { $0.quick == true } ? "quick run: smoke-test sizes, no verdicts" : nil,
                           checkpointCaveat(files.flatMap { $0.checkpoints ?? [] }, registry: registry)].compactMap { $0 }
            return "this run: preset **paper** (\((["Food-101"] + caveats).joined(separator: "; ")))"
        }
        let list = chapters.compactMap { chapter in presets[chapter].map { "\(chapter) \($0.rawValue)" } }.joined(separator: ", ")
        return "this run: mixed presets (\(list); mini is \(mini))"
    }

    /// Tables 1 and 2: a hyper-parameter table for one fine-tuning.
    func hyperParameters(table: String, chapter: String, title: String) -> String {
        let entries = registry.entries(source: "fei2024", table: table)
        var out = "**\(table).** \(title). Published: Fei 2024, \(table); \(presetCaption([chapter])).\n\n"
        var markdown = MarkdownTable(["Hyper-parameter", "Published", "This run", "Verdict"], alignments: [.left, .right, .right, .left])
        for entry in entries {
            let comparison = comparisons[entry.id]!
            markdown.add([entry.row, formatPublished(entry), comparison.reproduced.map(formatMetric) ?? "not run",
                          diff.verdictWords(comparison)])
        }
        out += markdown.render()
        if let extra = extraHyperParameters(chapter: chapter, published: entries) { out += "\n" + extra }
        return out
    }

    /// Settings a chapter recorded beyond the published table (schedule, warm-up, image size).
    private func extraHyperParameters(chapter: String, published: [PublishedEntry]) -> String? {
        let listed = Set(published.compactMap(\.reproducedBy))
        let prefix = "\(chapter).hyper_parameters."
        let extra = results.metrics.filter { $0.id.hasPrefix(prefix) && !listed.contains($0.id) }
        guard !extra.isEmpty else { return nil }
        let items = extra.map { "`\($0.id.dropFirst(prefix.count))` = \(formatMetric($0))" }
        return "Other settings this run recorded: " + items.joined(separator: ", ") + ".\n"
    }

    /// The chance level of this run's accuracies in a table, and what it means for a verdict.
    private func chanceCaption(_ entries: [PublishedEntry]) -> String {
        let levels = Set(entries.compactMap { comparisons[$0.id]?.chance }).sorted()
        guard !levels.isEmpty else { return "" }
        let stated = levels.map { "\(formatValue($0, unit: "%"))%" }.joined(separator: " or ")
        return "Guessing scores \(stated) here (one over the number of classes chosen among); an interval that contains it "
            + "reproduces no published accuracy clear of it (verdict *at chance*)."
    }

    /// The verdict cell of a row the paper has no number for.
    static let beyondThePaper = "*beyond the paper*"

    /// Tables 3 and 4: one accuracy per approach.
    func accuracy(table: String, title: String) -> String {
        let entries = registry.entries(source: "fei2024", table: table)
        let beyond = AccuracyRow.beyondThePaper(results).compactMap { table == "Table 3" ? $0.test : $0.extended }
        let chapters = (entries + beyond).compactMap { $0.reproducedBy?.split(separator: ".").first.map(String.init) }
        var out = "**\(table).** \(title). Published: Fei 2024, \(table) (Food-101); \(presetCaption(chapters)). "
        out += "This run's cell gives the 95% bootstrap interval over its images in brackets when the chapter computed one; "
        out += "\(accuracyRule) \(chanceCaption(entries)) Rows marked *beyond the paper* are this project's additions and have no published value.\n\n"
        var markdown = MarkdownTable(["Model", "Published (%)", "This run (%)", "Images", "Δ (points)", "Verdict"],
                                     alignments: [.left, .right, .right, .right, .right, .left])
        for entry in entries {
            let comparison = comparisons[entry.id]!
            let images = comparison.reproduced?.images.map { formatNumber(Double($0)) } ?? "—"
            let reproduced = comparison.reproduced.map(formatMetric)
                ?? (entry.reproducedBy == nil ? "-" : "not run")
            markdown.add([entry.row, formatPublished(entry), reproduced, images,
                          comparison.delta.map { formatDelta($0, unit: "%") } ?? "—", diff.verdictWords(comparison)])
        }
        for row in cosineReadOutRows(entries) { markdown.add(row) }
        // Rows beyond the paper (LiT, prompt ensembles): the paper prints nothing for them.
        for entry in beyond {
            let metric = entry.reproducedBy.flatMap { metrics[$0] }
            markdown.add([entry.row, "—", metric.map(formatMetric) ?? "not in results", metric?.images.map { formatNumber(Double($0)) } ?? "—",
                          "—", Self.beyondThePaper])
        }
        for (row, metric) in promptEnsembleRows(table: table) {
            markdown.add([row, "—", formatMetric(metric), metric.images.map { formatNumber(Double($0)) } ?? "—", "—", Self.beyondThePaper])
        }
        out += markdown.render()
        if let note = entries.compactMap(\.note).first { out += "\n\(note)\n" }
        out += seedSpread(table: table)
        return out
    }

    /// The fine-tuning chapters' seed-to-seed spread under Tables 3 and 4, when they ran more
    /// than one seed: what the bootstrap interval of one run does not cover.
    private func seedSpread(table: String) -> String {
        var lines: [String] = []
        func add<Payload: ChapterPayload>(_ name: String, _ file: ChapterResultsFile<Payload>?, _ runs: SeedRuns?, _ values: (SeedRuns) -> [Double]?) {
            guard let file, let runs, let values = values(runs), values.count > 1 else { return }
            let spread = Spread(values), mark = PrecisionMark(file)
            lines.append("\(name): mean \(mark(formatPercent(100 * spread.mean))), standard deviation "
                + "\(mark(formatPercent(100 * spread.standardDeviation))) points over seeds \(runs.seeds.map(String.init).joined(separator: ", ")) "
                + "(\(values.map { mark(formatPercent(100 * $0)) }.joined(separator: ", ")))")
        }
        let vit = results[ViTResults.self], fineTuned = results[CLIPFineTuneResults.self]
        if table == "Table 3" { add("ViT", vit, vit?.results.seedRuns) { $0.test } }
        add("Fine-tuned CLIP", fineTuned, fineTuned?.results.seedRuns) { table == "Table 3" ? $0.test : $0.extended }
        guard !lines.isEmpty else { return "" }
        return "\nThe fine-tuning repeated with other seeds (same data and pretrained model; the cell above is the first seed's run): "
            + lines.joined(separator: "; ") + ".\n"
    }

    /// How a paper-preset accuracy is judged, in one sentence with the registry's epsilon.
    private var accuracyRule: String {
        let epsilon = registry.tolerance(.accuracy).epsilon ?? 0
        return "on the paper preset a number counts as reproduced when the published value lies within that interval "
            + "widened by \(formatNumber(epsilon)) percentage point\(epsilon == 1 ? "" : "s") on each side "
            + "(outside it, beaten or missed by the direction of the number, above being better for every accuracy but one: "
            + "fine-tuned CLIP's extended accuracy, whose smallness is the finding, is \"not reproduced (above)\" or \"(below)\"; see Appendix A)."
    }

    /// Tables 3 and 4's zero-shot accuracies again with the preset's prompt ensemble (CLIP's
    /// average over templates), which the paper did not measure: row name and metric.
    private func promptEnsembleRows(table: String) -> [(String, Metric)] {
        func rows(_ chapter: String, _ model: String, _ templateCounts: [Int], _ column: String) -> [(String, Metric)] {
            templateCounts.enumerated().compactMap { index, count in
                metrics["\(chapter).ensemble.\(index + 1).\(column)"].map { ("\(model), prompt ensemble (\(count) templates)", $0) }
            }
        }
        let zeroShot = results[CLIPZeroShotResults.self]?.results.promptEnsembles?.map(\.templates.count) ?? []
        let fineTuned = results[CLIPFineTuneResults.self]?.results.extendedPromptEnsembles?.map(\.templates.count) ?? []
        switch table {
        case "Table 3": return rows(CLIPZeroShotResults.chapter, "CLIP zero-shot", zeroShot, "test")
        case "Table 4": return rows(CLIPZeroShotResults.chapter, "CLIP zero-shot", zeroShot, "extended")
            + rows(CLIPFineTuneResults.chapter, "Fine-tuned CLIP (zero-shot on the held-out classes)", fineTuned, "extended")
        default: return []
        }
    }

    /// Table 5: published tier beside the tier this run derives, with the measurements behind it.
    func cost() -> String {
        let entries = registry.entries(source: "fei2024", table: "Table 5")
        var out = "**Table 5.** Deployment cost. Published: Fei 2024, Table 5 (a judgement, no measurements given); "
        out += "\(presetCaption([CostResults.chapter])). The grade is computed from FLOPs counted from the models' configurations "
        out += "(projected training FLOPs = 3 x forward FLOPs x the paper split's training images x epochs) by the tier rule below; "
        out += "the images-per-second and chapter-run columns are measured on this machine (its processor and load average during each chapter: Appendix B) and do not enter the grade; the last column "
        out += "projects the fine-tuning onto N machines like this one training together (scale-out, below).\n\n"
        var markdown = MarkdownTable(
            ["Approach", "Published", "This run", "Verdict", "Trainable parameters", "FLOPs / image", "Inference images/s here",
             "Training images/s here", "Chapter run here (wall, peak memory)", "Projected training", "Projected training on N machines (N: time)"],
            alignments: [.left, .left, .left, .left, .right, .right, .right, .right, .right, .right, .right])
        let approaches = results[CostResults.self]?.results.approaches ?? []
        let scaleOut = results[CostResults.self]?.results.scaleOut
        let mark = results[CostResults.self].map { PrecisionMark($0) } ?? PrecisionMark(.fp32)
        for entry in entries {
            let comparison = comparisons[entry.id]!
            let measured = approaches.first { "cost.\($0.approach.rawValue).tier" == entry.reproducedBy }
            let projected = measured.map { cost -> String in
                let p = cost.projection
                guard p.trainingFlops > 0 else { return "none (no training)" }
                return "\(mark(formatValue(p.trainingSecondsOnHardware / 3600, unit: "h"))) h on \(p.hardware); "
                    + "\(mark(formatValue(p.trainingSecondsHere / 3600, unit: "h"))) h here"
            }
            markdown.add([
                entry.row, formatPublished(entry), comparison.reproduced.map(formatMetric) ?? "not run", diff.verdictWords(comparison),
                measured.map { mark(formatNumber(Double($0.trainableParameters))) } ?? "—",
                measured.map { mark(formatValue($0.flopsPerImage, unit: "FLOPs")) } ?? "—",
                measured.map { mark(formatValue($0.inferenceImagesPerSecond, unit: "images/s")) } ?? "—",
                measured.map { $0.trainingImagesPerSecond.map { mark(formatValue($0, unit: "images/s")) } ?? "none" } ?? "—",
                measured.map { mark(chapterRun($0)) } ?? "—",
                projected ?? "—",
                measured.map { mark(onMachines($0, scaleOut)) } ?? "—",
            ])
        }
        out += markdown.render()
        if let cost = results[CostResults.self]?.results {
            out += "\nTier rule (from the cost chapter): \(cost.tierRule)\n"
            out += "\n" + Self.tierVerdictCaveat(registry) + "\n"
            if let projection = cost.approaches.first?.projection {
                out += "\nProjection: \(formatNumber(Double(projection.trainingImages))) training images, "
                out += "\(projection.epochs) epochs on \(projection.hardware). \(projection.assumptions)\n"
            }
            if let scaleOut { out += "\nScale-out: \(scaleOut.assumptions) \(localAllreduce(scaleOut))\n" }
        }
        return out
    }

    /// What Table 5's verdicts judge: the tiers by FLOPs, where the paper's grade for fine-tuned CLIP
    /// rests on hyper-parameter difficulty, which the scaling section measures.
    static func tierVerdictCaveat(_ registry: PublishedRegistry) -> String {
        let high = registry.entry("fei2024.table5.clip_finetune").map(formatPublished) ?? "?"
        return "What the verdicts judge: the tier rule counts FLOPs, so a verdict says whether the compute puts the approaches in "
            + "the published order. The paper's \"\(high)\" for fine-tuned CLIP rests on something FLOPs do not count, how hard its "
            + "hyper-parameters are to get right; the learning-rate sensitivity behind that is measured in the section "
            + "\"Beyond the paper: when does fine-tuning pay?\"."
    }

    /// "1: 119 h; 2: 60.1 h; ...": an approach's fine-tuning on each number of machines projected.
    private func onMachines(_ cost: ApproachCost, _ scaleOut: ScaleOut?) -> String {
        guard let scaleOut else { return "not projected in this run" }
        guard let projected = scaleOut.approaches.first(where: { $0.approach == cost.approach }) else { return "none (no training)" }
        return projected.machines.map { "\($0.machines): \(formatValue($0.wallSeconds / 3600, unit: "h")) h" }.joined(separator: "; ")
    }

    /// The all-reduce measured between two ranks on this machine, or why it was not.
    private func localAllreduce(_ scaleOut: ScaleOut) -> String {
        guard let local = scaleOut.localAllreduce else {
            return "The all-reduce between two ranks on this machine was not measured: \(scaleOut.localAllreduceNotMeasured ?? "no reason recorded")."
        }
        return "Measured here for comparison (not used in the projection): \(local.ranks) ranks on this machine all-reduced \(local.gradient), "
            + "\(formatNumber(Double(local.bytes))) bytes in \(local.buckets) buckets, in \(formatValue(local.secondsPerAllreduce, unit: "s")) s: "
            + String(format: "%.2f GB/s, bus bandwidth %.2f GB/s ", local.algorithmBytesPerSecond / 1e9, local.busBytesPerSecond / 1e9)
            + "(mean of \(local.repetitions) after a warm-up; through shared memory, an upper bound on what a network gives)."
    }

    /// "2.5 h, 7.9 GiB": what the chapter behind an approach took on this machine.
    private func chapterRun(_ cost: ApproachCost) -> String {
        let wall = cost.chapterWallSeconds.map { "\(formatValue($0 / 3600, unit: "h")) h" } ?? "wall time unknown"
        let memory = cost.chapterPeakMemoryBytes.map { "\(String(format: "%.1f", Double($0) / Double(1 << 30))) GiB" } ?? "memory unknown"
        return "\(wall), \(memory)"
    }

    /// WiSE-FT: both accuracies at each alpha, with the run's best alpha and its rule.
    func wiseFT() -> String {
        guard let file = results[WiSEFTResults.self] else { return "" }
        let run = file.results
        var out = "**WiSE-FT.** Test and extended top-1 accuracy of each mixture; \(presetCaption([WiSEFTResults.chapter])). "
        out += "95% bootstrap intervals in brackets.\n\n"
        var markdown = MarkdownTable(["alpha", "Model", "Test (%)", "Extended (%)", "Mean (%)"], alignments: [.right, .left, .right, .right, .right])
        for point in run.points.sorted(by: { $0.alpha < $1.alpha }) {
            let key = "\(WiSEFTResults.chapter).alpha_\(formatNumber(point.alpha))"
            let role = [point.alpha == 0 ? "zero-shot" : nil, point.alpha == 1 ? "fine-tuned" : nil,
                        point.alpha == run.bestAlpha ? "**chosen**" : nil].compactMap { $0 }.joined(separator: ", ")
            markdown.add([formatNumber(point.alpha), role.isEmpty ? "mixture" : role,
                          metrics[key + ".test"].map(formatMetric) ?? "—", metrics[key + ".extended"].map(formatMetric) ?? "—",
                          PrecisionMark(file)(formatPercent(50 * (point.test.value + point.extended.value)))])
        }
        out += markdown.render()
        if let mixed = run.mixed { out += "\nMixed: \(mixed).\n" }
        if let rule = run.bestAlphaRule { out += "\nChosen: \(rule); the accuracies above are on other images.\n" }
        return out
    }

    /// The CIFAR-10 single-block study (the project's comparison, not cited by the paper): the
    /// published numbers, and this project's when run.
    func cifar() -> String {
        let modelNames = registry.entries.filter { $0.source == "malpure2021" }.map(\.row)
        let ran = results[CIFARResults.self]
        var out = "**CIFAR-10 single-block fine-tuning.** This project's comparison; the paper does not cite it. Published: Malpure et al. 2021 (validation accuracy) and "
        out += "a public reproduction of it (every other published column); \(presetCaption([CIFARResults.chapter])). "
        out += "This project's accuracies give the 95% bootstrap interval over their images in brackets.\n\n"
        func accuracyCell(_ id: String) -> String { metrics[id].map(formatMetric) ?? "—" }
        let mark = ran.map { PrecisionMark($0) } ?? PrecisionMark(.fp32)
        var markdown = MarkdownTable(
            ["Model", "Trainable parameters", "Validation acc., paper (%)", "Validation acc., reproduction (%)", "Train acc. (%)",
             "Seconds per epoch, train / validation", "This project: validation / train acc. (%)", "This project: trainable parameters",
             "This project: seconds per epoch"],
            alignments: [.left, .right, .right, .right, .right, .right, .right, .right, .right])
        for name in modelNames {
            let slug = metricSlug(name)
            func published(_ id: String) -> String { registry.entry(id).map(formatPublished) ?? "—" }
            let model = ran?.results.models.first { metricSlug($0.name) == slug }
            let notRun = ran == nil ? "not yet run" : "not in results"
            markdown.add([
                name, published("cifar_reproduction.\(slug).trainable_parameters"), published("malpure2021.\(slug).validation"),
                published("cifar_reproduction.\(slug).validation"), published("cifar_reproduction.\(slug).train"),
                "\(published("cifar_reproduction.\(slug).train_seconds_per_epoch")) / \(published("cifar_reproduction.\(slug).validation_seconds_per_epoch"))",
                model.map { _ in "\(accuracyCell("cifar.\(slug).validation")) / \(accuracyCell("cifar.\(slug).train"))" } ?? notRun,
                model.map { mark(formatNumber(Double($0.trainableParameters))) } ?? notRun,
                model.map { "\(mark(formatValue($0.trainSecondsPerEpoch, unit: "s"))) / \(mark(formatValue($0.validationSecondsPerEpoch, unit: "s")))" } ?? notRun,
            ])
        }
        out += markdown.render()
        let setup = registry.entries.filter { $0.source == "cifar_reproduction" && $0.table != "Results" }
        out += "\nPublished setup: " + setup.map { "\($0.row) \(formatPublished($0))" }.joined(separator: ", ") + "."
        if let ran { out += " This project's data: \(ran.results.dataset)." }
        return out + "\n"
    }

    /// Every published number against this run, the `report diff` table.
    func verdicts() -> String {
        var markdown = MarkdownTable(["Metric", "Source", "Published", "Reproduced", "Preset", "Δ", "Verdict"],
                                     alignments: [.left, .left, .right, .right, .left, .right, .left])
        for comparison in diff.comparisons {
            let entry = comparison.entry
            markdown.add(["\(entry.row): \(entry.column)", "\(registry.sources[entry.source]!.short), \(entry.table)",
                          formatPublished(entry), comparison.reproduced.map(formatMetric) ?? "—",
                          comparison.reproduced?.preset.rawValue ?? "—",
                          comparison.delta.map { formatDelta($0, unit: entry.unit) } ?? "—", diff.verdictWords(comparison)])
        }
        return markdown.render()
    }

    func provenance() -> String {
        var markdown = MarkdownTable(["Results file", "Preset", "Seed", "Commit", "Machine", "Started", "Seconds"],
                                     alignments: [.left, .left, .right, .left, .left, .left, .right])
        for row in results.provenance {
            markdown.add(["\(row.chapter).json", row.preset.rawValue, String(row.seed), String(row.gitCommit.prefix(12)),
                          row.machine, row.started, PrecisionMark(row.precision)(formatValue(row.seconds, unit: "s"))])
        }
        return results.provenance.isEmpty ? "No results files yet.\n" : markdown.render()
    }
}
