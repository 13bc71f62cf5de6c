// LiT in the report: its results file round-trips, and paper.md, Figure 3 and the metrics the
// run-vs-run diff compares carry LiT when results/lit.json exists, and only then.
import Common
import Results
import Training
import Foundation
import Testing
@testable import Report

func litResults(test: Double = 0.8412, extended: Double = 0.9531) -> LiTResults {
    LiTResults(model: "CLIP ViT-B/32", checkpointSource: "test checkpoint", dataset: "test data",
               trainableParameters: 63_000_000, hyperParameters: ["learning_rate": .number(1e-5), "locked": .text("vision_model")],
               trainingTemplates: ["a photo of a {}.", "itap of a {}."], trainingTemplatesSource: "test templates",
               templates: ["a photo of {}, a type of food."], test: accuracy(test * 100), extended: accuracy(extended * 100),
               promptEnsembles: [PromptEnsembleAccuracy(templates: ["a photo of a {}.", "itap of a {}."], test: accuracy(85), extended: accuracy(96))],
               beforeTuning: [PromptEnsembleAccuracy(templates: ["a photo of {}, a type of food."], test: accuracy(81), extended: accuracy(97))],
               lossCurve: lossCurve(steps: 8), classes: ClassCounts(trained: 91, heldOut: 10), trainingTemplatesName: "test templates", epochMeanLosses: [1, 0.5])
}

@Suite struct LiTReportTests {
    private func paper(withLiT: Bool) throws -> (paper: String, folder: ResultsFolder, root: URL) {
        let root = try temporaryDirectory()
        let results = root.appendingPathComponent("results")
        try FileManager.default.createDirectory(at: results, withIntermediateDirectories: true)
        try writeAccuracyChapters(to: results, preset: .mini)
        if withLiT { try ResultsWriter(chapter: LiTResults.chapter, preset: .mini, seed: 2).write(litResults(), to: results) }
        let output = root.appendingPathComponent("paper.md")
        _ = try ReportBuild.run(results: results, figures: root.appendingPathComponent("figures"), output: output)
        return (try String(contentsOf: output, encoding: .utf8), try ResultsFolder(directory: results), root)
    }

    @Test func resultsRoundTripThroughTheResultsFile() throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let written = litResults()
        let file = try ResultsWriter(chapter: LiTResults.chapter, preset: .mini, seed: 2).write(written, to: root)
        #expect(file.lastPathComponent == "lit.json")
        let text = try String(contentsOf: file, encoding: .utf8)
        #expect(text.contains("\"training_templates_source\"") && text.contains("\"before_tuning\"") && text.contains("\"loss_curve\""))
        let read = try #require(try ChapterResultsFile<LiTResults>.load(from: root))
        #expect(read.chapter == "lit" && read.preset == .mini && read.seed == 2)
        #expect(read.results == written)
    }

    @Test func theLiTRowAppearsOnlyWithLitResults() throws {
        let with = try paper(withLiT: true)
        defer { try? FileManager.default.removeItem(at: with.root) }
        let rows = with.paper.split(separator: "\n").filter { $0.hasPrefix("| LiT (locked image, tuned text) |") }
        #expect(rows.count == 2, "one row in each of Tables 3 and 4: \(rows)")
        #expect(rows.first?.contains("| — | 84.12 [") == true && rows.last?.contains("| — | 95.31 [") == true, "\(rows)")
        #expect(rows.allSatisfy { $0.hasSuffix("| *beyond the paper* |") })
        #expect(with.paper.contains("Beyond the paper: LiT") && with.paper.contains("> **lit**: Locking the image tower") && with.paper.contains("[mini preset]"))
        #expect(with.paper.contains("LiT: Zero-Shot Transfer with Locked-image text Tuning"))
        #expect(AccuracyRow.beyondThePaper(with.folder).map(\.label) == ["LiT (locked image, tuned text)"])
        let ids = Set(with.folder.metrics.map(\.id))
        for id in ["lit.test", "lit.extended", "lit.ensemble.1.test", "lit.before_tuning.1.extended", "lit.final_loss", "lit.seconds"] {
            #expect(ids.contains(id), "\(id)")
        }
        #expect(abs((with.folder.metrics.first { $0.id == "lit.test" }?.number ?? 0) - 84.12) < 1e-9)
        #expect(with.folder.others.allSatisfy { $0.chapter != "lit" }, "lit.json is read by type, not generically")

        let without = try paper(withLiT: false)
        defer { try? FileManager.default.removeItem(at: without.root) }
        #expect(!without.paper.contains("| LiT (") && !without.paper.contains("Beyond the paper: LiT"))
        #expect(AccuracyRow.beyondThePaper(without.folder).isEmpty)
        #expect(!without.folder.metrics.contains { $0.id.hasPrefix("lit.") })
    }
}
