// paper.md's section "Beyond the paper: when does fine-tuning pay?" and its findings, from
// results/scaling.json alone: the tables of the two axes, and, for the conclusion, the smallest
// size at which each fine-tuning's test accuracy beats zero-shot CLIP's (intervals apart), what
// extended accuracy has lost by then, and whether fine-tuning CLIP is more sensitive to the
// learning rate than fine-tuning ViT. Without scaling.json the section says the chapter was not run
// and the findings are left out.
import Common
import Foundation
import Results
import Training

struct ScalingSection {
    let results: ResultsFolder

    static let title = "Beyond the paper: when does fine-tuning pay?"

    static let prose = """
        The paper concludes that fine-tuning CLIP pays only when the dataset is large and that it is costly because the choice \
        of hyper-parameters matters (Section 2.2.3, Table 5's "High"), yet it runs one dataset size (800 training images a class) \
        and one learning rate. The `scaling` chapter measures both curves: the fine-tuned ViT (Table 1's settings) and fine-tuned \
        CLIP (`ft-clip`, the paper's FT-CLIP, and `zero-shot-head`, the head read out from the class names' text embeddings) at \
        several training-set sizes per class, at the same epochs and batch (so the steps grow with the data), each size's images \
        drawn with the seed from each class's training images and the test and held-out images fixed; then ViT and `ft-clip` at \
        0.3, 1 and 3 times the published learning rate on the full training set. Zero-shot CLIP, which does not depend on the \
        size, is the line to cross. It runs by name (`make scaling`, or `reproduce --chapters scaling`), not in the default run.

        """

    /// The section, or a line saying the chapter was not run.
    func render(number: String, figure: (String, String) -> String, caption: ([String]) -> String, quote: String?) -> String {
        var out = "### \(number) \(Self.title)\n\n" + Self.prose + "\n"
        guard let file = results[ScalingResults.self] else {
            return out + "This run: the `scaling` chapter was not run (`make scaling` runs it), so there are no curves.\n\n"
        }
        let r = file.results, mark = PrecisionMark(file)
        func cell(_ accuracy: Accuracy?) -> String { accuracy.map { mark(describeAccuracy($0)) } ?? "—" }
        out += "**Accuracy against training-set size.** Test and extended top-1 accuracy (%) of each fine-tuning; \(caption([ScalingResults.chapter])). "
        out += "95% bootstrap intervals in brackets; chance is \(formatPercent(100 / Double(r.classes.trained)))% on the \(r.classes.trained) "
        out += "trained classes and \(formatPercent(100 / Double(r.classes.heldOut)))% on the \(r.classes.heldOut) held-out ones. "
        out += "ViT has no extended accuracy: its head names only the trained classes.\n\n"
        let ids = r.models.map(\.id)
        var sizes = MarkdownTable(["Images a class", "Training images"] + ids.flatMap { ["\($0) test", "\($0) extended"] },
                                  alignments: [.right, .right] + ids.flatMap { _ in [MarkdownTable.Alignment.right, .right] })
        for size in r.sizes {
            sizes.add(["\(size.imagesPerClass)", "\(size.trainImages)"] + ids.flatMap { [cell(size.models[$0]?.test), cell(size.models[$0]?.extended)] })
        }
        sizes.add(["zero-shot CLIP", "—"] + ids.flatMap { _ in [cell(r.zeroShot.test), cell(r.zeroShot.extended)] })
        out += sizes.render() + "\n"

        out += "**Accuracy against learning rate**, on the full training set (\(r.defaultTrainImages) images); the spread is the "
        out += "highest test accuracy minus the lowest over the rates.\n\n"
        var rates = MarkdownTable(["Model", "Learning rate", "x published", "Test (%)", "Extended (%)"], alignments: [.left, .right, .right, .right, .right])
        for point in r.learningRates {
            rates.add([point.model, formatNumber(point.learningRate), formatNumber(point.factor), cell(point.test), cell(point.extended)])
        }
        out += rates.render() + "\n"
        for model in Set(r.learningRates.map(\.model)).sorted() {
            if let spread = r.learningRateSpread(model: model) { out += "- \(model): spread \(mark(formatPercent(100 * spread))) points\n" }
        }
        out += "\n" + figure("fig-scaling", "Accuracy against training images per class (log scale; zero-shot CLIP as horizontal lines) "
            + "and test accuracy against the learning rate.")
        if let quote { out += "In the chapter's own words:\n\n\(quote)\n\n" }
        return out
    }

    private func describeAccuracy(_ accuracy: Accuracy) -> String {
        let value = formatPercent(100 * accuracy.value)
        guard let interval = accuracy.interval else { return value }
        return "\(value) [\(formatPercent(100 * interval.low)), \(formatPercent(100 * interval.high))]"
    }
}

/// The scaling chapter's findings for the conclusion; none without its results.
struct ScalingFindings {
    let results: ResultsFolder

    static let rule = "A fine-tuning beats zero-shot CLIP at a size when its test accuracy's 95% interval lies wholly above zero-shot "
        + "CLIP's; one fine-tuning is more sensitive to the learning rate than another when its spread of test accuracy over the rates "
        + "exceeds the other's by more than the mean half-width of those accuracies' intervals (less: the reverse; within it: undecided)."

    var all: [Finding] {
        guard let file = results[ScalingResults.self] else { return [] }
        let r = file.results
        let findings = r.models.map { crossover(r, model: $0.id) } + [sensitivity(r)]
        guard file.quick == true else { return findings }
        return findings.map { Finding(claim: $0.claim, outcome: .quickRun, evidence: $0.evidence) }
    }

    /// The smallest size at which `model`'s test accuracy lies wholly above zero-shot CLIP's, and
    /// what its extended accuracy has lost against zero-shot CLIP's there.
    func crossover(_ r: ScalingResults, model: String) -> Finding {
        let claim = "Beyond the paper (scaling): fine-tuning by \(model) beats zero-shot CLIP's test accuracy within the sizes run."
        let points = r.sizes.compactMap { size in size.models[model].map { (size.imagesPerClass, $0) } }
        guard let largest = points.last else { return Finding(claim: claim, outcome: .notRun, evidence: "scaling.json has no \(model) points") }
        let zeroShot = r.zeroShot
        guard let (size, point) = points.first(where: { low($0.1.test) > high(zeroShot.test) }) else {
            return Finding(claim: claim, outcome: .didNotHold,
                           evidence: "no crossover within the sizes run (\(points.map { "\($0.0)" }.joined(separator: ", ")) images a class): "
                               + "at \(largest.0) a class \(describe(largest.1.test)) against zero-shot CLIP's \(describe(zeroShot.test))")
        }
        var evidence = "first at \(size) images a class" + (size == points.first?.0 ? " (the smallest size run)" : "")
            + ": test \(describe(point.test)) against zero-shot CLIP's \(describe(zeroShot.test))"
        if let extended = point.extended {
            evidence += "; extended accuracy by then \(describe(extended)) against zero-shot CLIP's \(describe(zeroShot.extended)), "
                + "\(formatPercent(100 * (zeroShot.extended.value - extended.value))) points lost"
        } else {
            evidence += "; it has no extended accuracy at all (a head for the trained classes only), where zero-shot CLIP has \(describe(zeroShot.extended))"
        }
        return Finding(claim: claim, outcome: .held, evidence: evidence)
    }

    /// Table 5's hyper-parameter difficulty: the spread of CLIP's (ft-clip's, else the first CLIP
    /// recipe's) test accuracy over the learning rates against ViT's.
    func sensitivity(_ r: ScalingResults) -> Finding {
        let clip = r.models.first { $0.id == "ft-clip" }?.id ?? r.models.first { $0.id != "vit" }?.id ?? "ft-clip"
        let claim = "Beyond the paper (scaling): fine-tuning CLIP (\(clip)) is more sensitive to the learning rate than fine-tuning ViT."
        guard let clipSpread = r.learningRateSpread(model: clip), let vitSpread = r.learningRateSpread(model: "vit") else {
            return Finding(claim: claim, outcome: .notRun, evidence: "scaling.json needs two or more learning rates for vit and \(clip)")
        }
        let widths = r.learningRates.filter { [clip, "vit"].contains($0.model) }.compactMap { $0.test.interval.map { ($0.high - $0.low) / 2 } }
        let noise = widths.isEmpty ? 0 : widths.reduce(0, +) / Double(widths.count)
        let outcome: Finding.Outcome = clipSpread - vitSpread > noise ? .held : (vitSpread - clipSpread > noise ? .didNotHold : .undecided)
        let factors = Set(r.learningRates.map(\.factor)).sorted().map { formatNumber($0) + "x" }.joined(separator: ", ")
        return Finding(claim: claim, outcome: outcome,
                       evidence: "over \(factors) the published rate, test accuracy spreads \(formatPercent(100 * clipSpread)) points for \(clip) "
                           + "and \(formatPercent(100 * vitSpread)) for ViT; the intervals' mean half-width is \(formatPercent(100 * noise)) points")
    }

    private func low(_ accuracy: Accuracy) -> Double { accuracy.interval?.low ?? accuracy.value }
    private func high(_ accuracy: Accuracy) -> Double { accuracy.interval?.high ?? accuracy.value }

    private func describe(_ accuracy: Accuracy) -> String {
        let mark = results[ScalingResults.self].map { PrecisionMark($0) } ?? PrecisionMark(.fp32)
        let value = formatPercent(accuracy.value * 100) + "%"
        guard let interval = accuracy.interval else { return mark(value + " (no interval)") }
        return mark(value + " [\(formatPercent(interval.low * 100)), \(formatPercent(interval.high * 100))]")
    }
}
