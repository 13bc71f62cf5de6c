// # Beyond the paper: when does fine-tuning pay?
//
// The paper's conclusion rests on two quantities it never varies. Fine-tuning CLIP, it says
// (Section 2.2.3), pays only when the dataset is large, and it is costly because "the choice of
// hyperparameters significantly affect[s] the evaluation result" (Table 5's "High"). Yet it runs
// one dataset size (800 training images a class) and one learning rate. A reader who wants to
// apply the paper to a task of their own needs exactly those two curves; this chapter measures
// them.
//
// The size axis: the fine-tuned ViT with Table 1's settings (the vit chapter's fine-tuning) and
// fine-tuned CLIP by two clip-finetune recipes, `ft-clip` (the paper's, FT-CLIP) and
// `zero-shot-head` (the head read out from the class names' text embeddings, the Section 2.2.3
// cosine read-out), each on a ladder of training-set sizes per trained class. The paper preset's
// ladder is 10, 40, 160 and 800 images a class; the mini preset's is the part of that ladder its
// world affords, then the largest it affords, filled in to four sizes by geometric midpoints
// (`ScalingPlan.sizes`). Each size's images are drawn with the seed from each class's training
// images, a smaller size's among every larger one's; the test and held-out images
// never change. Every size keeps the fine-tuning's epochs and batch, so the steps grow with the
// data, as they would for a user with that much data.
//
// Each point is measured as the paper measures its models: test accuracy on the trained classes'
// test images, and for CLIP extended accuracy, zero-shot on the held-out classes through
// the fine-tuned image tower; each with a 95% bootstrap interval over the images. ViT has no
// extended accuracy: its head names only the trained classes. Zero-shot CLIP, which does not
// depend on the size, is measured beside them on the same images: the line fine-tuning has to
// cross.
//
// The learning-rate axis: ViT and ft-clip at 0.3, 1 and 3 times their published rate (1e-4 in
// both tables), on the full training set. The spread of test accuracy over that grid is the
// measured "hyper-parameter difficulty" behind Table 5.
//
// Data-parallel under `mpirun` like the other fine-tunings: every trainer here is the vit or
// clip-finetune chapter's, which slices each batch across the ranks. A finished point is kept
// under --cache, so a killed study resumes at its next point. The chapter writes
// results/scaling.json, for paper.md's section "Beyond the paper: when does fine-tuning pay?".

import ArgumentParser
import Common
import Foundation
import Results
import Training
import ChapterSupport
import Recipes

let arguments = ScalingOptions.parseChapterArguments(chapter: "scaling")
let options = arguments.options
let run = ChapterRun(chapter: "scaling", options: options.run)
run.main { try scaling() }

func scaling() throws -> ScalingResults {
    // ## The data, the pretrained models and zero-shot CLIP
    let data = try options.experimentData()
    let largest = data.trainingImagesPerClass
    run.say("\(data.source): \(data.train.count) training images (\(largest) or more a class), \(data.test.count) test and "
        + "\(data.heldOut.count) held-out images")
    let sizes = try arguments.sizes.map { try ScalingOptions.numbers($0, as: Int.self) }
        ?? ScalingPlan.sizes(largest: largest, count: options.quick ? 2 : 4)
    if let tooLarge = sizes.first(where: { $0 > largest }) {
        throw ChapterError("--sizes: \(tooLarge) images a class, but the smallest trained class has \(largest) training images")
    }
    let vitCheckpoint = switch options.preset {
    case .paper: try PretrainedModels.identified(URL(fileURLWithPath: arguments.vitCheckpoint!), PretrainedModels.vitName, .userSupplied, run: run)
    case .mini: try PretrainedModels.vit(options, run: run)
    }
    let clipCheckpoint = try PretrainedModels.clip(options, run: run)
    let zeroShot = try ScalingRuns.zeroShot(checkpoint: clipCheckpoint, data: data, seed: options.seed)
    run.say("zero-shot CLIP (\"\(zeroShot.template)\"): test \(zeroShot.test.percentWithInterval), extended \(zeroShot.extended.percentWithInterval)")

    // ## The plan: sizes, learning rates and the fine-tunings' settings
    //
    // The batch of each fine-tuning is the one its chapter uses on the full training set (on the
    // mini preset ViT's batch scales with the data as Table 1's analogue; see the vit chapter),
    // and stays fixed down the ladder.
    let factors = try ScalingOptions.numbers(arguments.learningRateFactors, as: Double.self)
    let recipes = try arguments.clipRecipes()
    let vitPlan = switch options.preset {
    case .paper: ViTFineTuningPlan.paper(schedule: .constant, seed: options.seed)
    case .mini: ViTFineTuningPlan.mini(trainingImages: data.train.count, quick: options.quick, schedule: .constant, seed: options.seed)
    }
    let clipConfiguration = CLIPFineTuningPlan.training(preset: options.preset, quick: options.quick, seed: options.seed, layerDecay: nil)
    let models = [ScalingModel(id: "vit", description: "ViT fine-tuned end to end with Table 1's settings, a fresh head",
                               checkpointSource: vitCheckpoint.recordedPath, learningRate: vitPlan.training.optimizer.learningRate,
                               batchSize: vitPlan.training.batchSize, epochs: vitPlan.training.epochs)]
        + recipes.map { recipe in
            ScalingModel(id: recipe.rawValue, description: recipe.description, checkpointSource: clipCheckpoint.recordedPath,
                         learningRate: clipConfiguration.optimizer.learningRate, batchSize: clipConfiguration.batchSize,
                         epochs: clipConfiguration.epochs)
        }
    run.say("sizes (training images a class): \(sizes.map(String.init).joined(separator: ", ")); learning rates: "
        + factors.map { String(format: "%gx", $0) }.joined(separator: ", ") + " the published one")
    for model in models {
        run.say("\(model.id): lr \(model.learningRate), batch \(model.batchSize), \(model.epochs) epochs at every size")
    }
    let runs = ScalingRuns(directory: options.cacheDirectory.appendingPathComponent("scaling-\(options.preset.rawValue)\(options.quick ? "-quick" : "")"),
                           seed: options.seed)

    // ## The size axis
    func fineTune(_ model: String, _ subset: ExperimentData, factor: Double) throws -> ScalingAccuracy {
        if model == "vit" {
            var plan = vitPlan
            plan.training.optimizer.learningRate *= factor
            return try runs.vit(pretrained: vitCheckpoint, data: subset, plan: plan) { run.say($0) }
        }
        var configuration = clipConfiguration
        configuration.optimizer.learningRate *= factor
        return try runs.clip(checkpoint: clipCheckpoint, recipe: CLIPFineTuningRecipe(rawValue: model)!, data: subset,
                             configuration: configuration) { run.say($0) }
    }
    var sizePoints: [ScalingSize] = []
    for size in sizes {
        let subset = data.drawingTraining(perClass: size, seed: options.seed)
        var measured: [String: ScalingAccuracy] = [:]
        for model in models {
            let point = try fineTune(model.id, subset, factor: 1)
            measured[model.id] = point
            run.say("\(size) a class (\(subset.train.count) images), \(model.id): \(point.steps) steps in "
                + String(format: "%.1f s", point.seconds) + ", test \(point.test.percentWithInterval)"
                + (point.extended.map { ", extended \($0.percentWithInterval)" } ?? ""))
        }
        sizePoints.append(ScalingSize(imagesPerClass: size, trainImages: subset.train.count, models: measured))
    }

    // ## The learning-rate axis
    //
    // ViT and the first CLIP recipe on the full training set (every class's images, where the
    // ladder stops at the smallest class's count); the published rate (1x) is the size axis's
    // largest point when that is the full set, and is not run twice.
    var ratePoints: [LearningRatePoint] = []
    let full = sizePoints.last.flatMap { $0.trainImages == data.train.count ? $0 : nil }
    for model in models.prefix(2) {
        for factor in factors {
            let point = try (factor == 1 ? full?.models[model.id] : nil) ?? fineTune(model.id, data, factor: factor)
            let rate = model.learningRate * factor
            run.say("\(model.id) at lr \(String(format: "%g", rate)) (\(String(format: "%g", factor))x): test \(point.test.percentWithInterval)"
                + (point.extended.map { ", extended \($0.percentWithInterval)" } ?? ""))
            ratePoints.append(LearningRatePoint(model: model.id, factor: factor, learningRate: rate, test: point.test, extended: point.extended))
        }
    }
    return ScalingResults(dataset: data.source, classes: ClassCounts(trained: data.train.classNames.count, heldOut: data.heldOut.classNames.count),
                          draw: ScalingPlan.drawDescription(seed: options.seed), defaultTrainImages: data.train.count, models: models,
                          sizes: sizePoints, learningRates: ratePoints, zeroShot: zeroShot)
}

// ## The command line

struct ScalingOptions: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scaling", abstract: "Fine-tuned ViT and CLIP against zero-shot CLIP over training-set sizes and learning rates.")

    @OptionGroup var options: ChapterOptions

    @Option(help: "The pretrained ViT checkpoint directory, for the paper preset (google/vit-base-patch16-224); --checkpoint is CLIP's.")
    var vitCheckpoint: String?

    @Option(help: "Comma-separated training images per class (default: the preset's ladder up to the largest the data affords).")
    var sizes: String?

    @Option(help: "Comma-separated multiples of the published learning rate, for the learning-rate axis.")
    var learningRateFactors = ScalingPlan.learningRateFactors.map { String(format: "%g", $0) }.joined(separator: ",")

    @Option(help: "The clip-finetune recipes on the size axis (the first is also on the learning-rate axis).")
    var recipes = "ft-clip,zero-shot-head"

    func validate() throws {
        if options.preset == .mini && vitCheckpoint != nil { throw ValidationError("--vit-checkpoint belongs to the paper preset; the mini preset pretrains its own ViT") }
        if options.preset == .paper && (vitCheckpoint == nil || options.checkpoint == nil) {
            throw ValidationError("the paper preset needs --vit-checkpoint DIR (google/vit-base-patch16-224) and --checkpoint DIR (openai/clip-vit-base-patch32)")
        }
        if let sizes, (try? Self.numbers(sizes, as: Int.self))?.allSatisfy({ $0 > 0 }) != true {
            throw ValidationError("--sizes must be positive whole numbers separated by commas, got \"\(sizes)\"")
        }
        guard (try? Self.numbers(learningRateFactors, as: Double.self))?.allSatisfy({ $0 > 0 }) == true else {
            throw ValidationError("--learning-rate-factors must be positive numbers separated by commas, got \"\(learningRateFactors)\"")
        }
        _ = try clipRecipes()
    }

    func clipRecipes() throws -> [CLIPFineTuningRecipe] {
        let recipes = try recipes.split(separator: ",", omittingEmptySubsequences: false).map { text in
            guard let recipe = CLIPFineTuningRecipe(rawValue: text.trimmingCharacters(in: .whitespaces)), recipe != .flyp else {
                throw ValidationError("--recipes: \"\(text)\" is not a clip-finetune recipe with a head (ft-clip, zero-shot-head, huggingface)")
            }
            return recipe
        }
        guard Set(recipes).count == recipes.count else { throw ValidationError("--recipes names a recipe twice") }
        return recipes
    }

    /// Distinct numbers of a comma-separated list, in increasing order; throws on anything else.
    static func numbers<Number: LosslessStringConvertible & Comparable & Hashable>(_ text: String, as: Number.Type) throws -> [Number] {
        let values = text.split(separator: ",", omittingEmptySubsequences: false).map { Number(String($0).trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.allSatisfy({ $0 != nil }), Set(values).count == values.count else { throw ValidationError("not a list") }
        return values.map { $0! }.sorted()
    }
}
