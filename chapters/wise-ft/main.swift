// # Beyond the paper: WiSE-FT, weight-space ensembles of zero-shot and fine-tuned CLIP
//
// The paper's conclusion about CLIP is a trade: fine-tuning on the 91 trained classes lifts test
// accuracy (81.24% zero-shot to 84.22%, Table 3) and costs nearly all of CLIP's zero-shot
// ability on the 10 held-out classes (79.82% to 17.68% extended accuracy, Table 4). It measures
// only the two ends of that trade.
//
// WiSE-FT (Wortsman et al., CVPR 2022, "Robust fine-tuning of zero-shot models") asks what lies
// between them. Fine-tuning from zero-shot CLIP ends in weights close enough to the start that
// their straight-line mixtures are good models too: theta(alpha) = (1 - alpha) * theta_zero-shot
// + alpha * theta_fine-tuned, for alpha from 0 (zero-shot) to 1 (fine-tuned). On ImageNet its
// middle mixtures keep most of the fine-tuned accuracy and most of the zero-shot robustness,
// at no extra cost: a mixture is one model of the same size.
//
// What is mixed: every tensor of the image tower and the visual projection. Where the text
// tower and logit scale were not trained, both models hold the same ones (checked). The head
// depends on the recipe clip-finetune trained:
// - `zero-shot-head`: the head started as the zero-shot head (the text embeddings of "a photo
//   of {}, a type of food." for the 91 names, times the logit scale), and WiSE-FT mixes a head
//   with the zero-shot head it started from, so alpha 0 is exactly zero-shot CLIP on the trained
//   classes and alpha 1 exactly the fine-tuned model. This is the curve the report draws.
// - `ft-clip` (the paper's) and `huggingface`: the fresh head (and FT-CLIP's fc_norm) has no
//   zero-shot counterpart. WiSE-FT mixes only what both ends have; the head is kept as trained
//   at every alpha, so at alpha 0 test accuracy is that head on the pretrained encoder, not
//   zero-shot CLIP. Extended accuracy is defined as for every recipe (class token,
//   post-LayerNorm, projection against the text tower).
// - `flyp`: both towers moved; mixing them is FLYP's own WiSE-FT, not run here (stated in the
//   results).
//
// What is measured, as the paper measures its two ends: test accuracy, the head over the mixed
// image tower on the test images of the 91 trained classes; and extended accuracy,
// zero-shot on the 10 held-out classes with the mixed image tower against the pretrained text
// tower and the single template above. Each with a 95% bootstrap interval over the images.
//
// Alpha is chosen on other images: a fifth of each trained class's training images (drawn from
// the seed), never the test or held-out images the accuracies are reported on. The rule,
// stated beforehand: the highest mean of the head's accuracy and zero-shot accuracy among the 91
// trained names on those images, the same trade test and extended accuracy measure, without
// looking at a held-out class. The fine-tuned model has trained on these images, which favours
// the fine-tuned end; WiSE-FT chooses on held-out data of the trained classes, which this split
// has none to spare of. The whole curve is reported, so the reader can judge.
//
// This chapter needs the clip-finetune chapter's fine-tuned model: by default the one named in
// results/clip-finetune.json (same --results), or any directory that chapter saved via
// --fine-tuned. The zero-shot end is the checkpoint that fine-tuning started from: the cached
// mini CLIP, or on the paper preset --checkpoint (by default the one clip-finetune recorded).
// It writes results/wise-ft.json, for the WiSE-FT figure and section of paper.md.

import ArgumentParser
import Datasets
import Common
import Results
import Training
import Foundation
import Models
import ChapterSupport
import Recipes

let arguments = WiSEFTOptions.parseChapterArguments(chapter: "wise-ft")
let options = arguments.options
let run = ChapterRun(chapter: "wise-ft", options: options.run)
run.main { try wiseFT() }

func wiseFT() throws -> WiSEFTResults {
    // ## The two ends
    //
    // The zero-shot end is the checkpoint clip-finetune started from (paper: --checkpoint, else
    // the one its results record; mini: the cached mini CLIP); the fine-tuned ends are the models
    // clip-finetune.json names, one a recipe.
    let data = try options.experimentData()
    run.say("\(data.source): \(data.test.count) test images of \(data.test.classNames.count) trained classes, "
        + "\(data.heldOut.count) images of \(data.heldOut.classNames.count) held-out classes")
    let sources = try WiSEFTSources(results: options.resultsDirectory)
    let zeroShot = switch options.preset {
    case .paper:
        try PretrainedModels.identified((options.checkpoint == nil ? sources.recordedZeroShot : nil)
                                            ?? PretrainedModels.paperCheckpoint(options, "openai/clip-vit-base-patch32, the checkpoint clip-finetune started from"),
                                        PretrainedModels.clipName, .userSupplied, run: run)
    case .mini: try PretrainedModels.clip(options, run: run)
    }
    if arguments.fineTuned == nil { try sources.checkSource(is: zeroShot, preset: options.preset) }

    // ## One curve a recipe: alpha chosen on training images, accuracies on the others
    //
    // Each alpha is scored first on the selection images, the rule picks one, and then every
    // mixture is measured on the test and held-out images; alpha 1 must give what clip-finetune
    // measured for the same model.
    var curves: [(curve: WiSEFTCurve, model: String)] = []
    var notDefined: [String: String] = [:]
    var selection: AlphaSelection?
    for (index, recipe) in try arguments.mixedRecipes().enumerated() {
        guard recipe != "flyp" else {
            notDefined[recipe] = "both towers moved: mixing them is FLYP's own WiSE-FT, not run here"
            continue
        }
        let fineTuned = try sources.fineTunedDirectory(recipe: recipe, given: arguments.fineTuned, required: index == 0 && arguments.fineTuned != nil)
        guard let fineTuned else {
            run.say("no \(recipe) model in clip-finetune.json: run clip-finetune with --recipes including \(recipe) to mix it")
            continue
        }
        let started = Date()
        let wise = try WiSEFT(zeroShot: zeroShot, fineTuned: fineTuned, data: data, seed: options.seed)
        run.say("\(wise.recipe.rawValue): zero-shot from \(zeroShot.path), fine-tuned from \(fineTuned.path)")
        run.say("mixing \(wise.interpolation.entries.count) tensors (\(mixedParameters(wise)) numbers): \(wise.mixedDescription)")
        var scores: [AlphaSelectionScore] = []
        for alpha in arguments.alphaValues {
            let score = try wise.selectionScore(alpha: alpha)
            run.say(String(format: "alpha %@ on %d selection images: head %.2f%%, zero-shot among the trained names %.2f%%",
                           formatAlpha(alpha), wise.selection.count, 100 * score.head, 100 * score.zeroShot))
            scores.append(score)
        }
        let chosen = WiSEFT.chosen(scores)!.alpha
        var points: [WiSEFTPoint] = []
        for alpha in arguments.alphaValues {
            let point = try wise.point(alpha: alpha, seed: options.seed)
            run.say("alpha \(formatAlpha(alpha)): test \(point.test.percentWithInterval), extended \(point.extended.percentWithInterval)"
                + (alpha == chosen ? " (chosen on the selection images)" : ""))
            points.append(point)
        }
        run.say(String(format: "measured %d mixtures in %.1f s", points.count, Date().timeIntervalSince(started)))
        crossCheckEnds(points, recorded: sources.recordedResult(of: recipe), say: { run.say($0) })
        if selection == nil {
            selection = AlphaSelection(
                images: String(format: "%.0f%% of each trained class's training images, drawn with seed %llu", 100 * WiSEFT.selectionFraction, options.seed),
                count: wise.selection.count, listSha256: wise.selectionListSha256,
                reportedOn: "the trained classes' test images (test) and the held-out classes' images (extended)", scores: scores)
        }
        curves.append((WiSEFTCurve(recipe: recipe, fineTunedCheckpoint: fineTuned.recordedPath, mixed: wise.mixedDescription, points: points,
                                   chosenAlpha: chosen, selection: scores), wise.clip.model.config.architectureName))
    }

    // ## The results file
    //
    // The first recipe's curve is the report's; the others and the recipes WiSE-FT does not
    // define are kept beside it.
    guard let main = curves.first else {
        throw ChapterError("no fine-tuned CLIP in \(options.resultsDirectory.appendingPathComponent("clip-finetune.json").path): "
            + "run clip-finetune first (same --preset, --results and --cache), or pass --fine-tuned DIR")
    }
    run.say("the report's curve: \(main.curve.recipe), \(main.curve.points.count) mixtures, alpha \(formatAlpha(main.curve.chosenAlpha)) chosen"
        + (curves.count > 1 ? "; \(curves.count - 1) more recipe(s) beside it" : ""))
    return WiSEFTResults(dataset: data.source, points: main.curve.points, model: main.model,
                         zeroShotCheckpoint: zeroShot.recordedPath, fineTunedCheckpoint: main.curve.fineTunedCheckpoint,
                         mixed: main.curve.mixed, bestAlpha: main.curve.chosenAlpha, bestAlphaRule: WiSEFT.selectionRule,
                         classes: ClassCounts(trained: data.test.classNames.count, heldOut: data.heldOut.classNames.count),
                         recipe: main.curve.recipe, selection: selection, otherRecipes: curves.dropFirst().map(\.curve),
                         notDefined: notDefined.isEmpty ? nil : notDefined)
}

/// Alpha 1 is the fine-tuned model, so it must score what clip-finetune measured for it.
func crossCheckEnds(_ points: [WiSEFTPoint], recorded: CLIPRecipeResult?, say: (String) -> Void) {
    guard let end = points.first(where: { $0.alpha == 1 }), let recorded else { return }
    let same = end.test.value == recorded.test.value && end.extended.value == recorded.extended.value
    say("alpha 1 against clip-finetune's own measurement of the model: test \(percent(end.test.value)) vs "
        + "\(percent(recorded.test.value)), extended \(percent(end.extended.value)) vs \(percent(recorded.extended.value))"
        + (same ? " (equal)" : " (DIFFERENT)"))
}

func mixedParameters(_ wise: WiSEFT) -> Int { wise.interpolation.entries.reduce(0) { $0 + $1.target.count } }
func formatAlpha(_ alpha: Double) -> String { String(format: "%g", alpha) }

// ## The command line

struct WiSEFTOptions: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wise-ft", abstract: "WiSE-FT: weight-space mixtures of zero-shot and fine-tuned CLIP, test against extended accuracy.")

    @OptionGroup var options: ChapterOptions

    @Option(help: "The fine-tuned CLIP directory clip-finetune saved (default: the one <results>/clip-finetune.json names).")
    var fineTuned: String?

    @Option(help: "The clip-finetune recipes to mix, each from clip-finetune.json's recipes (the first is the report's curve).")
    var recipes = "zero-shot-head,ft-clip"

    @Option(help: "Comma-separated mixing weights in [0, 1]: 0 is zero-shot CLIP, 1 the fine-tuned model.")
    var alphas = "0,0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,1"

    var alphaValues: [Double] { commaSeparatedList(alphas) { Double($0) }.compactMap { $0 } }

    func validate() throws {
        let values = alphaValues
        guard !values.isEmpty, values.count == alphas.split(separator: ",", omittingEmptySubsequences: false).count,
              values.allSatisfy({ (0...1).contains($0) }), Set(values).count == values.count else {
            throw ValidationError("--alphas must be distinct numbers in [0, 1] separated by commas, got \"\(alphas)\"")
        }
    }

    /// The recipes of --recipes, known ones only.
    func mixedRecipes() throws -> [String] {
        try commaSeparatedList(recipes) { name in
            guard CLIPFineTuningRecipe(rawValue: name) != nil else { throw ChapterError("--recipes: unknown recipe \"\(name)\"") }
            return name
        }
    }
}
