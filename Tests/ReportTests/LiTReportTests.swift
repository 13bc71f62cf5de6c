// LiT in the report: its results file round-trips, and paper.md, Figure 3 and the metrics the
// run-vs-run diff compares carry LiT when results/lit.json exists, and only then.
import Common
import Results
import Training
import Foundation
import Testing
@testable import Report

func litVariant(_ tower: LiTImageTower, test: Double, extended: Double) -> LiTVariantResults {
    LiTVariantResults(imageTower: tower, model: tower == .clip ? "CLIP ViT-B/32" : "ViT-B/16", imageCheckpoint: "test \(tower.rawValue)",
                      textCheckpoint: "test checkpoint", trainingPairs: "test pairs", trainingPairCount: 100, trainableParameters: 63_000_000,
                      hyperParameters: ["learning_rate": .number(1e-5), "locked": .text("vision_model")],
                      templates: ["a photo of {}, a type of food."], test: accuracy(test * 100), extended: accuracy(extended * 100),
                      promptEnsembles: [PromptEnsembleAccuracy(templates: ["a photo of a {}.", "itap of a {}."], test: accuracy(85),
                                                               extended: accuracy(96), name: "test templates")],
                      beforeTuning: tower == .clip ? [PromptEnsembleAccuracy(templates: ["a photo of {}, a type of food."], test: accuracy(81),
                                                                             extended: accuracy(97))] : nil,
                      lossCurve: lossCurve(steps: 8), epochMeanLosses: [1, 0.5])
}

func litResults(test: Double = 0.8412, extended: Double = 0.9531) -> LiTResults {
    LiTResults(dataset: "test data", classes: ClassCounts(trained: 91, heldOut: 10), variants: [
        litVariant(.clip, test: test, extended: extended), litVariant(.vitPretrained, test: 0.5, extended: 0.6),
        litVariant(.vitFineTuned, test: 0.7731, extended: 0.4125),
    ])
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
        #expect(text.contains("\"image_tower\" : \"vit-fine-tuned\"") && text.contains("\"before_tuning\"") && text.contains("\"loss_curve\""))
        let read = try #require(try ChapterResultsFile<LiTResults>.load(from: root))
        #expect(read.chapter == "lit" && read.preset == .mini && read.seed == 2)
        #expect(read.results == written)
    }

    @Test func oneLiTRowPerImageTowerAppearsOnlyWithLitResults() throws {
        let with = try paper(withLiT: true)
        defer { try? FileManager.default.removeItem(at: with.root) }
        let labels = ["LiT, locked CLIP image tower", "LiT, locked pretrained ViT", "LiT, locked fine-tuned ViT"]
        #expect(AccuracyRow.beyondThePaper(with.folder).map(\.label) == labels)
        for (label, (test, extended)) in zip(labels, [("84.12", "95.31"), ("50.00", "60.00"), ("77.31", "41.25")]) {
            let rows = with.paper.split(separator: "\n").filter { $0.hasPrefix("| \(label) |") }
            #expect(rows.count == 2, "one row in each of Tables 3 and 4: \(rows)")
            #expect(rows.first?.contains("| — | \(test) [") == true && rows.last?.contains("| — | \(extended) [") == true, "\(rows)")
            #expect(rows.allSatisfy { $0.hasSuffix("| *beyond the paper* |") })
        }
        #expect(with.paper.contains("Beyond the paper: LiT") && with.paper.contains("> **lit**: Locking the CLIP image tower") && with.paper.contains("[mini preset]"))
        #expect(with.paper.contains("Locking the fine-tuned ViT (ViT-B/16)"))
        #expect(with.paper.contains("LiT: Zero-Shot Transfer with Locked-image text Tuning"))
        // The conclusion answers LiT's question on the fine-tuned ViT's tower.
        let finding = try #require(with.paper.split(separator: "\n").first { $0.contains("Beyond the paper: LiT on a locked ViT (fine-tuned ViT)") })
        #expect(finding.contains("LiT test 77.31%") && finding.contains("LiT extended 41.25%"), "\(finding)")
        let ids = Set(with.folder.metrics.map(\.id))
        for id in ["lit.clip.test", "lit.clip.extended", "lit.clip.ensemble.1.test", "lit.clip.before_tuning.1.extended", "lit.clip.final_loss",
                   "lit.vit-pretrained.test", "lit.vit-fine-tuned.extended", "lit.vit-fine-tuned.training_pairs", "lit.seconds"] {
            #expect(ids.contains(id), "\(id)")
        }
        #expect(!ids.contains("lit.vit-pretrained.before_tuning.1.test"))
        #expect(abs((with.folder.metrics.first { $0.id == "lit.clip.test" }?.number ?? 0) - 84.12) < 1e-9)
        #expect(with.folder.others.allSatisfy { $0.chapter != "lit" }, "lit.json is read by type, not generically")

        let without = try paper(withLiT: false)
        defer { try? FileManager.default.removeItem(at: without.root) }
        #expect(!without.paper.contains("| LiT") && !without.paper.contains("Beyond the paper: LiT"))
        #expect(AccuracyRow.beyondThePaper(without.folder).isEmpty)
        #expect(!without.folder.metrics.contains { $0.id.hasPrefix("lit.") })
    }

    @Test func theLiTFindingFollowsTheNumbers() throws {
        func outcome(_ lit: LiTResults, vitTest: Double) throws -> Finding.Outcome? {
            let root = try temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: root) }
            try ResultsWriter(chapter: LiTResults.chapter, preset: .mini, seed: 2).write(lit, to: root)
            try ResultsWriter(chapter: ViTResults.chapter, preset: .mini, seed: 2).write(vitResults(test: vitTest), to: root)
            return Findings(results: try ResultsFolder(directory: root)).lockedViTGainsZeroShot?.outcome
        }
        #expect(try outcome(litResults(), vitTest: 0.78) == .held)
        #expect(try outcome(litResults(), vitTest: 0.95) == .didNotHold)
        var chance = litResults()
        chance.variants[2].extended = accuracy(8)
        #expect(try outcome(chance, vitTest: 0.78) == .didNotHold)
        chance.variants[2].extended = accuracy(10)
        #expect(try outcome(chance, vitTest: 0.78) == .undecided, "an interval across chance decides nothing")
        var clipOnly = litResults()
        clipOnly.variants = [clipOnly.variants[0]]
        #expect(try outcome(clipOnly, vitTest: 0.78) == nil)
    }
}

/// A vit.json payload whose test top-1 is `test`.
func vitResults(test: Double) -> ViTResults {
    let top = TopKAccuracy(top1: accuracy(test * 100), top5: accuracy(99))
    return ViTResults(model: "ViT-B/16", checkpointSource: "test checkpoint", dataset: "test data", trainableParameters: 85_000_000,
                      hyperParameters: [:], test: top, lossCurve: lossCurve(steps: 4),
                      classes: ClassCounts(trained: 91, heldOut: 10), trainImages: 100, resumedFromStep: nil)
}
