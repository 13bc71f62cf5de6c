// # Beyond the paper: LiT, tuning a text tower to a locked image tower
//
// Fei (EMITI 2024) finds that fine-tuning CLIP on the 91 trained classes costs it nearly all of
// its zero-shot ability: extended accuracy on the 10 held-out classes falls from 79.82% to
// 17.68% (Table 4). And the fine-tuned ViT, the most accurate model on the trained classes, has
// no extended accuracy at all: its head has no output for a class it never saw.
//
// LiT, locked-image text tuning (Zhai et al., CVPR 2022), turns this around. An image tower is
// locked: its weights never change. What learns is a text tower (with its projection and a
// temperature), taught with CLIP's symmetric contrastive loss to point captions at their
// images' fixed embeddings; any class can then be named by a prompt, as with CLIP. The chapter
// runs it with three locked image towers, each its own entry (`--image-tower`):
//
// - `clip`: CLIP's own image tower. It was already trained to match text, so this asks a
//   narrower question: if the paper's loss came from the image tower drifting out of the text
//   tower's space, a model tuned this way cannot suffer it; how much do the trained classes
//   gain, and does tuning the text tower on 91 names disturb how it writes the 10 others?
// - `vit-pretrained` and `vit-fine-tuned` (`--image-tower vit` runs both): LiT as its authors
//   meant it, "strong image representations from pre-training plus flexible zero-shot
//   transfer". The image tower is a ViT pretrained as a classifier: google/vit-base-patch16-224
//   on the paper preset (`--vit-checkpoint`), the mini ViT on the mini one; or the ViT the
//   `vit` chapter fine-tuned on the 91 classes (the directory results/vit.json records, or
//   `--vit-fine-tuned`). As in Google's reference (big_vision), the whole ViT is locked and read
//   at its pre-logits, with no image-side head; the text tower is CLIP's (from the preset's CLIP
//   checkpoint, or from random weights with `--text-init scratch`) with a fresh projection to
//   the ViT's width and a temperature learned from 10. The question: does a locked ViT with a
//   learned text tower keep ViT's test accuracy and gain a usable extended accuracy?
//
// The training pairs. For the CLIP tower, the 91 classes' training images, each captioned with
// its class name in a template drawn, seeded, from the preset's prompt ensemble (OpenAI's 80
// ImageNet templates on the paper preset; MiniFood's dish-only caption templates on the mini
// one). For the ViTs on the mini preset, the mini CLIP's own pretraining corpus: 50,000 image-
// caption pairs of all MiniFood's compositions, the downstream dishes under their (noisy)
// names among them, in images of their own, the analogue of LiT's web pairs. The paper preset has no such corpus here, so its ViTs train
// on the CLIP tower's pairs: the 91 classes' training images captioned from the templates. That
// is the weaker setting: the text tower only ever sees 91 names, so what it learns about the 10
// held-out ones comes from its CLIP initialisation alone. Because the image tower is locked,
// every training image is embedded once, before training; each step then runs only the text
// tower. `TrainingConfiguration.lit` and `.litLockedViT` give the settings and their sources.
//
// Evaluation is the `clip` chapter's: test accuracy on the 91 classes' test images among
// the 91 names, extended accuracy on the 10 held-out classes' images among the 10 names, with
// "a photo of {}, a type of food." and with the preset's prompt ensemble. For the CLIP tower the
// same images are scored before tuning too, so the chapter shows zero-shot CLIP beside LiT on
// identical embeddings. Every accuracy carries a 95% bootstrap interval over the images.
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

let arguments = LiTOptions.parseChapterArguments(chapter: "lit")
let options = arguments.options
let run = ChapterRun(chapter: "lit", options: options.run)
/// The single template, then the preset's ensemble (the CLIP tower's training phrasings).
let promptSets = [PromptTemplates.food, PromptTemplates.ensemble(for: options.preset)]
run.main { try lockedImageTextTuning() }

func lockedImageTextTuning() throws -> LiTResults {
    let data = try options.experimentData()
    // Every tower is found before any work, so a missing fine-tuned ViT fails at once.
    let fineTunedViT = arguments.towers.contains(.vitFineTuned) ? try fineTunedViTDirectory() : nil
    let clipCheckpoint = try PretrainedModels.clip(options, run: run)
    var variants: [LiTVariantResults] = []
    for tower in arguments.towers {
        let started = Date()
        switch tower {
        case .clip: variants.append(try clipTower(data, checkpoint: clipCheckpoint))
        case .vitPretrained: variants.append(try vitTower(.vitPretrained, checkpoint: try pretrainedViT(), data: data, clip: clipCheckpoint))
        case .vitFineTuned: variants.append(try vitTower(.vitFineTuned, checkpoint: fineTunedViT!, data: data, clip: clipCheckpoint))
        }
        run.say(String(format: "%@: done in %.1f s", tower.rawValue, Date().timeIntervalSince(started)))
    }
    return LiTResults(dataset: data.source, classes: ClassCounts(trained: data.train.classNames.count, heldOut: data.heldOut.classNames.count),
                      variants: variants)
}

// ## CLIP's image tower, locked

func clipTower(_ data: ExperimentData, checkpoint: URL) throws -> LiTVariantResults {
    let configuration = TrainingConfiguration.lit(preset: options.preset, quick: options.quick, seed: options.seed)
    let trainingPrompts = PromptTemplates.ensemble(for: options.preset)
    // The locked image tower embeds every image once: training, test, held out.
    run.say("clip: embedding \(data.train.count) training images with CLIP's locked image tower")
    let lit = try LiT(checkpoint: checkpoint, data: data, configuration: configuration, trainingPrompts: trainingPrompts)
    let model = lit.clip.model.config.architectureName
    let testImages = try lit.clip.embedImages(data.test), heldOut = try lit.clip.embedImages(data.heldOut)
    run.say("clip: \(model) from \(checkpoint.path); training captions from \(trainingPrompts.templates.count) templates (\(trainingPrompts.source))")
    // Zero-shot CLIP on the same embeddings, then LiT.
    let before = accuracies(lit.clip.zeroShotScores(testImages, promptSets: promptSets), lit.clip.zeroShotScores(heldOut, promptSets: promptSets))
    let pairs = "the \(data.train.classNames.count) trained classes' \(data.train.count) training images, each captioned with its class name "
        + "in a template drawn from \(trainingPrompts.templates.count) (\(trainingPrompts.name): \(trainingPrompts.source))"
    return try train(lit, .clip, model: model, imageCheckpoint: checkpoint.recordedPath, textCheckpoint: checkpoint.recordedPath,
                     pairs: pairs, testImages: testImages, heldOut: heldOut, before: before)
}

// ## A ViT, locked, read at its pre-logits
//
// The mini preset's ViTs learn from the mini CLIP's pretraining pairs; the paper preset's from
// the 91 classes' captioned training images (the weaker setting, see above).

func vitTower(_ tower: LiTImageTower, checkpoint: URL, data: ExperimentData, clip: URL) throws -> LiTVariantResults {
    let vit = try LockedViT(checkpoint: checkpoint)
    let model = options.preset == .paper ? "ViT-B/16" : "mini ViT"
    let (pairs, described) = trainingPairs(data)
    run.say("\(tower.rawValue): \(tower == .vitFineTuned ? "fine-tuned " : "")\(model) from \(checkpoint.path), locked; "
        + "embedding \(pairs.images.count) training pairs' images at its \(vit.width)-wide pre-logits")
    let configuration = TrainingConfiguration.litLockedViT(preset: options.preset, quick: options.quick, seed: options.seed)
    let lit = try LiT.lockedViT(vit, clipCheckpoint: clip, textInitialisation: arguments.textInit, pairs: pairs, configuration: configuration)
    run.say("\(tower.rawValue): training pairs: \(described)")
    let testImages = try vit.embedImages(data.test), heldOut = try vit.embedImages(data.heldOut)
    return try train(lit, tower, model: model, imageCheckpoint: checkpoint.recordedPath,
                     textCheckpoint: arguments.textInit == .clip ? clip.recordedPath : nil, pairs: described,
                     testImages: testImages, heldOut: heldOut, before: nil)
}

/// The ViTs' training pairs, and the words the results give them.
func trainingPairs(_ data: ExperimentData) -> (LiTPairs, String) {
    switch options.preset {
    case .mini:
        let corpus = MiniModels.clipPretrainingPairs(seed: options.seed, quick: options.quick)
        let captions = (0..<corpus.count).map(corpus.caption(at:))
        let source = "the mini CLIP's pretraining captions"
        return (LiTPairs(images: corpus, captions: .own(captions, source: source)),
                "\(source): \(corpus.count) image-caption pairs of all MiniFood's \(corpus.classes.count) compositions "
                    + "(seed \(options.seed)), the downstream dishes among them under their names, in images of their own")
    case .paper:
        let prompts = PromptTemplates.ensemble(for: .paper)
        return (LiTPairs(images: data.train, captions: .classNames(prompts)),
                "the \(data.train.classNames.count) trained classes' \(data.train.count) training images, each captioned with its class "
                    + "name in a template drawn from \(prompts.templates.count) (\(prompts.name)); a weaker setting than LiT's web pairs: "
                    + "the text tower sees only the trained classes' names")
    }
}

/// The paper preset's --vit-checkpoint, or the mini ViT.
func pretrainedViT() throws -> URL {
    switch options.preset {
    case .paper: URL(fileURLWithPath: arguments.vitCheckpoint!)
    case .mini: try MiniModels.vit(cache: options.cacheDirectory, seed: options.seed, quick: options.quick) { run.say($0) }
    }
}

/// --vit-fine-tuned, or the directory results/vit.json records for this preset.
func fineTunedViTDirectory() throws -> URL {
    let recorded = try ChapterResultsFile<ViTResults>.load(from: options.resultsDirectory)
    if let recorded, arguments.vitFineTuned == nil, recorded.preset != options.preset || (recorded.quick ?? false) != options.quick {
        throw ChapterError("vit.json was written by the \(recorded.preset.rawValue) preset\(recorded.quick == true ? " (quick)" : ""): run vit with "
            + "this run's --preset and --quick first, or pass --vit-fine-tuned DIR")
    }
    guard let path = arguments.vitFineTuned ?? recorded?.results.fineTunedCheckpoint else {
        throw ChapterError("no fine-tuned ViT in \(options.resultsDirectory.appendingPathComponent("vit.json").path): run vit first "
            + "(same --preset, --results and --cache), pass --vit-fine-tuned DIR, or leave it out with --image-tower clip --image-tower vit-pretrained")
    }
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
        throw ChapterError("the fine-tuned ViT \(path) is not a directory: run vit first, or pass --vit-fine-tuned DIR")
    }
    return URL(fileURLWithPath: path)
}

// ## Training and evaluation, the same for every tower

func accuracies(_ test: [ClassificationHits], _ extended: [ClassificationHits]) -> [PromptEnsembleAccuracy] {
    promptSets.indices.map {
        PromptEnsembleAccuracy(templates: promptSets[$0].templates, test: test[$0].bootstrappedTop1(seed: options.seed),
                               extended: extended[$0].bootstrappedTop1(seed: options.seed), name: promptSets[$0].name)
    }
}

func train(_ lit: LiT, _ tower: LiTImageTower, model: String, imageCheckpoint: String, textCheckpoint: String?, pairs: String,
           testImages: EmbeddedImages, heldOut: EmbeddedImages, before: [PromptEnsembleAccuracy]?) throws -> LiTVariantResults {
    let configuration = lit.trainer.configuration
    run.say("\(tower.rawValue): training \(lit.trainableParameters) parameters on \(lit.pairs.images.count) pairs: AdamW lr "
        + "\(configuration.optimizer.learningRate), batch \(configuration.batchSize), weight decay \(configuration.optimizer.weightDecay), "
        + "\(configuration.epochs) epochs = \(lit.trainer.totalSteps) steps")
    let started = Date()
    try lit.train()
    run.say(String(format: "%@: trained in %.1f s", tower.rawValue, Date().timeIntervalSince(started)))
    let test = lit.clip.zeroShotScores(testImages, promptSets: promptSets), extended = lit.clip.zeroShotScores(heldOut, promptSets: promptSets)
    let tuned = accuracies(test, extended)
    for (index, prompts) in promptSets.enumerated() {
        let was = before.map { " (\($0[index].test.percentWithInterval) and \($0[index].extended.percentWithInterval) before tuning)" } ?? ""
        run.say("\(tower.rawValue), prompts \"\(prompts.name)\": test \(tuned[index].test.percentWithInterval), "
            + "extended \(tuned[index].extended.percentWithInterval)\(was)")
    }
    for (className, accuracy) in extended[0].perClass {
        run.say("  \(tower.rawValue), held out \(className): \(percent(accuracy.value)) of \(accuracy.images)")
    }
    return LiTVariantResults(imageTower: tower, model: model, imageCheckpoint: imageCheckpoint, textCheckpoint: textCheckpoint,
                             trainingPairs: pairs, trainingPairCount: lit.pairs.images.count, trainableParameters: lit.trainableParameters,
                             hyperParameters: lit.hyperParameters, templates: PromptTemplates.food.templates, test: tuned[0].test,
                             extended: tuned[0].extended, promptEnsembles: Array(tuned.dropFirst()), beforeTuning: before,
                             lossCurve: lit.lossCurve, epochMeanLosses: lit.trainer.history.epochs.map(\.meanLoss))
}

// ## The command line

/// `--image-tower`: one tower, or `vit` for both ViTs.
enum ImageTowerChoice: String, ExpressibleByArgument, CaseIterable {
    case clip, vit
    case vitPretrained = "vit-pretrained"
    case vitFineTuned = "vit-fine-tuned"

    var towers: [LiTImageTower] {
        switch self {
        case .clip: [.clip]
        case .vit: [.vitPretrained, .vitFineTuned]
        case .vitPretrained: [.vitPretrained]
        case .vitFineTuned: [.vitFineTuned]
        }
    }
}

extension LiTTextInitialisation: ExpressibleByArgument {}

struct LiTOptions: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lit", abstract: "LiT: an image tower locked (CLIP's, or a pretrained or fine-tuned ViT), a text tower tuned to it (beyond the paper).")

    @OptionGroup var options: ChapterOptions

    @Option(help: "clip, vit (both ViTs), vit-pretrained or vit-fine-tuned; repeat for several (default: clip and both ViTs).")
    var imageTower: [ImageTowerChoice] = [.clip, .vit]

    @Option(help: "The pretrained ViT checkpoint directory, for the paper preset (google/vit-base-patch16-224).")
    var vitCheckpoint: String?

    @Option(help: "The fine-tuned ViT directory the vit chapter saved (default: the one <results>/vit.json names).")
    var vitFineTuned: String?

    @Option(help: "Where the ViTs' text tower starts: clip (the preset's CLIP text tower, default) or scratch (random weights).")
    var textInit: LiTTextInitialisation = .clip

    var towers: [LiTImageTower] { LiTImageTower.allCases.filter { tower in imageTower.contains { $0.towers.contains(tower) } } }

    func validate() throws {
        if options.preset == .mini && vitCheckpoint != nil { throw ValidationError("--vit-checkpoint belongs to the paper preset; the mini preset pretrains its own ViT") }
        if options.preset == .paper && vitCheckpoint == nil && towers.contains(.vitPretrained) {
            throw ValidationError("the paper preset's vit-pretrained tower needs --vit-checkpoint DIR (google/vit-base-patch16-224)")
        }
    }
}
