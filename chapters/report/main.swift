// The report: the last chapter, which runs no experiment. It reads what the other
// chapters wrote to results/, sets every reproduced number beside the published one from
// the registry (Sources/Results/Resources/published.json, each number with its paper,
// table, row and column), draws Figures 3 and 4 (and WiSE-FT when it ran) with Cairo, and
// writes paper.md in the paper's own structure. Each number says which preset made it:
// mini numbers come from MiniFood, a procedural world, and are never judged against Food-101.
//
//   report build [--results DIR] [--figures DIR] [--output paper.md]
//   report diff  [--results DIR] [--strict] [--json]
//   report diff  [--results DIR] --against OTHER_RESULTS_DIR [--json]
//   report weave [--results DIR] [--chapters DIR] [--notebooks DIR] [--figures DIR] [--paper FILE]
//
// `weave` writes each chapter that has results as an executed notebook, beside its source
// unless --notebooks says where: <chapter>/README.md and <chapter>.ipynb, the chapter's comments
// as text, its code,
// and after each section what that section printed in this run (after `report build`, which
// draws the figures it embeds).
import ArgumentParser
import Common
import Results
import Training
import Foundation
import Report

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Compare the chapters' results with the published numbers; draw the figures and write paper.md.",
        subcommands: [Build.self, Diff.self, WeaveChapters.self])
}

struct Build: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Draw the figures and write paper.md from a results folder.")

    @Option(help: "Folder of results/<chapter>.json files.") var results = "results"
    @Option(help: "Folder the figures are written to (PNG and SVG).") var figures = "figures"
    @Option(help: "The markdown document to write.") var output = "paper.md"

    func run() throws {
        try reportingErrors {
            let written = try ReportBuild.run(results: URL(fileURLWithPath: results), figures: URL(fileURLWithPath: figures),
                                              output: URL(fileURLWithPath: output))
            for file in written { print("wrote \(file.path)") }
        }
    }
}

struct Diff: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Every reproduced number against the published one, or against another run with --against.")

    @Option(help: "Folder of results/<chapter>.json files.") var results = "results"
    @Option(help: "Another results folder: compare the two runs instead of the published numbers.") var against: String?
    @Flag(help: "Exit 1 when a published number is missed, not reproduced or at chance, or a published setting differs.") var strict = false
    @Flag(help: "Print JSON instead of a markdown table.") var json = false

    func validate() throws {
        if strict, against != nil { throw ValidationError("--strict judges against the published numbers; it cannot be combined with --against") }
    }

    func run() throws {
        try reportingErrors {
            let folder = try ResultsFolder(directory: URL(fileURLWithPath: results))
            try folder.requireOnePreset()
            if let against {
                let other = try ResultsFolder(directory: URL(fileURLWithPath: against))
                try other.requireOnePreset()
                let diff = RunDiff(this: folder, other: other)
                try emit(json ? diff.json(thisPath: results, otherPath: against) : Data(diff.markdown(thisPath: results, otherPath: against).utf8))
                return
            }
            let diff = PublishedDiff(registry: try PublishedRegistry.bundled(), results: folder)
            try emit(json ? diff.json(resultsPath: results, presets: folder.presets)
                          : Data(diff.markdown(resultsPath: results, presets: folder.presets).utf8))
            if strict, !diff.comparisons.contains(where: \.verdict.isJudgement) {
                FileHandle.standardError.write(Data("report: --strict: no full paper-preset number to judge (mini or quick runs are not judged), so nothing can miss\n".utf8))
            }
            if strict, diff.failsStrict {
                let failing = diff.comparisons.filter { $0.verdict.failsStrict }.map(\.entry.id)
                FileHandle.standardError.write(Data("report: --strict: \(failing.count) published number(s) missed, not reproduced, differ or at chance: \(failing.joined(separator: ", "))\n".utf8))
                throw ExitCode(1)
            }
        }
    }

    private func emit(_ data: Data) throws {
        FileHandle.standardOutput.write(data)
    }
}

struct WeaveChapters: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "weave",
        abstract: "Write each chapter that has results as an executed notebook: chapters/<chapter>/README.md and <chapter>.ipynb.")

    @Option(help: "Folder of results/<chapter>.json files.") var results = "results"
    @Option(help: "Folder of the chapters' sources (<chapter>/main.swift).") var chapters = "chapters"
    @Option(help: "Folder the notebooks are written into, as <chapter>/README.md and <chapter>.ipynb (default: beside the sources).") var notebooks: String?
    @Option(help: "Folder of the figures `report build` and the chapters drew.") var figures = "figures"
    @Option(help: "The paper.md the pages link to (default: beside the sources' folder).") var paper: String?

    func run() throws {
        try reportingErrors {
            let outcome = try Weave.run(results: URL(fileURLWithPath: results), chapters: URL(fileURLWithPath: chapters),
                                        figures: URL(fileURLWithPath: figures), notebooks: notebooks.map(URL.init(fileURLWithPath:)),
                                        paper: paper.map(URL.init(fileURLWithPath:)))
            for file in outcome.written { print("wrote \(file.path)") }
            for chapter in outcome.skipped { print("skipped \(chapter): no \(results)/\(chapter).json") }
        }
    }
}

/// Any failure becomes one line on stderr and exit status 1 (ArgumentParser's own usage
/// errors keep their usual form).
func reportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let exit as ExitCode {
        throw exit
    } catch {
        let message = (error as? LocalizedError)?.errorDescription ?? String(describing: error)
        FileHandle.standardError.write(Data("report: error: \(message.split(whereSeparator: \.isNewline).joined(separator: " "))\n".utf8))
        throw ExitCode(1)
    }
}

ReportCommand.main()
