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
//   - the paper's whole fine-tuning (72,800 training images of its 0.8:0.2 split as this project
//     reads it, 91 classes x 800, where the dataset's own lists give 750; 10
//     epochs) projected onto its two RTX 4090s, onto this machine, and onto 1 to 16 machines like
//     this one training together over a stated network.
//
// The figures are for the paper's models, ViT-B/16 and CLIP ViT-B/32, whatever the preset:
// they are built from their published configurations with random weights, which cost exactly
// the arithmetic trained ones do, so nothing has to be downloaded. The mini preset measures its
// own small models too, beside them. The grades then follow from the projected training compute
// by a rule stated below, fixed before seeing what it gives.
//
// What the rule cannot see. It counts FLOPs; the paper's "High" for fine-tuned CLIP rests on
// something else, how hard its hyper-parameters are to get right (a learning rate that keeps
// ViT's accuracy can wreck CLIP's zero-shot ability). A tier that agrees with the paper's here
// agrees by compute, not by that reason. The learning-rate sensitivity behind it is measured in
// the section "Beyond the paper: when does fine-tuning pay?".

import ArgumentParser
import Checkpoints
import Datasets
import Common
import Results
import Training
import Foundation
import ChapterSupport
import Recipes
import TensorCore

let arguments = CostArguments.parseChapterArguments(chapter: "cost")
// The chapter starts itself as the two ranks that time the all-reduce (see "On many machines");
// such a rank times it, hands the figure back and ends here.
if arguments.allreduceRank { AllreduceMeasurement.serveAsRank(quick: arguments.run.quick) }
let options = arguments.run
let run = ChapterRun(chapter: "cost", options: options)
run.main { try measureCost() }

func measureCost() throws -> CostResults {
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
    // embeddings, and fine-tuned as the clip-finetune chapter's default recipe does it (ft-clip,
    // the paper's FT-CLIP: the image encoder, a LayerNorm and a fresh 91-way head on the mean
    // patch token; the text tower frozen).
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
    var costs = CostStudy.costs(paperSize: paperSize, miniSize: miniSize, miniNames: miniNames, chapterRuns: runs)
    // Tokens per image (patches plus the class token), which set the FLOPs apart.
    let vitSide = paper.vit.imageSize / paper.vit.patchSize, clipSide = paper.clip.visionConfig.imageSize / paper.clip.visionConfig.patchSize
    for index in costs.indices {
        costs[index].tokensPerImage = costs[index].approach == .vit ? vitSide * vitSide + 1 : clipSide * clipSide + 1
    }
    for cost in costs {
        let p = cost.projection
        let chapter = cost.chapterWallSeconds.map { String(format: "; its chapter ran %.0f s here", $0) } ?? ""
        run.say(String(format: "%@: %@; training %.3g FLOPs -> %.2f h on %@, %.0f h here%@", cost.name, cost.tier.rawValue,
                       p.trainingFlops, p.trainingSecondsOnHardware / 3600, p.hardware, p.trainingSecondsHere / 3600, chapter))
    }

    // ## On many machines
    //
    // A lab without GPUs has several CPU servers, and the fine-tunings run data-parallel over Open
    // MPI: each of N machines takes a slice of every global batch, and after the backward pass the
    // gradient is summed across them with MPI_Allreduce, in the trainer's 16 MiB buckets, before
    // every machine takes the same AdamW step. A step then costs the compute measured here divided
    // by N, plus a ring all-reduce that moves 2 (N - 1) / N times the gradient's bytes (4 per
    // trained parameter) through each machine's link. The link is an assumption, stated and
    // printed: 10 Gbit/s unless --network-gbits says otherwise.
    //
    // What this machine can show is the all-reduce itself: the chapter starts itself twice under
    // `mpirun -np 2`, and the two ranks sum ViT-B/16's gradient with the trainer's own call, once
    // to warm up and check the sum, then ten times under the clock (three, of one encoder layer's
    // gradient, with --quick). Two ranks on one machine talk through shared memory, so this
    // bounds from above what any network gives; it is printed beside the assumption, not used
    // in its place. Without mpirun, or when it fails, the chapter says why and records no figure.
    let gradient = options.quick ? "one encoder layer of ViT-B/16's gradient (--quick)" : "ViT-B/16's gradient"
    run.say("timing the all-reduce of \(gradient) between 2 local ranks (mpirun -np 2)")
    let local = AllreduceMeasurement.launch(rankArguments: ["--allreduce-rank"] + (options.quick ? ["--quick"] : []))
    switch local {
    case .success(let figure):
        run.say(String(format: "all-reduce here: %@ (%.0f MB, %d buckets) in %.3f s, %.2f GB/s (bus bandwidth %.2f GB/s between %d ranks, "
                       + "shared memory: an upper bound, not the network)", figure.gradient, Double(figure.bytes) / 1e6, figure.buckets,
                       figure.secondsPerAllreduce, figure.algorithmBytesPerSecond / 1e9, figure.busBytesPerSecond / 1e9, figure.ranks))
    case .failure(let failure):
        run.say("all-reduce not measured: \(failure.reason)")
    }
    let scaleOut = ScaleOutProjection.scaleOut(costs, machineCores: Machine.current.cores,
                                               networkBytesPerSecond: arguments.networkGbits * 1e9 / 8, localAllreduce: local)
    run.say(scaleOut.assumptions)
    for approach in scaleOut.approaches {
        let times = approach.machines.map { String(format: "%d: %.1f h", $0.machines, $0.wallSeconds / 3600) }.joined(separator: ", ")
        run.say(String(format: "%@ (%d steps of %d images, %.0f MB of gradient, %.1f s of compute each here) on N machines: %@",
                       approach.name, approach.steps, approach.globalBatch, Double(approach.gradientBytes) / 1e6,
                       approach.computeSecondsPerStep, times))
    }


    // ## The scaling chapter's study
    //
    // Beyond the paper, the scaling chapter fine-tunes ViT and two CLIP recipes at 10, 40, 160
    // and 800 images a class, and ViT and ft-clip at two more learning rates: projected here
    // the same way, from the images it trains.
    let scalingStudy = ScalingCostProjection.project(costs)
    for part in scalingStudy?.fineTunings ?? [] {
        run.say(String(format: "scaling study, %@: %d images trained, %.3g FLOPs -> %.2f h on %@, %.0f h here", part.approach.rawValue,
                       part.trainedImages, part.trainingFlops, part.trainingSecondsOnHardware / 3600, PaperProjection.hardware,
                       part.trainingSecondsHere / 3600))
    }
    return CostResults(approaches: costs, tierRule: CostTiers.rule, method: method, scaleOut: scaleOut, scalingStudy: scalingStudy)
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

// ## The command line
//
// The cost chapter reads no images, so it takes neither --food101 nor --checkpoint; with --quick it
// times one image once (the numbers mean nothing). Chapter runs are read from results files of the
// same preset. --network-gbits sets the network the scale-out projection assumes; the hidden
// --allreduce-rank is how the chapter starts its own ranks.

struct CostArguments: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cost", abstract: "Counts, measures and projects the deployment cost of the three approaches (Table 5); writes results/cost.json.")

    @OptionGroup var run: RunOptions

    @Option(help: "The network bandwidth between machines that the scale-out projection assumes, in Gbit/s.")
    var networkGbits = ScaleOutProjection.defaultNetworkGigabitsPerSecond

    @Flag(help: .hidden)
    var allreduceRank = false

    func validate() throws {
        guard networkGbits > 0, networkGbits.isFinite else { throw ValidationError("--network-gbits must be a positive number, not \(networkGbits)") }
    }
}
