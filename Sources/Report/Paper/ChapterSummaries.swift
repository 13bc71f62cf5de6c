// What each chapter's numbers say, in a few sentences: printed by the chapter at the end of its
// run and quoted under its preset in paper.md. Written here from the results file alone, so
// rewording a sentence never means running the chapter again; every accuracy reads the same way
// (`Accuracy.percentWithInterval`).
import Common
import Foundation
import Results
import TensorCore
import Training

public enum ChapterSummaries {
    /// The summary of any chapter's results file that has one.
    public static func summary(of file: any ChapterResultsFileProtocol) -> String? {
        switch file {
        case let file as ChapterResultsFile<ViTResults>: vit(file)
        case let file as ChapterResultsFile<CLIPZeroShotResults>: clip(file)
        case let file as ChapterResultsFile<CLIPFineTuneResults>: clipFineTune(file)
        case let file as ChapterResultsFile<CostResults>: cost(file)
        case let file as ChapterResultsFile<CIFARResults>: cifar(file)
        case let file as ChapterResultsFile<LiTResults>: lit(file)
        case let file as ChapterResultsFile<WiSEFTResults>: wiseFT(file)
        case let file as ChapterResultsFile<ScalingResults>: scaling(file)
        default: nil
        }
    }

    public static func vit(_ file: ChapterResultsFile<ViTResults>) -> String {
        let r = file.results, epochs = r.epochs ?? [], curve = r.lossCurve, mark = PrecisionMark(file)
        var text = "Fine-tuned end to end for \(epochs.count) epoch\(epochs.count == 1 ? "" : "s") (\(curve.count) steps) on "
            + "\(r.trainImages) images of \(r.dataset) \(presetTag(file)), the \(r.model) classifies the \(r.test.top1.images) held-back "
            + "images of the \(r.classes.trained) trained classes with \(mark(r.test.top1.percentWithInterval)) top-1 and "
            + "\(mark(r.test.top5.percentWithInterval)) top-5 accuracy; its training loss went from \(mark(loss(curve.first?.loss))) at the first "
            + "step to \(mark(loss(curve.last?.loss))) at the last"
        if let opening = epochs.first, epochs.count > 1 {
            text += ", its validation top-1 from \(mark(percent(opening.test.top1.value))) after the first epoch"
        }
        text += ". "
        if let best = epochs.max(by: { $0.test.top1.value < $1.test.top1.value }), best.epoch != epochs.count {
            text += "Validation top-1 peaked after epoch \(best.epoch) (\(mark(percent(best.test.top1.value)))), before the last. "
        }
        if let resumed = r.resumedFromStep { text += "The run resumed an interrupted one at step \(resumed). " }
        if let seedRuns = r.seedRuns {
            text += "Over \(seedRuns.seeds.count) seeds of the fine-tuning (\(seedRuns.seeds.map(String.init).joined(separator: ", "))) "
                + "top-1 averages \(mark(spread(seedRuns.test))). "
        }
        return text + "A head with one output per trained class has no extended accuracy: it cannot name the held-out dishes."
    }

    public static func clip(_ file: ChapterResultsFile<CLIPZeroShotResults>) -> String {
        let r = file.results, mark = PrecisionMark(file)
        var text = "Zero-shot \(r.model) \(presetTag(file)) classifies \(mark(r.test.percentWithInterval)) of \(r.test.images) validation "
            + "images of the \(r.classes.trained) trained classes and \(mark(r.extended.percentWithInterval)) of \(r.extended.images) images "
            + "of the \(r.classes.heldOut) held-out classes, with the prompt \"\(r.templates.first ?? "")\" and no training on either."
        for ensemble in r.promptEnsembles ?? [] {
            text += " Averaging the \(ensemble.templates.count) templates\(ensemble.name.map { " of \"\($0)\"" } ?? "") gives "
                + "\(mark(ensemble.test.percentWithInterval)) and \(mark(ensemble.extended.percentWithInterval))."
        }
        return text
    }

    public static func clipFineTune(_ file: ChapterResultsFile<CLIPFineTuneResults>) -> String {
        let r = file.results, curve = r.lossCurve, mark = PrecisionMark(file)
        let batch = r.hyperParameters[HyperParameterName.batchSize].map { " of \($0) images" } ?? ""
        var text = "Fine-tuning \(r.model) on the \(r.classes.trained) trained classes \(presetTag(file)) "
            + "(\(curve.count) steps\(batch), \(recipePhrase(r.recipe))) brings the training loss from \(mark(loss(curve.first?.loss))) to "
            + "\(mark(loss(curve.last?.loss))) and reaches \(mark(r.test.percentWithInterval)) on \(r.test.images) validation images; zero-shot on "
            + "the \(r.classes.heldOut) held-out classes, the fine-tuned image tower against the "
            + "\(r.recipe == "flyp" ? "fine-tuned" : "pretrained") text tower reaches \(mark(r.extended.percentWithInterval)) of \(r.extended.images) images"
        if let ensemble = r.extendedPromptEnsembles?.first {
            text += " (\(mark(ensemble.extended.percentWithInterval)) with the \(ensemble.templates.count)-template prompt ensemble)"
        }
        text += "."
        if let seedRuns = r.seedRuns, let extended = seedRuns.extended {
            text += " Over \(seedRuns.seeds.count) seeds of the fine-tuning, test accuracy averages \(mark(spread(seedRuns.test))) "
                + "and extended accuracy \(mark(spread(extended)))."
        }
        return text
    }

    /// The recipes beside one another: how far each moves test and extended accuracy from
    /// zero-shot CLIP's, and which loses the most of the held-out classes.
    public static func forgetting(_ file: ChapterResultsFile<CLIPFineTuneResults>, zeroShot: ChapterResultsFile<CLIPZeroShotResults>?) -> String {
        let recipes = file.results.recipes, mark = PrecisionMark(file)
        guard let zeroShot else {
            return "The recipes' numbers \(presetTag(file)): " + recipes.map { "\($0.id) \(mark($0.test.percentWithInterval)) test, "
                + "\(mark($0.extended.percentWithInterval)) extended" }.joined(separator: "; ") + " (no zero-shot run to compare with)."
        }
        let clip = zeroShot.results, clipMark = PrecisionMark(zeroShot)
        // A change mixes both runs' numbers: marked when either is bf16.
        let changeMark = mark.precision == .bf16 ? mark : clipMark
        func points(_ after: Accuracy, _ before: Accuracy) -> String {
            changeMark(String(format: "%+.1f", 100 * (after.value - before.value))) + " points"
        }
        var text = "Against zero-shot CLIP \(presetTag(file)) (\(clipMark(clip.test.percentWithInterval)) test, \(clipMark(clip.extended.percentWithInterval)) "
            + "extended), "
        text += recipes.map { "\($0.id) reaches \(mark($0.test.percentWithInterval)) test (\(points($0.test, clip.test))) and "
            + "\(mark($0.extended.percentWithInterval)) extended (\(points($0.extended, clip.extended)))" }.joined(separator: "; ") + ". "
        if recipes.count > 1 {
            func overlap(_ tied: [CLIPRecipeResult]) -> String {
                tied.map { "\($0.id) (\(mark($0.extended.percentWithInterval)))" }.joined(separator: ", ")
            }
            switch IntervalExtreme.of(recipes, lowest: true, accuracy: \.extended) {
            case .clear(let worst)?: text += "The held-out classes suffer most under \(worst.id) (trained: \(worst.trained)). "
            case .overlapping(let tied)?: text += "No recipe clearly suffers most on the held-out classes: the 95% intervals of \(overlap(tied)) overlap. "
            case nil: break
            }
            switch IntervalExtreme.of(recipes, lowest: false, accuracy: \.extended) {
            case .clear(let best)?: text += "They suffer least under \(best.id) (trained: \(best.trained))."
            case .overlapping(let tied)?: text += "No recipe clearly least: the 95% intervals of \(overlap(tied)) overlap."
            case nil: break
            }
        }
        return text
    }

    /// Section 2.1's words on MiniFood (nil on Food-101): how crowded each group's task is beside
    /// zero-shot CLIP's two accuracies, and the miniature's scale beside the paper's.
    public static func miniatureScale(_ data: ChapterResultsFile<DataResults>, zeroShot: ChapterResultsFile<CLIPZeroShotResults>?) -> String? {
        guard let facts = data.results.miniFood else { return nil }
        let r = data.results, trained = r.trainClasses.count, heldOut = r.heldOutClasses.count
        var text = "MiniFood's held-out classes are the first \(heldOut) of its class list, alphabetical by the dishes' made-up names, as "
            + "Food-101's are of its own: " + r.heldOutClasses.joined(separator: ", ") + ". "
        if let crowding = facts.meanNearNeighbours {
            text += String(format: "Within its group a held-out class has on average %.2f of the %d other held-out classes sharing two of its "
                + "three attributes, a trained class %.2f of the %d other trained ones", crowding.heldOut, heldOut - 1, crowding.trained, trained - 1)
            if let zeroShot {
                let clip = zeroShot.results, mark = PrecisionMark(zeroShot)
                text += "; zero-shot CLIP classifies \(mark(clip.test.percentWithInterval)) of the trained classes' validation images (a "
                    + "\(trained)-way choice) and \(mark(clip.extended.percentWithInterval)) of the held-out images (\(heldOut)-way)"
            }
            text += ". "
        }
        let perClass = { (count: Int, classes: Int) in classes > 0 ? formatNumber(Double(count) / Double(classes)) : "?" }
        text += "Scale: fine-tuning sees \(perClass(r.counts.train, trained)) training and \(perClass(r.counts.test, trained)) test "
            + "images per trained class (Food-101 after the paper's 0.8:0.2 split as this project reads it: 800 and 200; the dataset's own lists: 750 and 250) and \(perClass(r.counts.heldOut, heldOut)) per "
            + "held-out class (Food-101: 1,000); the mini CLIP is pretrained on \(formatNumber(Double(facts.pretrainCaptionPairs))) "
            + "image-caption pairs (CLIP: 400 million) and the mini ViT on \(formatNumber(Double(facts.pretrainLabelledImages))) labelled "
            + "images (ImageNet-21k: about 14 million). A mini finding says what the method does in this small world, not what it does "
            + "on Food-101 at CLIP's scale."
        return text
    }

    public static func lit(_ file: ChapterResultsFile<LiTResults>) -> String {
        let r = file.results, mark = PrecisionMark(file)
        return r.variants.map { v in
            let batch = v.hyperParameters[HyperParameterName.batchSize].map { " of \($0) pairs" } ?? ""
            let text = v.textCheckpoint == nil ? "a text tower from random weights" : "its text tower"
            var words = "Locking the \(litTowerName(v.imageTower)) (\(v.model)) \(presetTag(file)) and tuning \(text) to it on "
                + "\(v.trainingPairs) (\(v.lossCurve.count) steps\(batch)) brings the mean training loss from "
                + "\(mark(loss(v.epochMeanLosses.first))) in the first epoch to \(mark(loss(v.epochMeanLosses.last))) in the last."
            let tuned = [PromptEnsembleAccuracy(templates: v.templates, test: v.test, extended: v.extended)] + v.promptEnsembles
            for (index, after) in tuned.enumerated() {
                let before = v.beforeTuning.flatMap { index < $0.count ? $0[index] : nil }
                let prompts = index == 0 ? "With \"\(v.templates.first ?? "")\"" : "With the \"\(after.name ?? "")\" ensemble"
                words += " \(prompts), test accuracy \(before.map { "goes from \(mark(percent($0.test.value))) (zero-shot) to " } ?? "is ")"
                    + "\(mark(after.test.percentWithInterval)) of \(after.test.images) images, and extended accuracy on the \(r.classes.heldOut) "
                    + "held-out classes \(before.map { "from \(mark(percent($0.extended.value))) to " } ?? "is ")"
                    + "\(mark(after.extended.percentWithInterval)) of \(after.extended.images)."
            }
            return words
        }.joined(separator: " ")
    }

    public static func wiseFT(_ file: ChapterResultsFile<WiSEFTResults>) -> String {
        let r = file.results, ordered = r.points.sorted { $0.alpha < $1.alpha }, mark = PrecisionMark(file)
        guard let first = ordered.first, let last = ordered.last else { return "No mixing weight was scored." }
        var text = "Mixing the weights of zero-shot and fine-tuned \(r.model ?? "CLIP") \(presetTag(file))"
            + (r.recipe.map { ", fine-tuned by the \($0) recipe" } ?? "") + " (\(r.mixed ?? "image tower, projection and head")) "
            + "at \(r.points.count) values of alpha: alpha \(alpha(first.alpha))\(first.alpha == 0 ? " (zero-shot)" : "") reaches "
            + "\(mark(first.test.percentWithInterval)) test accuracy on \(first.test.images) images of the \(r.classes.trained) trained classes "
            + "and \(mark(first.extended.percentWithInterval)) extended accuracy on \(first.extended.images) images of the \(r.classes.heldOut) "
            + "held-out classes; alpha \(alpha(last.alpha))\(last.alpha == 1 ? " (fine-tuned)" : "") reaches "
            + "\(mark(last.test.percentWithInterval)) and \(mark(last.extended.percentWithInterval))."
        if let best = r.bestAlpha, let point = r.points.first(where: { $0.alpha == best }), let rule = r.bestAlphaRule {
            let images = r.selection.map { " (\($0.count) images, none of them among those reported)" } ?? ""
            text += " Choosing alpha by \(rule)\(images) gives alpha \(alpha(best)): \(mark(point.test.percentWithInterval)) test and "
                + "\(mark(point.extended.percentWithInterval)) extended accuracy."
        }
        for curve in r.otherRecipes ?? [] {
            guard let point = curve.points.first(where: { $0.alpha == curve.chosenAlpha }) else { continue }
            text += " On the \(curve.recipe) recipe's model (\(curve.mixed)) the same rule chooses alpha \(alpha(curve.chosenAlpha)): "
                + "\(mark(point.test.percentWithInterval)) test and \(mark(point.extended.percentWithInterval)) extended accuracy."
        }
        for (recipe, reason) in (r.notDefined ?? [:]).sorted(by: { $0.key < $1.key }) {
            text += " Not mixed: \(recipe) (\(reason))."
        }
        return text
    }

    public static func cifar(_ file: ChapterResultsFile<CIFARResults>) -> String {
        let models = file.results.models, mark = PrecisionMark(file)
        let accuracies = models.map { "\($0.name) \(mark($0.validation.percentWithInterval)) (\($0.trainableParameters) trainable parameters)" }
        var text = "Single-block fine-tuning \(presetTag(file)) on \(file.results.dataset) reached validation accuracies of "
            + accuracies.joined(separator: ", ") + "."
        let cnn = models.first { $0.family == "CNN" }, transformers = models.filter { $0.family == "Transformer" }
        if let cnn, !transformers.isEmpty {
            let better = transformers.filter { $0.validation.value > cnn.validation.value }.map(\.name)
            text += better.count == transformers.count ? " As in the study, every transformer beat the CNN."
                : better.isEmpty ? " Unlike the study, the CNN beat every transformer."
                : " Only \(better.joined(separator: " and ")) beat the CNN; the study found every transformer ahead."
        }
        return text
    }

    public static func cost(_ file: ChapterResultsFile<CostResults>) -> String {
        let costs = file.results.approaches
        guard let vit = costs.first(where: { $0.approach == .vit }), let zeroShot = costs.first(where: { $0.approach == .clipZeroShot }),
              let fineTune = costs.first(where: { $0.approach == .clipFineTune }),
              let vitTraining = vit.trainingFlopsPerImage, let clipTraining = fineTune.trainingFlopsPerImage else {
            return "The cost chapter measured fewer than the three approaches."
        }
        func hours(_ seconds: Double) -> String { String(format: seconds < 36_000 ? "%.1f h" : "%.0f h", seconds / 3600) }
        // The rates measured here depend on the products' precision; the counted FLOPs do not.
        let mark = PrecisionMark(file)
        let tokens = (fineTune.tokensPerImage ?? 0, vit.tokensPerImage ?? 0)
        var text = String(format: "Counted from their configurations, fine-tuning ViT-B/16 costs %.0f GFLOPs per image and fine-tuning "
                          + "CLIP ViT-B/32 %.0f (%.1fx less: %d tokens per image instead of %d), while zero-shot CLIP trains nothing; "
                          + "serving an image costs %.1f and %.1f GFLOPs. ",
                          vitTraining / 1e9, clipTraining / 1e9, vitTraining / clipTraining, tokens.0, tokens.1,
                          vit.flopsPerImage / 1e9, zeroShot.flopsPerImage / 1e9)
        let projection = vit.projection
        let sustained = projection.sustainedFraction.map { " (\(Int((100 * $0).rounded()))% of peak FP32 assumed)" } ?? ""
        text += "Projected onto the paper's \(projection.trainingImages.formatted()) images x \(projection.epochs) epochs on "
            + "\(projection.hardware)\(sustained), fine-tuning takes \(hours(projection.trainingSecondsOnHardware)) for ViT and "
            + "\(hours(fineTune.projection.trainingSecondsOnHardware)) for CLIP; at the rates measured on this machine "
            + "\(presetTag(file)), \(mark(hours(projection.trainingSecondsHere))) and \(mark(hours(fineTune.projection.trainingSecondsHere))). "
            + "By the rule stated, zero-shot CLIP is \(zeroShot.tier.rawValue), fine-tuned ViT \(vit.tier.rawValue) and fine-tuned "
            + "CLIP \(fineTune.tier.rawValue)."
        if let mini = vit.atMiniSize?.trainingImagesPerSecond, let miniCLIP = fineTune.atMiniSize?.trainingImagesPerSecond {
            text += " The mini models train at \(mark(String(format: "%.0f", mini))) (ViT) and \(mark(String(format: "%.0f", miniCLIP))) (CLIP) images/s here."
        }
        if let scaleOut = file.results.scaleOut { text += " " + scaleOutSentence(scaleOut, hours: hours) }
        return text
    }

    /// The fine-tunings on the most machines projected, and the all-reduce measured here (or why not).
    private static func scaleOutSentence(_ scaleOut: ScaleOut, hours: (Double) -> String) -> String {
        let largest = scaleOut.approaches.compactMap { approach in approach.machines.last.map { (approach, $0) } }
        var text = ""
        if let machines = largest.first?.1.machines {
            let times = largest.map { "\(hours($0.1.wallSeconds)) for \($0.0.name) (\(hours($0.0.machines.first!.wallSeconds)) on one)" }
            text += "On \(machines) machines like this one (\(scaleOut.machineCores) cores each) joined by an assumed "
                + String(format: "%g", scaleOut.networkGigabitsPerSecond) + " Gbit/s network, fine-tuning would take "
                + times.joined(separator: " and ") + ". "
        }
        if let local = scaleOut.localAllreduce {
            text += String(format: "Two ranks on this machine all-reduced %@ at %.2f GB/s (bus bandwidth %.2f GB/s), through shared memory: "
                           + "an upper bound, not a network.", local.gradient, local.algorithmBytesPerSecond / 1e9, local.busBytesPerSecond / 1e9)
        } else {
            text += "The all-reduce between two ranks on this machine was not measured (\(scaleOut.localAllreduceNotMeasured ?? "no reason recorded"))."
        }
        return text
    }

    /// "[mini preset]", or "[paper preset, quick smoke-test sizes]": once per summary.
    static func presetTag<Payload>(_ file: ChapterResultsFile<Payload>) -> String {
        "[\(file.preset.rawValue) preset\(file.quick == true ? ", quick smoke-test sizes" : "")]"
    }

    static func recipePhrase(_ recipe: String) -> String {
        switch recipe {
        case "ft-clip": "FT-CLIP's recipe, the paper's: a fresh head on the LayerNorm-ed mean of the patch tokens"
        case "huggingface": "a fresh head on the mean patch token, as transformers' CLIPForImageClassification"
        case "zero-shot-head": "a head initialised from the prompts' text embeddings"
        case "flyp": "FLYP: both towers trained contrastively on image / class-prompt pairs"
        default: "recipe \(recipe)"
        }
    }

    private static func loss(_ value: (some BinaryFloatingPoint)?) -> String {
        value.map { String(format: "%.3f", Double($0)) } ?? "?"
    }

    private static func spread(_ values: [Double]) -> String {
        let spread = Spread(values)
        return "\(percent(spread.mean)) (standard deviation \(String(format: "%.2f", 100 * spread.standardDeviation)) points)"
    }

    private static func alpha(_ value: Double) -> String { String(format: "%g", value) }
}
