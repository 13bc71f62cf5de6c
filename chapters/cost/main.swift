// # Deployment cost: Table 5
//
// Fei (EMITI 2024), Section 3.3. The paper grades the cost of deploying each approach as Low
// (zero-shot CLIP), Medium (fine-tuned ViT) or High (fine-tuned CLIP), a judgement it gives
// without measurements; it trained on two RTX 4090s. This chapter puts figures behind the
// grades, for each approach:
//
//   - the parameters it trains (none for zero-shot CLIP: it only reads class names);
//   - the floating-point operations to classify an image, counted from the model's
//     configuration, and to train on one, about three times as many;
//   - the images per second this machine classifies and trains on, measured;
//   - the wall time and peak memory of the chapter that produced its accuracy here;
//   - the paper's whole fine-tuning (75,750 images, 10 epochs) projected onto its two RTX 4090s
//     and onto this machine.
//
// The figures are for the paper's models, ViT-B/16 and CLIP ViT-B/32, whatever the preset:
// they are built from their published configurations with random weights, which cost exactly
// the arithmetic trained ones do, so nothing has to be downloaded. The mini preset measures its
// own small models too, beside them. The grades then follow from the projected training compute
// by a rule stated below, fixed before seeing what it gives.

import ArgumentParser
import Checkpoints
import Datasets
import Common
import Results
import Training
import Foundation
import Recipes
import TensorCore

let options = CostArguments.parseChapterArguments(chapter: "cost")
let run = ChapterRun(chapter: "cost", preset: options.preset, seed: options.seed)
do {
    try measureCost()
} catch {
    run.fail(error)
}

func measureCost() throws {
    // ## How fast, and how to count
    //
    // Throughput is measured after one warm-up pass, on batches of 4 for the paper's models (a
    // training pass of ViT-B/16 over 4 images is 420 GFLOPs, seconds here) and of 32 for the
    // mini ones, whose small matrices would leave the cores idle at 4. `--quick` times a single
    // image once, enough to check the chapter runs and useless as a measurement.
    let plan = options.quick ? ThroughputPlan(batchSize: 1, iterations: 1, warmUp: false)
                             : ThroughputPlan(batchSize: 4, iterations: 2, warmUp: true)
    let miniPlan = options.quick ? plan : ThroughputPlan(batchSize: 32, iterations: 3, warmUp: true)
    let method = "FLOPs: matrix products only, 2 per multiply-add, training = 3 x forward; throughput on OpenBLAS \(BLAS.coreName) "
        + "kernels with \(ProcessInfo.processInfo.activeProcessorCount) cores, random weights, \(plan.description) (paper's models)"
        + (options.preset == .mini ? ", \(miniPlan.description) (mini models)." : ".")
    run.say(method)

    // ## The paper's models
    //
    // ViT-B/16 with a 91-way head, every parameter trained; CLIP ViT-B/32 scoring 91 class
    // embeddings, and fine-tuned as the clip-finetune chapter does it (FT-CLIP: the image tower,
    // its projection and a 91-way head initialised from the class embeddings; the text tower
    // frozen).
    let paper = CostStudy.paperConfigurations(classes: 91)
    run.say("measuring ViT-B/16 and CLIP ViT-B/32 at 224 pixels")
    let paperSize = try CostStudy.figures(vit: paper.vit, clip: paper.clip, names: (vit: "ViT-B/16", clip: "CLIP ViT-B/32"),
                                          plan: plan, seed: options.seed)
    for figures in paperSize { report(figures) }

    // ## The mini models
    let (miniSize, miniNames) = try options.preset == .mini ? measureMiniModels(plan: miniPlan) : (nil, [:])

    // ## Chapter runs, projection and grades
    //
    // The projection to the paper's hardware divides the training FLOPs by what two RTX 4090s
    // sustain: 82.6 TFLOPS each at FP32 (16,384 CUDA cores x 2 x 2.52 GHz, NVIDIA's figure;
    // PyTorch leaves TF32 off for matrix products by default and the paper names no other
    // precision), of which training is assumed to keep 40% busy. The projection to this machine
    // divides the images by the training throughput measured here.
    //
    // The grade rule: an approach that trains nothing is Low; the others are Medium, or High
    // when their training needs more than twice the FLOPs of the cheapest approach that trains.
    // Training is what separates the approaches; one forward pass per image to serve each of
    // them differs by at most a factor of four, and a grade should not hinge on tens of percent.
    let runs = try CostStudy.chapterRuns(in: options.resultsDirectory, preset: options.preset)
    let costs = CostStudy.costs(paperSize: paperSize, miniSize: miniSize, miniNames: miniNames, chapterRuns: runs)
    for cost in costs {
        let p = cost.projection
        let chapter = cost.chapterWallSeconds.map { String(format: "; its chapter ran %.0f s here", $0) } ?? ""
        run.say(String(format: "%@: %@; training %.3g FLOPs -> %.2f h on %@, %.0f h here%@", cost.name, cost.tier.rawValue,
                       p.trainingFlops, p.trainingSecondsOnHardware / 3600, p.hardware, p.trainingSecondsHere / 3600, chapter))
    }

    let summary = summarise(costs)
    run.say(summary)
    let results = CostResults(summary: summary, approaches: costs, tierRule: CostTiers.rule, method: method)
    run.say("wrote \(try run.write(results, to: options.resultsDirectory).path)")
}

/// The mini preset's own models, measured the same way, with names that give their sizes.
func measureMiniModels(plan: ThroughputPlan) throws -> ([ApproachFigures], [Approach: String]) {
    let vitDirectory = try MiniModels.vit(cache: options.cacheDirectory, seed: options.seed, quick: options.quick, say: { run.say($0) })
    let clipDirectory = try MiniModels.clip(cache: options.cacheDirectory, seed: options.seed, quick: options.quick, say: { run.say($0) })
    var vit = try Checkpoint(directory: vitDirectory).config(ViTConfig.self)
    let trained = MiniFoodWorld.standard.trained.map(\.name)
    vit.labels = trained
    let clip = try Checkpoint(directory: clipDirectory).config(CLIPConfig.self)
    let vision = clip.visionConfig
    let vitName = "mini ViT (width \(vit.hiddenSize), \(vit.numHiddenLayers) layers, patch \(vit.patchSize), \(vit.imageSize) px)"
    let clipName = "mini CLIP (image tower width \(vision.hiddenSize), \(vision.numHiddenLayers) layers, patch \(vision.patchSize), \(vision.imageSize) px)"
    run.say("measuring the \(vitName) and the \(clipName)")
    let figures = try CostStudy.figures(vit: vit, clip: clip, names: (vit: "mini ViT", clip: "mini CLIP"), plan: plan, seed: options.seed)
    for figure in figures { report(figure) }
    return (figures, [.vit: vitName, .clipZeroShot: clipName, .clipFineTune: clipName])
}

func report(_ figures: ApproachFigures) {
    let training = figures.throughput.trainingImagesPerSecond.map { String(format: ", trains %.2f images/s", $0) } ?? ""
    run.say(String(format: "%@: %d trainable parameters, %.3g FLOPs per image; classifies %.2f images/s%@", figures.name,
                   figures.trainableParameters, figures.forwardFLOPs, figures.throughput.inferenceImagesPerSecond, training))
}

/// The chapter's numbers in a few sentences, for paper.md.
func summarise(_ costs: [ApproachCost]) -> String {
    func cost(_ approach: Approach) -> ApproachCost { costs.first { $0.approach == approach }! }
    let vit = cost(.vit), zeroShot = cost(.clipZeroShot), fineTune = cost(.clipFineTune)
    func hours(_ seconds: Double) -> String { String(format: seconds < 36_000 ? "%.1f h" : "%.0f h", seconds / 3600) }
    let paper = CostStudy.paperConfigurations(classes: 91)
    let vitTokens = (paper.vit.imageSize / paper.vit.patchSize) * (paper.vit.imageSize / paper.vit.patchSize) + 1
    let clipSide = paper.clip.visionConfig.imageSize / paper.clip.visionConfig.patchSize
    var text = String(format: "Counted from their configurations, fine-tuning ViT-B/16 costs %.0f GFLOPs per image and fine-tuning "
                      + "CLIP ViT-B/32 %.0f (%.1fx less: %d tokens per image instead of %d), while zero-shot CLIP trains nothing; "
                      + "serving an image costs %.1f and %.1f GFLOPs. ",
                      vit.trainingFlopsPerImage! / 1e9, fineTune.trainingFlopsPerImage! / 1e9,
                      vit.trainingFlopsPerImage! / fineTune.trainingFlopsPerImage!, clipSide * clipSide + 1, vitTokens,
                      vit.flopsPerImage / 1e9, zeroShot.flopsPerImage / 1e9)
    text += "Projected onto the paper's \(vit.projection.trainingImages.formatted()) images x \(vit.projection.epochs) epochs on \(vit.projection.hardware) "
    text += "(\(Int(100 * PaperProjection.sustainedFraction))% of peak FP32 assumed), fine-tuning takes \(hours(vit.projection.trainingSecondsOnHardware)) for ViT and "
    text += "\(hours(fineTune.projection.trainingSecondsOnHardware)) for CLIP; at the rates measured on this machine "
    text += "[\(options.preset.rawValue) preset run], \(hours(vit.projection.trainingSecondsHere)) and \(hours(fineTune.projection.trainingSecondsHere)). "
    text += "By the rule stated, zero-shot CLIP is \(zeroShot.tier.rawValue), fine-tuned ViT \(vit.tier.rawValue) and fine-tuned CLIP \(fineTune.tier.rawValue)."
    if let mini = vit.atMiniSize?.trainingImagesPerSecond, let miniCLIP = fineTune.atMiniSize?.trainingImagesPerSecond {
        text += String(format: " The mini models train at %.0f (ViT) and %.0f (CLIP) images/s here.", mini, miniCLIP)
    }
    return text
}

// ## The command line
//
// The cost chapter reads no images, so it takes neither --food101 nor --checkpoint.

struct CostArguments: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cost", abstract: "Counts, measures and projects the deployment cost of the three approaches (Table 5); writes results/cost.json.")

    @Option(help: "mini: also measure the mini models; paper: the paper's models only. Chapter runs are read from results files of the same preset.")
    var preset: Preset = .mini

    @Option(help: "Where cost.json goes, and where the other chapters' results files are read from.")
    var results = "results"

    @Option(help: "Where the mini preset keeps the models it pretrains.")
    var cache = "cache"

    @Option(help: "Seeds the random weights and inputs.")
    var seed: UInt64 = 0

    @Flag(help: "Time one image once (the tests use this): the numbers mean nothing.")
    var quick = false

    var resultsDirectory: URL { URL(fileURLWithPath: results) }
    var cacheDirectory: URL { URL(fileURLWithPath: cache) }
}
