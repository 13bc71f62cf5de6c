// # Beyond the paper: the CIFAR-10 single-block study
//
// This chapter is the project's own comparison, not the paper's: Fei (EMITI 2024) neither cites
// this study nor mentions CIFAR-10 (its one CIFAR mention is CIFAR-100, about the original ViT).
// The project's design sets the paper's Food-101 results beside a simpler kind of transfer
// learning: Malpure, Litake and Ingle (2021), "Investigating Transfer Learning Capabilities of
// Vision Transformers and CNNs by Fine-Tuning a Single Trainable Block". They took models pretrained on
// ImageNet-1k, froze everything but the last block, gave each a new classifier for CIFAR-10's ten
// classes, and trained block and classifier with a learning rate of 1e-4 for 10 epochs in batches
// of 32, on CIFAR-10's 32 x 32 images upscaled bilinearly to the 224 px the models were trained
// at. The transformers came out ahead of the CNN. A public reproduction of the study reports the
// trainable parameters of the three models this chapter runs:
//
//   DenseNet201          235,210   denselayer16 of the final dense block and the classifier —
//                                  the last layer of DenseNet-121's final block, not of
//                                  DenseNet-201's, whose final block has 32 (the count is exact,
//                                  so that is the layer trained here; layers 17-32 stay frozen)
//   DeiT-Base-Distilled 7,103,252  blocks.11 with both heads (class and distillation token),
//                                  the final LayerNorm frozen
//   CaiT-S24            1,775,376  blocks.23, the last self-attention block, alone: the 10-class
//                                  head (3,850 more) must train too, so this chapter's count is
//                                  1,779,226; the two class-attention blocks after it stay frozen
//
// This chapter writes the counts it trains, next to validation and train accuracy and seconds per
// epoch of training and of validation: the columns of the reproduction's table, in
// results/cifar.json.
//
// What this machine affords. Two CPU cores cannot repeat the study at full size. DeiT-Base's
// first 11 blocks cost about 32 GFLOPs per 224 px image, 1.9 PFLOPs for CIFAR-10's 60,000
// images; CaiT-S24's first 23 about 17 GFLOPs, DenseNet-201's trunk about 4. At the 10-30
// GFLOP/s two shared cores sustain, DeiT's trunk alone takes a day or so, and ten epochs of its
// last block (about 9 GFLOPs per image forward and backward, 4.4 PFLOPs over 50,000 images)
// more than twice that. Two things bring the experiment within reach. The frozen trunk is computed
// once per image and cached (270 KB of features per image for DenseNet, 301 KB for CaiT, 608 KB
// for DeiT, kept on disk when they would not fit in memory), so each epoch costs only the last
// block, where the study paid for the whole network every epoch; and `--subset N` fine-tunes on
// the first N training and N/5 test images of each class: `--subset 100` (1,000 and 200 images)
// takes a few hours for the three models here. The paper preset prints the seconds per image it
// measured and what all of CIFAR-10 would take at that rate, and results/cifar.json records
// what was run.
//
// The mini preset runs the same experiment in MiniFood's world in a few minutes, pretraining
// included. Its three models are the same timm architectures at a small size (see
// Sources/Recipes/MiniTimmModels.swift): DeiT and CaiT at width 64 with four blocks on 8 px
// patches, DenseNet with three dense blocks of growth 12. They start from the random weights
// timm gives them and learn MiniFood's labelled corpus — 28,300 images of the 283 compositions
// no downstream class uses, this world's ImageNet — for two epochs, far from convergence: about
// a minute of pretraining for the three. The fine-tuned part mirrors the study's: the last
// transformer block (of four) with the heads, and in DenseNet the layer half-way through the
// final block, where denselayer16 sits among DenseNet-201's 32. Its "CIFAR-10" is MiniFood's ten
// held-out dishes, which no pretraining image shows: new classes made of familiar colours,
// toppings and dishes, as CIFAR-10's are new classes made of features ImageNet models know; 250
// training and 50 validation images of each, CIFAR-10's 5:1. They are 32 px, the side the mini
// models were pretrained at, so nothing is upscaled; with `--cifar10 DIR` the mini models
// fine-tune on CIFAR-10 itself at its native 32 px.

import ArgumentParser
import Datasets
import Common
import Results
import Training
import Foundation
import Models
import ChapterSupport
import Recipes

let options = CIFAROptions.parseChapterArguments(chapter: "cifar")
let run = ChapterRun(chapter: "cifar", options: options.run)
run.main {
    try options.check()
    return try runBaseline()
}

// ## The experiment
//
// The same recipe runs at either preset, model after model: a fresh ten-class classifier (drawn as
// torch.nn.Linear draws one), the trunk's features for every training and validation image, then
// the study's ten epochs of Adam at 1e-4 in batches of 32 over the last block and the classifier,
// validated after every epoch. In DenseNet the batch norms after the trunk normalise with batch
// statistics while training, as PyTorch's train mode does; the trunk's use their running
// statistics, which a cached trunk requires. Train accuracy is counted as a training loop counts
// it: over the last epoch's batches, as they train. Both carry a 95% bootstrap interval over their
// images, which the study's numbers lack: on the mini preset's 500 validation images a validation
// accuracy is good to a few points, so a gap smaller than that between two models is not a
// ranking. Neither the study nor the reproduction's README names the optimiser; Adam, without
// weight decay, is the plain reading of "learning rate 1e-4" in a PyTorch notebook, and the
// results file says so.
func runBaseline() throws -> CIFARResults {
    let task = try makeTask()
    run.say("task: \(task.description); upscaling: \(task.upscaling)")
    var training = CIFARFineTuning.study(seed: options.run.seed)
    if options.run.quick { training.epochs = 2 }
    let fineTuning = CIFARFineTuning(training: training, featureDirectory: options.run.cacheDirectory.appendingPathComponent("cifar-features"),
                                     memoryBudget: options.featureMemory << 20)

    var runs: [CIFARRun] = []
    for (model, network, identity) in try models() {
        run.say("\(model.rawValue): fine-tuning its last block and a new \(task.classNames.count)-class head")
        let measured = try fineTuning.run(network, as: model, identity: identity, on: task, say: { run.say($0) })
        narrate(measured, model: model, task: task)
        runs.append(measured)
    }
    return CIFARResults(dataset: task.description,
                        hyperParameters: hyperParameters(training, task: task), models: runs.map(\.result),
                        classes: ClassCounts(trained: task.classNames.count, heldOut: 0))
}

// ## The task
func makeTask() throws -> CIFARTask {
    if let directory = options.cifar10 {
        let side = options.run.preset == .paper ? 224 : MiniTimm.imageSide
        return try CIFARTask.cifar10(directory: URL(fileURLWithPath: directory), side: side,
                                     perClass: options.subset ?? (options.run.quick ? 5 : nil))
    }
    // Five sixths of each class train, the rest validate: 250 and 50 per dish (25 and 5 quick).
    return CIFARTask.miniFood(seed: options.run.seed, perClass: options.run.quick ? 30 : 300)
}

// ## The models
//
// The paper preset reads each timm checkpoint the user gives (config.json and model.safetensors,
// as timm's save_for_hf writes them); the mini preset pretrains its three, or finds them in the
// cache under a hash of everything that determines them.
func models() throws -> [(CIFARModel, any TimmClassifier, String)] {
    switch options.run.preset {
    case .paper:
        return try options.checkpoints.map { model, directory in
            let checkpoint = try TimmCheckpoint(directory: URL(fileURLWithPath: directory))
            guard try TimmRegistry.family(of: checkpoint.config.architecture) == model.timmFamily else {
                throw ChapterError("--\(model.slug) \(directory) holds \(checkpoint.config.architecture), not a \(model.rawValue) (\(model.architecture))")
            }
            try PretrainedModels.identified(URL(fileURLWithPath: directory), model.architecture, .userSupplied, run: run)
            let weights = try FileManager.default.attributesOfItem(atPath: checkpoint.weights.url.path)
            let identity = "\(checkpoint.weights.url.path), \(weights[.size] ?? 0) bytes, modified \(weights[.modificationDate] ?? "")"
            return (model, try checkpoint.loadModel(), identity)
        }
    case .mini:
        return try CIFARModel.allCases.map { model in
            let (network, entry, pretraining) = try MiniTimm.pretrained(model, cache: options.run.cacheDirectory, seed: options.run.seed,
                                                                        quick: options.run.quick, say: { run.say($0) })
            try PretrainedModels.identified(entry, "mini \(model.rawValue)", .projectMade, run: run)
            let last = pretraining.epochs.last.map { String(format: ", final loss %.3f", $0.meanLoss) } ?? ""
            run.say("mini \(model.rawValue): \(network.parameterCount) parameters, pretrained for \(pretraining.epochs.count) epochs in "
                    + "\(Int(pretraining.trainingSeconds.rounded())) s\(last)")
            return (model, network, entry.lastPathComponent)
        }
    }
}

// ## What each run cost
//
// The trunk's pass is the part the study paid every epoch and this chapter pays once; on the
// paper preset it also says what the whole of CIFAR-10 would cost here.
func narrate(_ measured: CIFARRun, model: CIFARModel, task: CIFARTask) {
    let result = measured.result
    run.say("\(model.rawValue): \(result.trainableParameters) trainable parameters (the study's count: \(model.studyTrainableParameters))")
    run.say(String(format: "%@: validation %@, train %@; %.1f s per epoch training, %.1f s validating; trunk %.0f s for %d images (%.0f KB each)",
                   model.rawValue, result.validation.percentWithInterval, result.train.percentWithInterval, result.trainSecondsPerEpoch,
                   result.validationSecondsPerEpoch, measured.trunkSeconds, measured.images, Double(measured.featureBytesPerImage) / 1000))
    if options.run.preset == .paper, options.cifar10 != nil, task.train.count < 50_000 {
        let trunkHours = measured.trunkSeconds / Double(measured.images) * 60_000 / 3600
        let epochHours = (result.trainSecondsPerEpoch * 50_000 / Double(task.train.count)
            + result.validationSecondsPerEpoch * 10_000 / Double(task.validation.count)) / 3600
        run.say(String(format: "%@ on all of CIFAR-10 at this rate: trunk %.1f h, then %.1f h per epoch (%.0f h for 10)",
                       model.rawValue, trunkHours, epochHours, trunkHours + 10 * epochHours))
    }
}

// ## The results file
func hyperParameters(_ training: TrainingConfiguration, task: CIFARTask) -> HyperParameters {
    [
        HyperParameterName.learningRate: .number(training.optimizer.learningRate),
        HyperParameterName.epochs: .number(Double(training.epochs)),
        HyperParameterName.batchSize: .number(Double(training.batchSize)),
        HyperParameterName.weightDecay: .number(training.optimizer.weightDecay),
        HyperParameterName.beta1: .number(training.optimizer.beta1),
        HyperParameterName.beta2: .number(training.optimizer.beta2),
        HyperParameterName.epsilon: .number(training.optimizer.epsilon),
        "optimizer": .text("Adam"),
        "image_size": .number(Double(task.imageSide)),
        "upscaling": .text(task.upscaling),
    ]
}

// ## The command line
//
// The shared flags (--preset, --results, --cache, --seed, --quick) are every chapter's
// (`RunOptions`), so `reproduce` forwards them alike; this chapter adds CIFAR-10's directory and
// the three checkpoints instead of Food-101's.
struct CIFAROptions: ParsableArguments {
    @OptionGroup var run: RunOptions
    @Option(help: "CIFAR-10's binary directory (data_batch_1..5.bin, test_batch.bin, batches.meta.txt); required on the paper preset.")
    var cifar10: String?
    @Option(help: "paper preset: the DeiT-Base-Distilled timm checkpoint directory (config.json, model.safetensors).")
    var deit: String?
    @Option(help: "paper preset: the CaiT-S24 timm checkpoint directory.")
    var cait: String?
    @Option(help: "paper preset: the DenseNet-201 timm checkpoint directory.")
    var densenet: String?
    @Option(help: "With --cifar10: fine-tune on the first N training and N/5 test images of each class.")
    var subset: Int?
    @Option(help: "Trunk features of up to this many MiB per model and split stay in memory; larger ones go to <cache>/cifar-features.")
    var featureMemory = 2048

    /// The checkpoints given, in the order the study lists the models.
    var checkpoints: [(CIFARModel, String)] {
        [(.denseNet201, densenet), (.deitBaseDistilled, deit), (.caitS24, cait)].compactMap { model, path in path.map { (model, $0) } }
    }

    /// Argument errors as one line each, before anything runs.
    func check() throws {
        if let subset, subset < 1 { throw ChapterError("--subset takes a positive number of images per class") }
        if featureMemory < 0 { throw ChapterError("--feature-memory takes a number of MiB, 0 or more") }
        if subset != nil, cifar10 == nil { throw ChapterError("--subset selects CIFAR-10 images: it needs --cifar10 DIR") }
        switch run.preset {
        case .paper:
            guard cifar10 != nil else { throw ChapterError("the paper preset needs --cifar10 DIR (CIFAR-10's binary files)") }
            guard !checkpoints.isEmpty else { throw ChapterError("the paper preset needs at least one of --deit, --cait, --densenet (timm checkpoint directories)") }
        case .mini:
            if !checkpoints.isEmpty { throw ChapterError("--deit, --cait and --densenet belong to the paper preset; the mini preset pretrains its own models") }
        }
    }
}
