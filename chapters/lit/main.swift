// # Beyond the paper: LiT, tuning the text tower instead
//
// Fei (EMITI 2024) finds that fine-tuning CLIP on the 91 trained classes costs it nearly all of
// its zero-shot ability: extended accuracy on the 10 held-out classes falls from 79.82% to
// 17.68% (Table 4). Fine-tuning moved the image tower; the text tower, which is what lets CLIP
// name a class it was never trained on, stayed where it was, and the two no longer agree.
//
// LiT, locked-image text tuning (Zhai et al., CVPR 2022), turns this around. The image tower is
// locked: its weights never change, so the image embeddings a held-out class's photos get are
// exactly zero-shot CLIP's. What learns is the text tower (and its projection and CLIP's
// temperature): with CLIP's own symmetric contrastive loss, it is taught to point the captions
// of the trained classes at their images' fixed embeddings. If the paper's loss came from the
// image tower drifting out of the text tower's space, a model tuned this way cannot suffer it;
// what remains to see is how much the trained classes gain and whether tuning the text tower on
// 91 names disturbs how it writes the 10 others.
//
// The training pairs are the 91 classes' training images, each captioned with its class name
// in a template drawn, seeded, from a fixed list: the preset's prompt ensemble (OpenAI's 80
// ImageNet templates on the paper preset; MiniFood's dish-only caption templates on the mini
// one), fixed before any result and never tuned on test images. Because the image tower is
// locked, every training image is embedded once, before training; each step then runs only the
// text tower. AdamW spares norms, biases and embeddings from weight decay, as the other recipes
// do; `TrainingConfiguration.lit` gives the settings and where they come from.
//
// Evaluation is the `clip` chapter's: test accuracy on the 91 classes' validation images among
// the 91 names, extended accuracy on the 10 held-out classes' images among the 10 names, with
// "a photo of {}, a type of food." (a phrasing the tuning never saw) and with the preset's
// prompt ensemble (the training phrasings). The same images are scored through the text tower
// before tuning too, so the chapter shows zero-shot CLIP beside LiT on identical embeddings.
// Every accuracy carries a 95% bootstrap interval over the images.
//
// On the paper preset `--checkpoint` is openai/clip-vit-base-patch32; on the mini preset, the
// mini CLIP the project pretrains into `--cache`. This chapter writes results/lit.json.

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

struct LiTOptions: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lit", abstract: "LiT: CLIP's image tower locked, its text tower tuned on the trained classes (beyond the paper).")

    @OptionGroup var options: ChapterOptions
}

let options = LiTOptions.parseChapterArguments(chapter: "lit").options
let run = ChapterRun(chapter: "lit", options: options.run)
run.main { try lockedImageTextTuning() }

func lockedImageTextTuning() throws -> LiTResults {
    let data = try options.experimentData()
    let checkpoint = try PretrainedModels.clip(options, run: run)
    let configuration = TrainingConfiguration.lit(preset: options.preset, quick: options.quick, seed: options.seed)
    let trainingPrompts = PromptTemplates.ensemble(for: options.preset)
    let promptSets = [PromptTemplates.food, trainingPrompts]

    // The locked image tower embeds every image once: training, validation, held out.
    run.say("embedding \(data.train.count) training images with the locked image tower")
    let lit = try LiT(checkpoint: checkpoint, data: data, configuration: configuration, trainingPrompts: trainingPrompts)
    let model = lit.clip.model.config.architectureName
    let validation = try lit.clip.embedImages(data.validation), heldOut = try lit.clip.embedImages(data.heldOut)
    run.say("\(model) from \(checkpoint.path); training captions from \(trainingPrompts.templates.count) templates (\(trainingPrompts.source))")
    run.say("training \(lit.trainableParameters) parameters (text tower, text projection, logit scale) on \(data.train.count) "
        + "image embeddings of \(data.train.classNames.count) classes: AdamW lr \(configuration.optimizer.learningRate), batch "
        + "\(configuration.batchSize), weight decay \(configuration.optimizer.weightDecay), \(configuration.epochs) epochs = "
        + "\(lit.trainer.totalSteps) steps")

    // Zero-shot CLIP on the same embeddings, then LiT.
    let before = lit.clip.zeroShotScores(validation, promptSets: promptSets), beforeHeldOut = lit.clip.zeroShotScores(heldOut, promptSets: promptSets)
    let started = Date()
    try lit.train()
    run.say(String(format: "trained in %.1f s", Date().timeIntervalSince(started)))
    let test = lit.clip.zeroShotScores(validation, promptSets: promptSets), extended = lit.clip.zeroShotScores(heldOut, promptSets: promptSets)

    func accuracy(_ score: ClassificationHits) -> Accuracy { score.bootstrappedTop1(seed: options.seed) }
    func accuracies(_ test: [ClassificationHits], _ extended: [ClassificationHits]) -> [PromptEnsembleAccuracy] {
        promptSets.indices.map {
            PromptEnsembleAccuracy(templates: promptSets[$0].templates, test: accuracy(test[$0]), extended: accuracy(extended[$0]),
                                   name: promptSets[$0].name)
        }
    }
    let tuned = accuracies(test, extended), untuned = accuracies(before, beforeHeldOut)
    for (index, prompts) in promptSets.enumerated() {
        run.say("prompts \"\(prompts.name)\": test \(untuned[index].test.percentWithInterval) before, \(tuned[index].test.percentWithInterval) after; "
            + "extended \(untuned[index].extended.percentWithInterval) before, \(tuned[index].extended.percentWithInterval) after")
    }
    for (className, accuracy) in extended[0].perClass {
        run.say("  held out \(className): \(percent(accuracy.value)) of \(accuracy.images)")
    }

    let curve = lit.lossCurve, epochs = lit.trainer.history.epochs
    return LiTResults(model: model, checkpointSource: checkpoint.recordedPath, dataset: data.source,
                      trainableParameters: lit.trainableParameters, hyperParameters: lit.hyperParameters,
                      trainingTemplates: trainingPrompts.templates, trainingTemplatesSource: trainingPrompts.source,
                      templates: PromptTemplates.food.templates, test: tuned[0].test, extended: tuned[0].extended,
                      promptEnsembles: Array(tuned.dropFirst()), beforeTuning: untuned, lossCurve: curve,
                      classes: ClassCounts(trained: data.train.classNames.count, heldOut: data.heldOut.classNames.count),
                      trainingTemplatesName: trainingPrompts.name, epochMeanLosses: epochs.map(\.meanLoss))
}

