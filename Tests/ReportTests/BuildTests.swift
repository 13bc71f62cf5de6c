import Common
import Results
import Training
import Foundation
import Testing
@testable import Report

@Suite struct BuildTests {
    /// Runs `report build` into a temporary folder; returns paper.md and the figures folder.
    private func build(_ fill: (URL) throws -> Void) throws -> (paper: String, figures: URL, root: URL) {
        let root = try temporaryDirectory()
        let results = root.appendingPathComponent("results")
        try FileManager.default.createDirectory(at: results, withIntermediateDirectories: true)
        try fill(results)
        let output = root.appendingPathComponent("paper.md")
        _ = try ReportBuild.run(results: results, figures: root.appendingPathComponent("figures"), output: output)
        return (try String(contentsOf: output, encoding: .utf8), root.appendingPathComponent("figures"), root)
    }

    @Test func paperHasEveryTableAndStatesThePreset() throws {
        let (paper, _, root) = try build { try writeAccuracyChapters(to: $0, preset: .mini); try writeCost(to: $0, preset: .mini) }
        defer { try? FileManager.default.removeItem(at: root) }
        for heading in ["## Summary", "## 1 Introduction", "## 2 Method", "## 3 Results", "## 4 Conclusion"] {
            #expect(paper.contains(heading), "\(heading)")
        }
        for table in ["**Table 1.**", "**Table 2.**", "**Table 3.**", "**Table 4.**", "**Table 5.**", "**CIFAR-10 single-block fine-tuning.**"] {
            #expect(paper.contains(table), "\(table)")
        }
        #expect(paper.contains("> **Preset: mini**"))
        #expect(paper.contains("this run: preset **mini** (MiniFood, a procedural world; not Food-101 numbers)"))
        #expect(paper.contains("| 91.87 |"), "the published value sits in Table 3")
        #expect(paper.contains("not comparable (mini)"))
        #expect(paper.contains("not yet run"), "the CIFAR-10 column says so until results/cifar.json exists")
        #expect(paper.contains("> **vit**: Fine-tuned end to end") && paper.contains("[mini preset]"))
        #expect(paper.contains("![Figure 3."))
        #expect(paper.contains("(figures/fig3-overall-results.png)"))
    }

    /// The CIFAR-10 study is this project's comparison: the paper neither cites it nor sets itself against it.
    @Test func noSentenceSaysThePaperCitesTheCIFARStudy() throws {
        let (paper, _, root) = try build { results in
            try writeAccuracyChapters(to: results, preset: .mini)
            try writeCost(to: results, preset: .mini)
            let model = CIFARModelResult(name: "DenseNet201", family: "CNN", trainableParameters: 10, validation: accuracy(88.4),
                                         train: accuracy(91.2), trainSecondsPerEpoch: 1, validationSecondsPerEpoch: 1)
            try ResultsWriter(chapter: CIFARResults.chapter, preset: .mini, seed: 1)
                .write(CIFARResults(dataset: "d", hyperParameters: [:], models: [model]), to: results)
        }
        defer { try? FileManager.default.removeItem(at: root) }
        let sentences = paper.replacingOccurrences(of: "\n", with: " ").components(separatedBy: ". ")
        let claims = ["paper cites", "paper sets", "sets itself against", "sets its results against", "paper compares with", "the paper's baseline"]
        for sentence in sentences where sentence.contains("CIFAR") || sentence.contains("Malpure") {
            let lowered = sentence.lowercased()
            #expect(!claims.contains { lowered.contains($0) }, "\(sentence)")
        }
        #expect(paper.contains("Beyond the paper: the CIFAR-10 single-block study (this project's comparison)"))
        #expect(paper.contains("the paper neither cites this study nor mentions CIFAR-10"))
        let malpure = try #require(try PublishedRegistry.bundled().sources["malpure2021"])
        #expect(malpure.role.contains("this project sets beside the paper as its own comparison") && !malpure.role.contains("sets itself against"))
    }

    @Test func tableFiveProjectsTheFineTuningsOntoNMachines() throws {
        let (paper, _, root) = try build { try writeCost(to: $0, preset: .mini) }
        defer { try? FileManager.default.removeItem(at: root) }
        #expect(paper.contains("| Projected training on N machines (N: time) |"))
        // 10 h on one machine, 10 / 4 h + 285 s = 2.58 h on four; CLIP 4 h and 1.08 h; zero-shot trains nothing.
        #expect(paper.contains("| 1: 10 h; 4: 2.58 h |") && paper.contains("| 1: 4 h; 4: 1.08 h |"))
        #expect(paper.contains("| none (no training) | none (no training) |"))
        #expect(paper.contains("Scale-out: test scale-out assumptions. Measured here for comparison (not used in the projection): 2 ranks"))
        #expect(paper.contains("1.37 GB/s, bus bandwidth 1.37 GB/s"))
        #expect(paper.contains("On 4 machines like this one (2 cores each) joined by an assumed 10 Gbit/s network, fine-tuning would take "
                               + "2.6 h for ViT-B/16 fine-tuned (10 h on one) and 1.1 h for CLIP ViT-B/32 fine-tuned (4.0 h on one)."))

        let (unmeasured, _, unmeasuredRoot) = try build { try writeCost(to: $0, preset: .mini, scaleOut: testScaleOut(measured: false)) }
        defer { try? FileManager.default.removeItem(at: unmeasuredRoot) }
        #expect(unmeasured.contains("The all-reduce between two ranks on this machine was not measured: mpirun is not on the PATH."))
        #expect(unmeasured.contains("| 1: 10 h; 4: 2.58 h |"))

        let (older, _, olderRoot) = try build { try writeCost(to: $0, preset: .mini, scaleOut: nil) }
        defer { try? FileManager.default.removeItem(at: olderRoot) }
        #expect(older.contains("| not projected in this run |") && !older.contains("Scale-out:"))
    }

    @Test func theSeedSpreadFollowsTheTablesOnlyWhenSeveralSeedsRan() throws {
        let (single, _, singleRoot) = try build { try writeAccuracyChapters(to: $0, preset: .mini) }
        defer { try? FileManager.default.removeItem(at: singleRoot) }
        #expect(!single.contains("repeated with other seeds"))

        let (paper, _, root) = try build { results in
            try writeAccuracyChapters(to: results, preset: .mini)
            let file = try ChapterResultsFile<ViTResults>.read(results.appendingPathComponent("vit.json"))
            var vit = file.results
            vit.seedRuns = SeedRuns(seeds: [1, 2, 3], test: [0.60, 0.62, 0.64])
            try ResultsWriter(chapter: ViTResults.chapter, preset: .mini, seed: 1).write(vit, to: results)
        }
        defer { try? FileManager.default.removeItem(at: root) }
        #expect(paper.contains("ViT: mean 62.00, standard deviation 2.00 points over seeds 1, 2, 3 (60.00, 62.00, 64.00)"))
        #expect(paper.components(separatedBy: "repeated with other seeds").count == 2, "under Table 3 only: ViT has no extended accuracy")
    }

    @Test func everyAccuracyShowsItsIntervalAndTheEnsemblesAreRowsBeyondThePaper() throws {
        let (paper, _, root) = try build { results in
            try writeAccuracyChapters(to: results, preset: .mini)
            let templates = Array(repeating: "a photo of {}.", count: 7)
            let clip = CLIPZeroShotResults(model: "m", checkpointSource: "c", dataset: "d", templates: ["t"], test: accuracy(80), extended: accuracy(90),
                promptEnsembles: [PromptEnsembleAccuracy(templates: templates, test: accuracy(81.25), extended: accuracy(92.5))], classes: ClassCounts(trained: 91, heldOut: 10))
            try ResultsWriter(chapter: CLIPZeroShotResults.chapter, preset: .mini, seed: 1).write(clip, to: results)
            let fineTune = CLIPFineTuneResults(model: "m", checkpointSource: "c", dataset: "d", trainableParameters: 1, hyperParameters: [:],
                test: accuracy(85), extended: accuracy(40), lossCurve: lossCurve(steps: 3),
                extendedPromptEnsembles: [ExtendedEnsembleAccuracy(templates: templates, extended: accuracy(45.5))], classes: ClassCounts(trained: 91, heldOut: 10), recipe: "ft-clip", recipes: [])
            try ResultsWriter(chapter: CLIPFineTuneResults.chapter, preset: .mini, seed: 1).write(fineTune, to: results)
            let model = CIFARModelResult(name: "DenseNet201", family: "CNN", trainableParameters: 10, validation: accuracy(88.4),
                                         train: accuracy(91.2), trainSecondsPerEpoch: 1, validationSecondsPerEpoch: 1)
            try ResultsWriter(chapter: CIFARResults.chapter, preset: .mini, seed: 1)
                .write(CIFARResults(dataset: "d", hyperParameters: [:], models: [model]), to: results)
        }
        defer { try? FileManager.default.removeItem(at: root) }
        let table3 = try #require(paper.components(separatedBy: "**Table 3.**").dropFirst().first?.components(separatedBy: "**Table 4.**").first)
        let table4 = try #require(paper.components(separatedBy: "**Table 4.**").dropFirst().first?.components(separatedBy: "![Figure 3").first)
        #expect(table3.contains("| CLIP zero-shot, prompt ensemble (7 templates) | — | 81.25 [80.75, 81.75] | 1,000 | — | *beyond the paper* |"))
        #expect(table4.contains("| CLIP zero-shot, prompt ensemble (7 templates) | — | 92.50 [92.00, 93.00] |"))
        #expect(table4.contains("| Fine-tuned CLIP (zero-shot on the held-out classes), prompt ensemble (7 templates) | — | 45.50 [45.00, 46.00] |"))
        #expect(!table3.contains("45.50") && !table4.contains("81.25"))
        #expect(table3.contains("| 80.00 [79.50, 80.50] |") && table4.contains("| 40.00 [39.50, 40.50] |"))
        #expect(table3.contains("widened by 1 percentage point on each side"))
        #expect(paper.contains("| 88.40 [87.90, 88.90] / 91.20 [90.70, 91.70] |"), "the CIFAR table's validation / train cell")
        #expect(paper.contains("95% bootstrap interval (resampling its test images) widened by 1.0 point"), "Appendix A states the rule")
    }

    @Test func missingResultsAreNotRunRatherThanFailures() throws {
        let (paper, figures, root) = try build { _ in }
        defer { try? FileManager.default.removeItem(at: root) }
        #expect(paper.contains("No chapter has been run"))
        #expect(paper.contains("| not run |"))
        #expect(FileManager.default.fileExists(atPath: figures.appendingPathComponent("fig3-overall-results.png").path))
        #expect(!FileManager.default.fileExists(atPath: figures.appendingPathComponent("fig-wise-ft.png").path))
    }

    @Test func aBadResultsFileLeavesThePreviousPaperUntouched() throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let results = root.appendingPathComponent("results")
        try FileManager.default.createDirectory(at: results, withIntermediateDirectories: true)
        let output = root.appendingPathComponent("paper.md")
        try Data("previous".utf8).write(to: output)
        try Data("{".utf8).write(to: results.appendingPathComponent("vit.json"))
        #expect(throws: ChapterError.self) {
            try ReportBuild.run(results: results, figures: root.appendingPathComponent("figures"), output: output)
        }
        #expect(try String(contentsOf: output, encoding: .utf8) == "previous")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: root.path).filter { $0.hasSuffix(".tmp") }
        #expect(leftovers.isEmpty)
    }

    @Test func figuresAreValidPNGAndSVG() throws {
        let (_, figures, root) = try build { results in
            try writeAccuracyChapters(to: results, preset: .paper)
            let points = stride(from: 0.0, through: 1.0, by: 0.25).map { alpha in
                WiSEFTPoint(alpha: alpha, test: accuracy(81 + 3 * alpha), extended: accuracy(80 - 60 * alpha))
            }
            try ResultsWriter(chapter: WiSEFTResults.chapter, preset: .paper, seed: 1)
                .write(WiSEFTResults(dataset: "d", points: points, classes: ClassCounts(trained: 91, heldOut: 10)), to: results)
        }
        defer { try? FileManager.default.removeItem(at: root) }
        for name in ["fig3-overall-results", "fig4-training-loss", "fig-wise-ft"] {
            let png = try Data(contentsOf: figures.appendingPathComponent("\(name).png"))
            #expect(png.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]), "\(name).png signature")
            let width = png[16..<20].reduce(0) { $0 << 8 | Int($1) }
            let height = png[20..<24].reduce(0) { $0 << 8 | Int($1) }
            #expect(width >= 1600 && height >= 1000, "\(name).png is \(width)x\(height)")
            #expect(png.count > 20_000, "\(name).png has content")
            let svg = try String(contentsOf: figures.appendingPathComponent("\(name).svg"), encoding: .utf8)
            #expect(svg.hasPrefix("<?xml"))
            #expect(svg.contains("<svg") && svg.contains("</svg>"))
        }
    }

    @Test func figureLinksAreRelativeToThePaper() {
        let paper = URL(fileURLWithPath: "/a/b/docs")
        #expect(relativePath(of: URL(fileURLWithPath: "/a/b/figures/x.png"), from: paper) == "../figures/x.png")
        #expect(relativePath(of: URL(fileURLWithPath: "/a/b/docs/figures/x.png"), from: paper) == "figures/x.png")
    }
}
