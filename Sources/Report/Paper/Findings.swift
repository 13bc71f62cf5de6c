import Common
import Results
import TensorCore
import Training
import Foundation

/// The paper's findings, each judged on this run's own numbers for the conclusion of paper.md.
/// Two accuracies are ordered only when their 95% bootstrap intervals do not overlap; when they
/// overlap (or a chapter is missing) the finding is left undecided rather than guessed.
struct Finding: Equatable {
    enum Outcome: String {
        case held = "Held"
        case didNotHold = "Did not hold"
        case undecided = "Undecided"
        case notRun = "Not run"
        /// A quick run's smoke-test sizes decide nothing.
        case quickRun = "Not judged (quick run)"
    }

    let claim: String
    let outcome: Outcome
    /// The numbers the outcome rests on, in words.
    let evidence: String
}

struct Findings {
    let results: ResultsFolder

    static let rule = "An accuracy counts as higher than another only when their 95% bootstrap intervals do not overlap; "
        + "\"most\" of the zero-shot ability is lost when the fine-tuned extended accuracy lies wholly below half the zero-shot one."

    /// The paper's findings, the other recipes', then LiT's question when the run has a locked ViT to answer it.
    var all: [Finding] {
        let findings = [vitIsMostAccurate, fineTuningRaisesCLIPTestAccuracy, fineTuningCostsZeroShotAbility] + byOtherRecipe + [costOrder]
            + (lockedViTGainsZeroShot.map { [$0] } ?? [])
        guard !results.quickChapters.isEmpty else { return findings }
        return findings.map { $0.outcome == .notRun ? $0 : Finding(claim: $0.claim, outcome: .quickRun, evidence: $0.evidence) }
    }

    /// Table 3: the fine-tuned ViT beats both CLIPs on the trained classes.
    var vitIsMostAccurate: Finding {
        let claim = "Fine-tuned ViT has the highest test accuracy of the three approaches."
        guard let vit = results[ViTResults.self]?.results.test.top1, let clip = results[CLIPZeroShotResults.self]?.results.test,
              let tuned = results[CLIPFineTuneResults.self]?.results.test else {
            return Finding(claim: claim, outcome: .notRun, evidence: "needs the vit, clip and clip-finetune results")
        }
        let orders = [compare(vit, clip), compare(vit, tuned)]
        let evidence = "ViT \(describe(vit, of: ViTResults.self)), zero-shot CLIP \(describe(clip, of: CLIPZeroShotResults.self)), fine-tuned CLIP \(describe(tuned, of: CLIPFineTuneResults.self))"
        return Finding(claim: claim, outcome: outcome(orders), evidence: evidence)
    }

    /// Table 3: fine-tuning CLIP improves on zero-shot CLIP for the trained classes.
    var fineTuningRaisesCLIPTestAccuracy: Finding {
        let claim = "Fine-tuning CLIP raises its test accuracy above zero-shot CLIP's."
        guard let clip = results[CLIPZeroShotResults.self]?.results.test, let tuned = results[CLIPFineTuneResults.self]?.results.test else {
            return Finding(claim: claim, outcome: .notRun, evidence: "needs the clip and clip-finetune results")
        }
        return Finding(claim: claim, outcome: outcome([compare(tuned, clip)]),
                       evidence: "fine-tuned \(describe(tuned, of: CLIPFineTuneResults.self)) against zero-shot \(describe(clip, of: CLIPZeroShotResults.self))")
    }

    /// Table 4: fine-tuned CLIP keeps less than half of zero-shot CLIP's extended accuracy.
    var fineTuningCostsZeroShotAbility: Finding {
        let recipe = results[CLIPFineTuneResults.self]?.results.recipe
        let claim = "Fine-tuning CLIP gives up most of its zero-shot accuracy on the held-out classes" + (recipe.map { " (\($0), the main recipe)" } ?? "") + "."
        return forgetting(claim: claim, tuned: results[CLIPFineTuneResults.self]?.results.extended)
    }

    /// The paper's two CLIP findings again for each further recipe clip-finetune compared.
    var byOtherRecipe: [Finding] {
        guard let run = results[CLIPFineTuneResults.self]?.results else { return [] }
        let zeroShot = results[CLIPZeroShotResults.self]?.results.test
        return run.recipes.filter { $0.id != run.recipe }.flatMap { recipe -> [Finding] in
            let raise = "Fine-tuning CLIP by the \(recipe.id) recipe raises its test accuracy above zero-shot CLIP's."
            let test = zeroShot.map { Finding(claim: raise, outcome: outcome([compare(recipe.test, $0)]),
                                              evidence: "fine-tuned \(describe(recipe.test, of: CLIPFineTuneResults.self)) against zero-shot \(describe($0, of: CLIPZeroShotResults.self))") }
                ?? Finding(claim: raise, outcome: .notRun, evidence: "needs the clip results")
            let forgets = "Fine-tuning CLIP by the \(recipe.id) recipe (trained: \(recipe.trained)) gives up most of its zero-shot accuracy on the held-out classes."
            return [test, forgetting(claim: forgets, tuned: recipe.extended)]
        }
    }

    /// Held when `tuned` lies wholly below half of zero-shot CLIP's extended accuracy, did not
    /// hold when wholly above it.
    private func forgetting(claim: String, tuned: Accuracy?) -> Finding {
        guard let clip = results[CLIPZeroShotResults.self]?.results.extended, let tuned else {
            return Finding(claim: claim, outcome: .notRun, evidence: "needs the clip and clip-finetune results")
        }
        let (tunedLow, tunedHigh) = bounds(tuned)
        let (clipLow, clipHigh) = bounds(clip)
        let outcome: Finding.Outcome = tunedHigh < clipLow / 2 ? .held : (tunedLow > clipHigh / 2 ? .didNotHold : .undecided)
        return Finding(claim: claim, outcome: outcome,
                       evidence: "extended accuracy \(describe(tuned, of: CLIPFineTuneResults.self)) after fine-tuning, \(describe(clip, of: CLIPZeroShotResults.self)) zero-shot")
    }

    /// Table 5: zero-shot CLIP is the cheapest to deploy, fine-tuned CLIP the dearest.
    var costOrder: Finding {
        let claim = "Zero-shot CLIP is the cheapest approach to deploy and fine-tuned CLIP the most expensive."
        guard let cost = results[CostResults.self]?.results else {
            return Finding(claim: claim, outcome: .notRun, evidence: "needs the cost results")
        }
        let tiers = Dictionary(cost.approaches.map { ($0.approach, $0.tier) }, uniquingKeysWith: { first, _ in first })
        guard let vit = tiers[.vit], let clip = tiers[.clipZeroShot], let tuned = tiers[.clipFineTune] else {
            return Finding(claim: claim, outcome: .notRun, evidence: "the cost results lack an approach")
        }
        let rank = { (tier: CostTier) in CostTier.allCases.firstIndex(of: tier)! }
        let held = rank(clip) < rank(vit) && rank(vit) < rank(tuned)
        return Finding(claim: claim, outcome: held ? .held : .didNotHold,
                       evidence: "tiers from FLOPs counted from the configurations: zero-shot CLIP \(clip.rawValue), ViT \(vit.rawValue), "
                           + "fine-tuned CLIP \(tuned.rawValue)")
    }

    /// Beyond the paper (lit): a locked ViT with a learned text tower keeps the fine-tuned ViT's
    /// test accuracy (its interval not wholly below ViT's) and gains a usable extended accuracy
    /// (its interval wholly above chance among the held-out classes). Judged on the fine-tuned
    /// ViT's tower, else the pretrained one's; nil without a ViT tower in lit.json.
    var lockedViTGainsZeroShot: Finding? {
        guard let lit = results[LiTResults.self]?.results,
              let locked = lit[.vitFineTuned] ?? lit[.vitPretrained] else { return nil }
        let claim = "Beyond the paper: LiT on a locked ViT (\(litTowerName(locked.imageTower))) keeps the fine-tuned ViT's test accuracy "
            + "and gains a usable extended accuracy (above the \(formatPercent(100 / Double(lit.classes.heldOut)))% of chance)."
        guard let vit = results[ViTResults.self]?.results.test.top1 else {
            return Finding(claim: claim, outcome: .notRun, evidence: "needs the vit results beside lit's")
        }
        let chance = 1 / Double(lit.classes.heldOut)
        let keepsTest = compare(locked.test, vit) != .orderedAscending
        let (extendedLow, extendedHigh) = bounds(locked.extended)
        let outcome: Finding.Outcome = !keepsTest || extendedHigh <= chance ? .didNotHold : (extendedLow > chance ? .held : .undecided)
        var evidence = "LiT test \(describe(locked.test, of: LiTResults.self)) against the fine-tuned ViT's \(describe(vit, of: ViTResults.self)); LiT extended \(describe(locked.extended, of: LiTResults.self))"
        if let clip = results[CLIPZeroShotResults.self]?.results {
            evidence += "; zero-shot CLIP: test \(describe(clip.test, of: CLIPZeroShotResults.self)), extended \(describe(clip.extended, of: CLIPZeroShotResults.self))"
        }
        return Finding(claim: claim, outcome: outcome, evidence: evidence)
    }

    /// Held when every comparison is higher, did not hold when any is lower, else undecided.
    private func outcome(_ orders: [ComparisonResult]) -> Finding.Outcome {
        if orders.allSatisfy({ $0 == .orderedDescending }) { return .held }
        if orders.contains(.orderedAscending) { return .didNotHold }
        return .undecided
    }

    /// `a` against `b`: descending when a's interval lies wholly above b's, ascending when below.
    private func compare(_ a: Accuracy, _ b: Accuracy) -> ComparisonResult {
        let (aLow, aHigh) = bounds(a)
        let (bLow, bHigh) = bounds(b)
        if aLow > bHigh { return .orderedDescending }
        if aHigh < bLow { return .orderedAscending }
        return .orderedSame
    }

    /// The interval, or the value itself when the chapter computed none.
    private func bounds(_ accuracy: Accuracy) -> (Double, Double) {
        (accuracy.interval?.low ?? accuracy.value, accuracy.interval?.high ?? accuracy.value)
    }

    /// An accuracy of the chapter whose payload is `Payload`, marked with its run's precision.
    private func describe<Payload: ChapterPayload>(_ accuracy: Accuracy, of _: Payload.Type) -> String {
        let mark = results[Payload.self].map { PrecisionMark($0) } ?? PrecisionMark(.fp32)
        let value = formatPercent(accuracy.value * 100) + "%"
        guard let interval = accuracy.interval else { return mark(value + " (no interval)") }
        return mark(value + " [\(formatPercent(interval.low * 100)), \(formatPercent(interval.high * 100))]")
    }
}
