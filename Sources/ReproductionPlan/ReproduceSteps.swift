// The whole reproduction as a list of commands: every chapter in the paper's order with the
// flags it takes, then the report. Each chapter is its own executable, run as a child process
// with the terminal's output, so a failure stops the list with the chapter's own message above.
import Common
import Results
import Training
import Foundation
import Recipes
import TensorCore

/// What `reproduce` was asked for, forwarded to each chapter as that chapter spells it.
public struct ReproductionSettings: Sendable {
    public var preset: Preset
    public var food101: String?
    public var split: String?
    /// The paper preset's pretrained checkpoints: ViT for `vit`, CLIP for `clip` and `clip-finetune`.
    public var vitCheckpoint: String?
    public var clipCheckpoint: String?
    /// The paper preset's CIFAR-10 baseline: without `cifar10` the `cifar` chapter is left out.
    public var cifar: CIFARSettings
    public var results: String
    public var figures: String
    public var cache: String
    public var paper: String
    /// The chapters' sources, for `report weave` (each chapter's notebook page); nil: not woven.
    public var chapterSources: String?
    /// Where the woven pages go (`report weave --notebooks`); nil: beside the sources.
    public var notebooks: String?
    public var seed: UInt64
    public var quick: Bool
    /// The products' precision every chapter runs with (resolved: fp32 or bf16).
    public var precision: Precision
    /// How many seeds each fine-tuning chapter (`Reproduction.fineTuningChapters`) runs, from
    /// `seed` on; one for a chapter not named.
    public var fineTuningSeeds: [String: Int]

    public init(preset: Preset, food101: String?, split: String?, vitCheckpoint: String?, clipCheckpoint: String?,
                cifar: CIFARSettings = CIFARSettings(),
                results: String, figures: String, cache: String, paper: String, seed: UInt64, quick: Bool, precision: Precision = .fp32,
                fineTuningSeeds: [String: Int] = [:], chapterSources: String? = nil, notebooks: String? = nil) {
        self.preset = preset
        self.food101 = food101
        self.split = split
        self.vitCheckpoint = vitCheckpoint
        self.clipCheckpoint = clipCheckpoint
        self.cifar = cifar
        self.results = results
        self.figures = figures
        self.cache = cache
        self.paper = paper
        self.chapterSources = chapterSources
        self.notebooks = notebooks
        self.seed = seed
        self.quick = quick
        self.precision = precision
        self.fineTuningSeeds = fineTuningSeeds
    }
}

/// What the paper preset's `cifar` chapter is given: CIFAR-10's binary directory, the study's timm
/// checkpoints (at least one) and, optionally, a subset size per class.
public struct CIFARSettings: Sendable {
    public var cifar10: String?
    public var deit: String?
    public var cait: String?
    public var densenet: String?
    public var subset: Int?

    public init(cifar10: String? = nil, deit: String? = nil, cait: String? = nil, densenet: String? = nil, subset: Int? = nil) {
        self.cifar10 = cifar10
        self.deit = deit
        self.cait = cait
        self.densenet = densenet
        self.subset = subset
    }
}

/// One command of the reproduction: an executable beside `reproduce` and its arguments.
public struct ReproductionStep: Sendable, Equatable {
    public var executable: String
    public var arguments: [String]

    public var commandLine: String { ([executable] + arguments).joined(separator: " ") }
}

public enum Reproduction {
    /// The chapters every reproduction runs, in the paper's order: the data, zero-shot CLIP
    /// (Tables 3 and 4), fine-tuned ViT (Tables 1 and 3), fine-tuned CLIP (Tables 2 to 4), cost
    /// (Table 5).
    public static let chapters = ["data", "clip", "vit", "clip-finetune", "cost"]
    /// The chapters that take `--seeds`.
    public static let fineTuningChapters = ["vit", "clip-finetune"]
    /// Chapters beyond the paper's tables, run when their executables are built: the rest of the
    /// registry of chapter payloads, in its order.
    public static let furtherChapters = ChapterPayloads.all.map { $0.chapter }.filter { !chapters.contains($0) }
    /// Chapters too long for the default run's time budget: run only when named (`--chapters scaling`).
    public static let byNameOnly: Set<String> = ["scaling"]
    /// The chapters a run without `--chapters` may run.
    public static let defaultChapters = (chapters + furtherChapters).filter { !byNameOnly.contains($0) }

    /// The chapters' commands, then `report build`, `report weave` (given the chapters' sources), `report diff`. `selected` limits the
    /// chapters (nil: all of `chapters`, and those of `furtherChapters` that `exists` finds but
    /// `byNameOnly`, and on the paper preset `cifar` only when CIFAR-10's directory is given).
    public static func steps(_ settings: ReproductionSettings, selected: [String]?, exists: (String) -> Bool) throws -> [ReproductionStep] {
        if let selected {
            let known = Set(chapters + furtherChapters)
            if let unknown = selected.first(where: { !known.contains($0) }) {
                throw ChapterError("no chapter named '\(unknown)'; the chapters are \((chapters + furtherChapters).joined(separator: ", "))")
            }
        }
        let names = (chapters + furtherChapters).filter { name in
            if let selected { return selected.contains(name) }
            if name == "cifar", settings.preset == .paper, settings.cifar.cifar10 == nil { return false }
            return chapters.contains(name) || (exists(name) && !byNameOnly.contains(name))
        }
        var steps = try names.map { ReproductionStep(executable: $0, arguments: try arguments(of: $0, settings)) }
        steps.append(ReproductionStep(executable: "report", arguments: ["build", "--results", settings.results,
                                                                        "--figures", settings.figures, "--output", settings.paper]))
        if let sources = settings.chapterSources {
            steps.append(ReproductionStep(executable: "report", arguments: ["weave", "--results", settings.results,
                                                                            "--figures", settings.figures, "--chapters", sources,
                                                                            "--paper", settings.paper]
                                                                            + (settings.notebooks.map { ["--notebooks", $0] } ?? [])))
        }
        steps.append(ReproductionStep(executable: "report", arguments: ["diff", "--results", settings.results]))
        return steps
    }

    /// Where `report weave` writes the pages when `--notebooks` is not given: beside the sources
    /// for the repository's own run (`results` is the folder beside `chapterSources`), else
    /// notebooks/ beside `results`, so a run into a scratch folder never overwrites the committed pages.
    public static func notebooksFolder(results: String, chapterSources: String) -> String {
        let results = URL(fileURLWithPath: results).standardizedFileURL
        let sources = URL(fileURLWithPath: chapterSources).standardizedFileURL
        if results.path == sources.deletingLastPathComponent().appendingPathComponent("results").path { return chapterSources }
        return results.deletingLastPathComponent().appendingPathComponent("notebooks").path
    }

    /// The flags `chapter` takes, from the settings.
    static func arguments(of chapter: String, _ s: ReproductionSettings) throws -> [String] {
        var arguments = ["--preset", s.preset.rawValue, "--results", s.results, "--seed", String(s.seed)]
        if chapter == "data" {
            arguments += ["--figures", s.figures]
        } else {
            arguments += ["--cache", s.cache]
        }
        if s.quick { arguments.append("--quick") }
        if s.precision != .fp32 { arguments += ["--precision", s.precision.rawValue] }
        if let seeds = s.fineTuningSeeds[chapter], seeds > 1 { arguments += ["--seeds", String(seeds)] }
        // The mini preset compares every CLIP fine-tuning recipe (the paper preset runs its own).
        if chapter == "clip-finetune", s.preset == .mini {
            arguments += ["--recipes", CLIPFineTuningRecipe.reportOrder.map(\.rawValue).joined(separator: ",")]
        }
        guard s.preset == .paper, chapter != "cost" else { return arguments }
        if chapter == "cifar" { return arguments + (try cifarArguments(s.cifar)) }

        guard let food101 = s.food101 else { throw ChapterError("the paper preset needs --food101 DIR (Food-101's images/ and meta/)") }
        arguments += ["--food101", food101]
        if let split = s.split { arguments += ["--split", split] }
        switch chapter {
        case "vit":
            guard let checkpoint = s.vitCheckpoint else { throw ChapterError("the paper preset needs --vit-checkpoint DIR (e.g. google/vit-base-patch16-224)") }
            arguments += ["--checkpoint", checkpoint]
        case "clip", "clip-finetune", "lit", "scaling":
            guard let checkpoint = s.clipCheckpoint else { throw ChapterError("the paper preset needs --clip-checkpoint DIR (e.g. openai/clip-vit-base-patch32)") }
            arguments += ["--checkpoint", checkpoint]
            // lit's pretrained-ViT tower reads ViT-B/16 too; scaling fine-tunes it.
            if chapter == "scaling", s.vitCheckpoint == nil { throw ChapterError("the paper preset needs --vit-checkpoint DIR (e.g. google/vit-base-patch16-224)") }
            if chapter == "lit" || chapter == "scaling", let vit = s.vitCheckpoint { arguments += ["--vit-checkpoint", vit] }
        default:
            break
        }
        return arguments
    }

    /// The paper preset's CIFAR-10 flags, as the `cifar` chapter spells them.
    static func cifarArguments(_ c: CIFARSettings) throws -> [String] {
        guard let cifar10 = c.cifar10 else { throw ChapterError("the cifar chapter on the paper preset needs --cifar10 DIR (CIFAR-10's binary files)") }
        let checkpoints = [("--densenet", c.densenet), ("--deit", c.deit), ("--cait", c.cait)].compactMap { flag, path in path.map { [flag, $0] } }
        guard !checkpoints.isEmpty else {
            throw ChapterError("the cifar chapter on the paper preset needs at least one of --deit-checkpoint, --cait-checkpoint, --densenet-checkpoint")
        }
        return ["--cifar10", cifar10] + checkpoints.flatMap { $0 } + (c.subset.map { ["--subset", String($0)] } ?? [])
    }

    /// Runs `step` from `directory` with this process's terminal; returns its wall time, or
    /// throws naming the step when it exits non-zero.
    public static func run(_ step: ReproductionStep, in directory: URL) throws -> Double {
        let process = Process()
        let local = directory.appendingPathComponent(step.executable)
        // A launcher (ReproduceMPI.swift) is found on the PATH; a chapter beside reproduce.
        process.executableURL = FileManager.default.isExecutableFile(atPath: local.path) ? local : URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = process.executableURL == local ? step.arguments : [step.executable] + step.arguments
        process.environment = chapterEnvironment
        let started = ContinuousClock.now
        do {
            try process.run()
        } catch {
            throw ChapterError("cannot start \(process.executableURL!.path): \(error.localizedDescription)")
        }
        process.waitUntilExit()
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            let how = process.terminationReason == .exit ? "exit status \(process.terminationStatus)" : "signal \(process.terminationStatus)"
            throw ChapterError("\(step.executable) failed (\(how)); its message is above. Command: \(step.commandLine)")
        }
        return (ContinuousClock.now - started).inSeconds
    }
}
