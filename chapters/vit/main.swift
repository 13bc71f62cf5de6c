// # Fine-tuning ViT-B/16: Table 1, Table 3 and Figure 4
//
// Fei (EMITI 2024), Section 2.3. The first approach is the classic one. A Vision Transformer
// pretrained on a large labelled corpus (ViT-B/16: 12 layers of width 768 over 16 x 16 pixel
// patches of a 224 x 224 image, 86 million parameters) loses its ImageNet head; a fresh
// linear head with one output per trained class takes its place, and every parameter is
// fine-tuned on the 91 trained classes of Food-101 with cross-entropy. Table 1 gives the
// optimiser: AdamW with learning rate 1e-4, batch 256, weight decay 0.05, betas (0.9, 0.99),
// epsilon 1e-6, for 10 epochs.
//
// Table 1 names no learning-rate schedule, no warm-up, no augmentation, no label smoothing and
// no gradient clipping, so this chapter uses none of them: a constant rate, on the images as
// the checkpoint's processor prepares them (resized to 224 x 224, scaled to [-1, 1]).
// `--schedule cosine` tries the usual alternative, half a cosine down to zero after
// `--warmup-steps`. (Hugging Face's Trainer, had the paper used its defaults, would have decayed
// the rate linearly and clipped gradients at norm 1; nothing in the paper says so.) Batches of
// 256 do not fit a CPU's caches, so each is accumulated from micro-batches of 32: the gradient
// is the same, up to rounding.
//
// Table 3's test accuracy for ViT (91.87%) is measured on the 20% of the 91 classes' photos
// held back from training, the test split the data chapter splits off: this chapter classifies it after
// every epoch, top-1 and top-5, and reports the last epoch's numbers as `test`, with 95%
// bootstrap intervals. Table 4 leaves ViT without an
// extended accuracy, rightly: its head has an output for each of the 91 trained classes and
// none for the ten held-out dishes, so it cannot even express a guess about them. Nothing is
// computed for them here either.
//
// The paper preset fine-tunes the checkpoint given as `--checkpoint` (a Hugging Face directory
// such as google/vit-base-patch16-224; the paper names only ViT-B/16, so that checkpoint is the
// project's reading). The mini preset fine-tunes the mini ViT that the
// project pretrains itself on MiniFood's labelled pretraining corpus, 283 dish compositions
// none of which is a downstream class: ImageNet-21k's role, at 32 x 32 pixels.
//
// This chapter writes results/vit.json, with the per-step loss curve that Figure 4 plots, and
// leaves the fine-tuned model as a Hugging Face checkpoint that `vitclip classify` reads.

import ArgumentParser
import Common
import Results
import Training
import Foundation
import ChapterSupport
import Recipes

let arguments = ViTArguments.parseChapterArguments(chapter: "vit")
let options = arguments.options
let run = ChapterRun(chapter: "vit", options: options.run)
run.perform { try fineTuneViT() }

func fineTuneViT() throws {
    // ## The data and the pretrained model
    let data = try options.experimentData()
    run.say("\(data.source): \(data.train.count) training and \(data.test.count) test images of \(data.train.classNames.count) classes")
    let pretrained = try PretrainedModels.vit(options, run: run)
    let modelName = options.preset == .paper ? "ViT-B/16" : "mini ViT"

    // ## Table 1, or its mini analogue
    //
    // The mini preset keeps Table 1 but for the batch, which shrinks with the dataset: MiniFood
    // has 3,640 training images where Food-101's split has 72,800, so batches of 13 instead of
    // 256 give an epoch 280 steps (the paper's has 285), and the whole run as many updates of
    // the same size, over the same 10 epochs.
    let plan = fineTuningPlan(data, seed: options.seed)
    let (training, adam) = (plan.training, plan.training.optimizer)
    run.say("AdamW lr \(adam.learningRate), batch \(training.batchSize) (micro-batches of \(training.microBatchSize)), "
        + "weight decay \(adam.weightDecay), betas \(adam.beta1)/\(adam.beta2), eps \(adam.epsilon), \(training.epochs) epochs, "
        + "\(training.schedule.name) schedule")

    // ## Fine-tuning
    //
    // After each epoch the test images are classified; the trainer checkpoints as it
    // goes, so a run that is killed picks up where it stopped when the chapter is run again.
    // On a CPU the paper preset's 2,850 steps take days; `--stop-after-step` splits them into
    // sittings.
    let output = arguments.output.map { URL(fileURLWithPath: $0) }
        ?? options.cacheDirectory.appendingPathComponent("vit-fine-tuned-\(options.preset.rawValue)\(options.quick ? "-quick" : "")")
    guard let outcome = try plan.run(pretrained: pretrained, data: data, work: options.cacheDirectory.appendingPathComponent("vit-fine-tuning"),
                                     output: output, stoppingAfter: arguments.stopAfterStep, say: { run.say($0) }) else {
        run.say("run the chapter again with the same options to continue; no results are written until the run is complete")
        return
    }
    for epoch in outcome.epochs {
        run.say(String(format: "epoch %d: mean training loss %.4f, test top-1 %.2f%%, top-5 %.2f%%", epoch.epoch, epoch.meanLoss,
                       100 * epoch.test.top1.value, 100 * epoch.test.top5.value))
    }
    run.say("fine-tuned checkpoint: \(output.path)")
    run.onceResultsAreWritten(outcome.discardTrainerState)

    // ## Table 3: the fine-tuned model on the held-back images
    let accuracy = outcome.test.bootstrapped(seed: options.seed)
    run.say("test (\(accuracy.top1.images) images of the \(data.test.classNames.count) trained classes): top-1 "
        + "\(accuracy.top1.percentWithInterval), top-5 \(accuracy.top5.percentWithInterval)")
    let curve = outcome.lossCurve

    // ## Other seeds
    //
    // The interval above says how much the choice of test images moves the accuracy, not how
    // much the fine-tuning's own randomness does (the fresh head's initialisation, the order of
    // the batches). With `--seeds N` the same fine-tuning runs N - 1 more times with the next
    // seeds, on the same data and the same pretrained model, and the chapter reports the mean
    // and standard deviation of the N runs beside the first run's numbers.
    let seedRuns = try SeedRuns.repeating(from: options.seed, count: arguments.seeds, first: (accuracy.top1.value, nil)) { seed in
        run.say("fine-tuning again with seed \(seed)")
        let seedOutput = output.deletingLastPathComponent().appendingPathComponent("\(output.lastPathComponent)-seed\(seed)")
        guard let outcome = try fineTuningPlan(data, seed: seed).run(pretrained: pretrained, data: data,
                                                                   work: options.cacheDirectory.appendingPathComponent("vit-fine-tuning"),
                                                                   output: seedOutput, say: { run.say($0) }) else {
            throw ChapterError("the fine-tuning with seed \(seed) stopped before its last step")
        }
        run.onceResultsAreWritten(outcome.discardTrainerState)
        let top1 = outcome.test.bootstrappedTop1(seed: seed).value
        run.say(String(format: "seed %llu: test top-1 %.2f%%", seed, 100 * top1))
        return (top1, nil)
    }
    try run.finish(ViTResults(
        model: modelName, checkpointSource: pretrained.recordedPath, dataset: data.source,
        trainableParameters: outcome.trainableParameters, hyperParameters: plan.hyperParameters, test: accuracy,
        lossCurve: curve, epochs: outcome.epochs, seedRuns: seedRuns,
        classes: ClassCounts(trained: data.train.classNames.count, heldOut: data.heldOut.classNames.count),
        trainImages: data.train.count, resumedFromStep: outcome.resumedFromStep, fineTunedCheckpoint: output.recordedPath))
}

/// The chapter's fine-tuning settings for `seed`: Table 1, or its mini analogue.
func fineTuningPlan(_ data: ExperimentData, seed: UInt64) -> ViTFineTuningPlan {
    switch options.preset {
    case .paper: ViTFineTuningPlan.paper(schedule: arguments.learningRateSchedule, seed: seed)
    case .mini: ViTFineTuningPlan.mini(trainingImages: data.train.count, quick: options.quick, schedule: arguments.learningRateSchedule,
                                       seed: seed)
    }
}

// ## The command line

enum ScheduleChoice: String, ExpressibleByArgument {
    case constant
    case cosine
}

struct ViTArguments: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "vit", abstract: "Fine-tunes ViT on the 91 trained classes (Tables 1 and 3, Figure 4) and writes results/vit.json.")

    @OptionGroup var options: ChapterOptions

    @Option(help: "constant (default: Table 1 names no schedule) or cosine (half a cosine down to zero after the warm-up).")
    var schedule: ScheduleChoice = .constant

    @Option(help: "Linear warm-up steps before the cosine (with --schedule cosine).")
    var warmupSteps = 0

    @Option(help: "Where the fine-tuned Hugging Face checkpoint goes (default: <cache>/vit-fine-tuned-<preset>).")
    var output: String?

    @Option(help: "Stop after this optimiser step with a checkpoint, to continue the run in a later sitting.")
    var stopAfterStep: Int?

    @Option(help: "Fine-tune this many times, with --seed and the seeds after it, and report the spread (same data and pretrained model).")
    var seeds = 1

    func validate() throws {
        if schedule == .constant && warmupSteps != 0 { throw ValidationError("--warmup-steps applies to --schedule cosine") }
        if warmupSteps < 0 { throw ValidationError("--warmup-steps must not be negative") }
        if let stopAfterStep, stopAfterStep < 1 { throw ValidationError("--stop-after-step must be at least 1") }
        if seeds < 1 { throw ValidationError("--seeds must be at least 1") }
        if seeds > 1 && stopAfterStep != nil { throw ValidationError("--stop-after-step splits a single run; use it without --seeds") }
    }

    var learningRateSchedule: LearningRateSchedule {
        switch schedule {
        case .constant: .constant
        case .cosine: .warmupCosine(warmupSteps: warmupSteps)
        }
    }
}
