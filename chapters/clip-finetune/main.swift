// # Fine-tuned CLIP: Tables 2, 3 and 4, Figure 4
//
// Fei (EMITI 2024), the fine-tuned CLIP rows. Zero-shot CLIP knows food only as far as web
// captions taught it; the paper asks whether tuning it on the 91 trained classes helps, and
// what it costs on the 10 classes it was not tuned on. It reports 84.22% test accuracy after
// fine-tuning (Table 3, against 81.24% zero-shot) and 17.68% extended accuracy on the held-out
// classes (Table 4, against 79.82%): a small gain bought with nearly all of CLIP's zero-shot
// ability. Table 2 gives the settings: AdamW, learning rate 1e-4, batches of 2048, weight decay
// 0.05, betas 0.9 and 0.999, epsilon 1e-6, 10 epochs.
//
// The paper (Section 2.2.3) says it used "the fine-tuning approach from Xiaoyi Dong": FT-CLIP
// (Dong et al. 2022, "CLIP Itself is a Strong Fine-tuner"). Its code (LightDXY/FT-CLIP,
// models/finetune_clip.py) puts on the image encoder a classifier of its own: every output
// token but the class token goes through a fresh LayerNorm (`fc_norm`), the tokens are
// averaged, and a fresh linear head reads the mean; the head's weights start tiny
// (trunc_normal 0.02, times 0.001) and the patch embedding is frozen. CLIP's post-LayerNorm and
// projection, which zero-shot classification reads, are not part of it. That recipe, `ft-clip`,
// is this chapter's default, with Table 2's settings; FT-CLIP's own further settings are options
// (`--layer-decay`, `--label-smoothing`), off as the paper does not mention them, and recorded.
//
// Extended accuracy then asks the fine-tuned model to do zero-shot again, the paper's way: the
// held-out images go through the fine-tuned image tower (class token, post-LayerNorm, visual
// projection), the ten names through the text tower, as the zero-shot chapter does. The trained
// head cannot help (it has no rows for those classes); what is measured is whether the image
// embeddings still live in the space the text tower speaks. Beyond the paper, that measurement
// is repeated with the preset's prompt ensemble, as the clip chapter does. Every accuracy
// carries a 95% bootstrap interval over its images.
//
// Beyond the paper, the chapter asks what makes fine-tuned CLIP forget by running three more
// recipes, each stating what it trained:
// - `zero-shot-head`: a head on the normalised embedding whose rows start as the class prompts'
//   text embeddings (the zero-shot-initialised head of LP-FT and WiSE-FT); it trains the image
//   tower with its post-LayerNorm and projection, the very parts extended accuracy reads, while
//   the text-derived head keeps pulling them toward the text space.
// - `huggingface`: transformers' CLIPForImageClassification, the mean of the patch tokens into a
//   fresh head, what a Hugging Face user is given.
// - `flyp` (Goyal et al. 2023, "Finetune like you pretrain"): no head at all; both towers are
//   trained with CLIP's own contrastive loss on (image, class prompt) pairs, and test accuracy is
//   zero-shot against the fine-tuned text tower, the one recipe where the text tower moves.
// `--recipes` names those to run (reproduce runs all four); `--recipe` is the one whose numbers
// feed Tables 3 and 4.

// A batch of 2048 does not fit in memory with a ViT-B/32 and its activations, so each batch is
// accumulated from micro-batches of 32: the same gradient, computed in pieces. On the mini
// preset the same recipe runs on MiniFood with batches of 128 (see
// `TrainingConfiguration.clipFineTuning` for why). A killed run resumes from its last
// checkpoint under --cache; each fine-tuned model is saved there too, in Hugging Face's layout.
// Every recipe trains the image tower, so no image features can be cached across recipes.
//
// This chapter writes results/clip-finetune.json, with the loss curve for Figure 4.

import ArgumentParser
import Datasets
import Common
import Results
import Training
import Foundation
import Models
import ChapterSupport
import Recipes
import Training

struct CLIPFineTuneOptions: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clip-finetune", abstract: "CLIP's image tower fine-tuned on the trained classes (Tables 2-4, Figure 4).")

    @OptionGroup var options: ChapterOptions

    @Option(help: "FT-CLIP's layer-wise learning-rate decay (its scripts use 0.6); off by default, as in the paper.")
    var layerDecay: Double?

    @Option(help: "FT-CLIP's label smoothing (its default is 0.1); 0 by default, as in the paper.")
    var labelSmoothing: Float = 0

    @Option(help: "The recipe behind Tables 3 and 4: ft-clip (the paper's, default), zero-shot-head, huggingface or flyp.")
    var recipe: CLIPFineTuningRecipe = .ftCLIP

    @Option(help: "Comma-separated recipes to run and compare (the main --recipe is always among them), e.g. ft-clip,zero-shot-head,huggingface,flyp.")
    var recipes: String?

    @Option(help: "Fine-tune this many times, with --seed and the seeds after it, and report the spread (same data and pretrained model).")
    var seeds = 1

    func validate() throws {
        if let layerDecay, !(layerDecay > 0 && layerDecay <= 1) {
            throw ValidationError("--layer-decay must lie in (0, 1], got \(layerDecay)")
        }
        if seeds < 1 { throw ValidationError("--seeds must be at least 1") }
        if !(labelSmoothing >= 0 && labelSmoothing < 1) { throw ValidationError("--label-smoothing must lie in [0, 1), got \(labelSmoothing)") }
        _ = try comparedRecipes()
    }

    /// The main recipe first, then the others of --recipes in the chapter's order.
    func comparedRecipes() throws -> [CLIPFineTuningRecipe] {
        let named = try (recipes?.split(separator: ",") ?? []).map { text in
            guard let recipe = CLIPFineTuningRecipe(rawValue: text.trimmingCharacters(in: .whitespaces)) else {
                throw ValidationError("--recipes: unknown recipe \"\(text)\"; choose among \(CLIPFineTuningRecipe.reportOrder.map(\.rawValue).joined(separator: ", "))")
            }
            return recipe
        }
        return [recipe] + CLIPFineTuningRecipe.reportOrder.filter { $0 != recipe && named.contains($0) }
    }
}

let arguments = CLIPFineTuneOptions.parseChapterArguments(chapter: "clip-finetune")
let options = arguments.options
let run = ChapterRun(chapter: "clip-finetune", options: options.run)
run.main { try fineTuneCLIP() }

func fineTuneCLIP() throws -> CLIPFineTuneResults {
    let data = try options.experimentData()
    let checkpoint = try PretrainedModels.clip(options, run: run)
    var outcomes: [RecipeOutcome] = []
    for recipe in try arguments.comparedRecipes() {
        // ## One recipe: its classifier, training, then the two measurements.
        outcomes.append(try fineTune(recipe, seed: options.seed, checkpoint: checkpoint, data: data, log: true))
    }
    let main = outcomes[0]

    // Other seeds of the main recipe: the order of the batches (and a fresh head's draw) changes,
    // for the spread one run's intervals do not show.
    let seedRuns = try repeatedRuns(first: (main.result.test.value, main.result.extended.value), checkpoint: checkpoint, data: data)

    return CLIPFineTuneResults(model: main.model, checkpointSource: checkpoint.recordedPath,
                               dataset: data.source, trainableParameters: main.result.trainableParameters,
                               hyperParameters: main.hyperParameters, test: main.result.test, extended: main.result.extended,
                               lossCurve: main.lossCurve, fineTunedCheckpoint: main.saved.recordedPath,
                               extendedPromptEnsembles: [main.ensemble], seedRuns: seedRuns,
                               classes: ClassCounts(trained: data.train.classNames.count, heldOut: data.heldOut.classNames.count),
                               recipe: main.result.id, recipes: outcomes.map(\.result))
}

/// What one recipe's run leaves (the model itself is let go before the next recipe loads its own).
struct RecipeOutcome {
    var model: String
    var hyperParameters: HyperParameters
    var lossCurve: [LossPoint]
    var result: CLIPRecipeResult
    var ensemble: ExtendedEnsembleAccuracy
    var saved: URL
}

/// Fine-tunes with `recipe` and `seed` (resuming a checkpoint under --cache), measures test and
/// extended accuracy, and saves the model; `log` reports each part as the chapter's output.
func fineTune(_ recipe: CLIPFineTuningRecipe, seed: UInt64, checkpoint: URL, data: ExperimentData, log: Bool) throws -> RecipeOutcome {
    let say: (String) -> Void = { if log { run.say($0) } }
    let started = Date()
    let configuration = TrainingConfiguration.clipFineTuning(preset: options.preset, quick: options.quick, seed: seed,
                                                             layerDecay: arguments.layerDecay)
    let directory = try CLIPFineTuning.runDirectory(cache: options.cacheDirectory, preset: options.preset, checkpoint: checkpoint, data: data,
                                                    configuration: configuration, recipe: recipe, labelSmoothing: arguments.labelSmoothing)
    let fineTuning = try CLIPFineTuning(checkpoint: checkpoint, data: data, configuration: configuration, recipe: recipe,
                                        labelSmoothing: arguments.labelSmoothing, trainerDirectory: directory.appendingPathComponent("trainer"))
    say("recipe \(recipe.rawValue): \(recipe.description)")
    say("trains \(recipe.trained): \(fineTuning.trainableParameters) parameters, on \(data.train.count) images of "
        + "\(data.train.classNames.count) classes")
    say("AdamW lr \(configuration.optimizer.learningRate), batch \(configuration.batchSize) in micro-batches of "
        + "\(configuration.microBatchSize), weight decay \(configuration.optimizer.weightDecay), \(configuration.epochs) epochs = "
        + "\(fineTuning.trainer.totalSteps) steps" + (configuration.layerDecay.map { ", layer decay \($0)" } ?? "")
        + (arguments.labelSmoothing > 0 ? ", label smoothing \(arguments.labelSmoothing)" : ""))
    if let step = try fineTuning.resume() {
        say("resuming from the checkpoint at step \(step) of \(fineTuning.trainer.totalSteps) in \(directory.path)")
    }
    try fineTuning.train()
    say(String(format: "trained in %.1f s", Date().timeIntervalSince(started)))

    let test = try fineTuning.score(data.validation)
    let testAccuracy = test.bootstrappedTop1(seed: seed)
    say("test (\(data.validation.count) validation images, \(data.validation.classNames.count) classes"
        + (recipe == .flyp ? ", zero-shot against the fine-tuned text tower" : ", through the head") + "): "
        + "top-1 \(testAccuracy.percentWithInterval), top-5 \(percent(test.accuracy.top5.value))")
    let ensemble = PromptTemplates.ensemble(for: options.preset)
    let extendedScores = try fineTuning.extendedScores(promptSets: [fineTuning.prompts, ensemble])
    let extended = extendedScores[0], extendedAccuracy = extended.bootstrappedTop1(seed: seed)
    let ensembleAccuracy = extendedScores[1].bootstrappedTop1(seed: seed)
    say("extended (\(data.heldOut.count) images of \(data.heldOut.classNames.count) held-out classes, zero-shot: the fine-tuned "
        + "image tower's class token, post-LayerNorm and projection against the \(recipe == .flyp ? "fine-tuned" : "pretrained") text "
        + "tower): top-1 \(extendedAccuracy.percentWithInterval); with the \(ensemble.templates.count) templates of "
        + "\"\(ensemble.name)\": \(ensembleAccuracy.percentWithInterval)")
    for (className, accuracy) in extended.perClass {
        say("  held out \(className): \(percent(accuracy.value)) of \(accuracy.images)")
    }

    // The fine-tuned CLIP, for the chapters that build on it (WiSE-FT).
    let saved = directory.appendingPathComponent("model")
    try fineTuning.saveFineTuned(to: saved)
    say("saved the fine-tuned CLIP to \(saved.path)")
    let seconds = Date().timeIntervalSince(started)
    say(String(format: "recipe %@ took %.1f s", recipe.rawValue, seconds))
    return RecipeOutcome(model: fineTuning.zeroShot.model.config.architectureName, hyperParameters: fineTuning.hyperParameters,
                         lossCurve: fineTuning.lossCurve,
                         result: CLIPRecipeResult(id: recipe.rawValue, test: testAccuracy, extended: extendedAccuracy, trained: recipe.trained,
                                                  trainableParameters: fineTuning.trainableParameters, seconds: seconds,
                                                  fineTunedCheckpoint: saved.recordedPath),
                         ensemble: ExtendedEnsembleAccuracy(templates: ensemble.templates, extended: ensembleAccuracy), saved: saved)
}

/// The main recipe again with each further seed of `--seeds` (test and extended top-1 with the
/// single template); nil for a single seed.
func repeatedRuns(first: (test: Double, extended: Double), checkpoint: URL, data: ExperimentData) throws -> SeedRuns? {
    let seeds = SeedRuns.seeds(from: options.seed, count: arguments.seeds)
    guard seeds.count > 1 else { return nil }
    var test = [first.test], extended = [first.extended]
    for seed in seeds.dropFirst() {
        run.say("fine-tuning again with seed \(seed)")
        let outcome = try fineTune(arguments.recipe, seed: seed, checkpoint: checkpoint, data: data, log: false)
        test.append(outcome.result.test.value)
        extended.append(outcome.result.extended.value)
        run.say(String(format: "seed %llu: test top-1 %.2f%%, extended top-1 %.2f%%", seed, 100 * test.last!, 100 * extended.last!))
    }
    return SeedRuns(seeds: seeds, test: test, extended: extended)
}
