// # Reproducing the paper, start to finish
//
// One command runs every chapter in the paper's order, then builds the report:
//
//   data            Sections 2.1-2.2: Food-101 (or MiniFood), C1..C10 held out, the 0.8:0.2 split
//   clip            zero-shot CLIP ViT-B/32: Table 3's test and Table 4's extended accuracy
//   vit             ViT-B/16 fine-tuned with Table 1's settings: Table 3, Figure 4
//   clip-finetune   CLIP fine-tuned with Table 2's settings: Tables 3 and 4, Figure 4
//   cost            Table 5, from counted FLOPs and measured throughput
//   cifar           the CIFAR-10 single-block study, the project's own comparison (on the paper
//                   preset only when --cifar10 is given)
//   lit, wise-ft    beyond the paper: locked-image text tuning, weight-space ensembles
//   report build    figures/ and paper.md, every number beside the published one
//   report weave    each chapter as an executed notebook: chapters/<chapter>/README.md, .ipynb
//                   (a run with other --results weaves into notebooks/ beside them)
//   report diff     the comparison with the published numbers, printed
//
// Each chapter writes results/<chapter>.json and says which preset made every number. The
// first chapter that fails stops the run, named. With the default preset, mini, nothing is
// downloaded: MiniFood is rendered, and the mini models are pretrained on first use and kept in
// cache/ (later runs reuse them while their recipes are unchanged).

import ArgumentParser
import Common
import Results
import Training
import Cluster
import Foundation
import ChapterSupport
import Recipes
import ReproductionPlan
import TensorCore

let options = ReproduceArguments.parseChapterArguments(chapter: "reproduce")
let run = ChapterRun(chapter: "reproduce", options: options.run)
run.perform { try reproduce() }

func reproduce() throws {
    let world = MPIWorld.current
    if let launcher = world.launcher {
        guard world.isLeader else { return }
        run.say("launched under \(launcher) with \(world.size) ranks: rank 0 runs the chapters, "
            + (options.mpirun.map { "each data-parallel one under `\($0)`" } ?? "each as one process (give --mpirun to spread them)"))
    }
    let executables = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    if !options.noBuild, let package = ReproduceBuild.package(of: executables) {
        run.say("bringing the chapters up to date: swift build -c \(package.configuration) in \(package.root.path)")
        try ReproduceBuild.buildAll(root: package.root, configuration: package.configuration)
    }
    // Each chapter corrects OpenBLAS's kernel itself when OpenBLAS does not know the processor;
    // this process's choice is the one they will make.
    if BLAS.coreName != BLAS.coreChosenAtLoad {
        run.say("OpenBLAS does not recognise this processor and chose its \(BLAS.coreChosenAtLoad) kernels; "
            + "every chapter runs with \(BLAS.coreName), which the processor's flags support")
    }
    // --download: what the paper preset needs and was not given, fetched and verified first.
    let settings = try options.download.map { directory in
        try ReproduceDownloads.fetch(into: URL(fileURLWithPath: directory), filling: options.settings) { run.say("downloading \($0)") }
    } ?? options.settings
    let steps = try Reproduction.steps(settings, selected: options.chapterList) { name in
        FileManager.default.isExecutableFile(atPath: executables.appendingPathComponent(name).path)
    }

    var timings: [(String, Double)] = []
    let launcher = ChapterLauncher(options.mpirun)
    for step in steps.map({ launcher?.wrapping($0, executables: executables) ?? $0 }) {
        run.say("$ \(step.commandLine)")
        timings.append((step.executable + (step.executable == "report" ? " " + step.arguments[0] : ""),
                        try Reproduction.run(step, in: executables)))
    }
    let total = timings.reduce(0) { $0 + $1.1 }
    run.say("done in " + String(format: "%.0f s: ", total)
        + timings.map { String(format: "%@ %.0f s", $0.0, $0.1) }.joined(separator: ", "))
    run.say("wrote \(options.paper), \(options.figures)/ and \(options.run.results)/")
}

// ## The command line

struct ReproduceArguments: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "reproduce", abstract: "Runs every chapter in the paper's order, then writes figures/ and paper.md and prints the comparison with the published numbers.")

    @OptionGroup var run: RunOptions
    @OptionGroup var food: Food101Options

    @Option(help: "The pretrained ViT checkpoint directory for the paper preset (google/vit-base-patch16-224).")
    var vitCheckpoint: String?

    @Option(help: "The pretrained CLIP checkpoint directory for the paper preset (openai/clip-vit-base-patch32).")
    var clipCheckpoint: String?

    @Option(help: "paper preset: CIFAR-10's binary directory, for the cifar chapter (left out without it).")
    var cifar10: String?

    @Option(help: "paper preset: the DeiT-Base-Distilled timm checkpoint directory, for the cifar chapter.")
    var deitCheckpoint: String?

    @Option(help: "paper preset: the CaiT-S24 timm checkpoint directory, for the cifar chapter.")
    var caitCheckpoint: String?

    @Option(help: "paper preset: the DenseNet-201 timm checkpoint directory, for the cifar chapter.")
    var densenetCheckpoint: String?

    @Option(help: "paper preset: fine-tune the cifar chapter on the first N training and N/5 test images of each class.")
    var cifarSubset: Int?

    @Option(help: "paper preset: fetch into this directory whatever of Food-101, CIFAR-10 and the checkpoints was not given (verified; complete files are not fetched again), and run on it.")
    var download: String?

    @Option(help: "Where the figures go.")
    var figures = "figures"

    @Option(help: "The markdown document the report writes.")
    var paper = "paper.md"

    @Option(help: "The chapters' sources (chapters/<chapter>/main.swift), which each chapter's notebook page weaves; no pages when absent.")
    var chapterSources = "chapters"

    @Option(help: "Where each chapter's notebook page goes (<chapter>/README.md, .ipynb). Default: beside the sources when --results is the folder beside them (the repository's run), else a folder notebooks/ beside --results.")
    var notebooks: String?

    @Option(help: "Fine-tuning runs of vit and clip-finetune, each with the next seed, for the seed-to-seed spread (default: 3 runs of clip-finetune on the mini preset, one of everything else: vit's further seeds would take the mini run past its time budget, and a paper-preset run takes days).")
    var seeds: Int?

    @Option(help: "Run only these chapters, comma-separated (e.g. data,vit,cost), then the report.")
    var chapters: String?

    @Flag(help: "Do not run swift build first, even from a package's build folder.")
    var noBuild = false

    @Option(help: "Start the data-parallel chapters (clip, vit, clip-finetune, lit, cifar, scaling) with this launcher, e.g. \"mpirun -np 4 --hostfile hosts\" or \"srun\".")
    var mpirun: String?

    func validate() throws {
        let paperOnly: [Any?] = [food.food101, food.split, vitCheckpoint, clipCheckpoint, cifar10, deitCheckpoint, caitCheckpoint, densenetCheckpoint, cifarSubset, download]
        if run.preset == .mini && paperOnly.contains(where: { $0 != nil }) {
            throw ValidationError("--food101, --split, --cifar10, --cifar-subset, --download and the checkpoints belong to the paper preset; the mini preset makes its own data and models")
        }
        if let seeds, seeds < 1 { throw ValidationError("--seeds must be at least 1") }
    }

    var chapterList: [String]? {
        chapters.map { commaSeparatedList($0) { $0 } }
    }

    var settings: ReproductionSettings {
        ReproductionSettings(preset: run.preset, food101: food.food101, split: food.split?.rawValue, vitCheckpoint: vitCheckpoint, clipCheckpoint: clipCheckpoint,
                             cifar: CIFARSettings(cifar10: cifar10, deit: deitCheckpoint, cait: caitCheckpoint, densenet: densenetCheckpoint, subset: cifarSubset),
                             results: run.results, figures: figures, cache: run.cache, paper: paper, seed: run.seed, quick: run.quick,
                             precision: Precision.current,  // --precision as run.perform resolved it
                             fineTuningSeeds: fineTuningSeeds,
                             chapterSources: FileManager.default.fileExists(atPath: chapterSources) ? chapterSources : nil,
                             notebooks: notebooks ?? Reproduction.notebooksFolder(results: run.results, chapterSources: chapterSources))
    }


    /// `--seeds` for every fine-tuning chapter, or the default: three seeds of the mini preset's
    /// CLIP fine-tuning (about 30 s each), which the five-minute warm budget allows.
    var fineTuningSeeds: [String: Int] {
        if let seeds { return Dictionary(uniqueKeysWithValues: Reproduction.fineTuningChapters.map { ($0, seeds) }) }
        return run.preset == .mini && !run.quick ? ["clip-finetune": 3] : [:]
    }
}
