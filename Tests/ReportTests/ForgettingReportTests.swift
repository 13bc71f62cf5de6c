// Beyond the paper, the recipes clip-finetune compared: the "What makes fine-tuned CLIP forget"
// table and figure in paper.md, and the paper's CLIP findings judged recipe by recipe.
import Common
import Results
import Training
import Foundation
@testable import Report
import Testing

@Suite struct ForgettingReportTests {
    /// ft-clip forgets (the published numbers); zero-shot-head keeps zero-shot CLIP's extended accuracy.
    func recipes() throws -> [CLIPRecipeResult] {
        [CLIPRecipeResult(id: "ft-clip", test: accuracy(try published("fei2024.table3.clip_finetune")),
                          extended: accuracy(try published("fei2024.table4.clip_finetune")), trained: "image encoder, fc_norm and head",
                          trainableParameters: 10, seconds: 1),
         CLIPRecipeResult(id: "zero-shot-head", test: accuracy(try published("fei2024.table3.clip_finetune")),
                          extended: accuracy(try published("fei2024.table4.clip")), trained: "image tower and head",
                          trainableParameters: 10, seconds: 1)]
    }

    @Test func eachRecipeIsJudgedOnItsOwnNumbers() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try writeAccuracyChapters(to: directory, preset: .mini, recipes: try recipes())
        try writeCost(to: directory, preset: .mini)
        let findings = Findings(results: try ResultsFolder(directory: directory)).all
        #expect(findings.count == 6)
        let keeps = try #require(findings.first { $0.claim.contains("zero-shot-head recipe (trained") })
        #expect(keeps.outcome == .didNotHold)
        #expect(findings.first { $0.claim.contains("zero-shot-head recipe raises") }?.outcome == .held)
        #expect(findings.first { $0.claim.contains("(ft-clip, the main recipe)") }?.outcome == .held)
    }

    @Test func paperHasTheForgettingTableAndFigure() throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let results = root.appendingPathComponent("results")
        try FileManager.default.createDirectory(at: results, withIntermediateDirectories: true)
        try writeAccuracyChapters(to: results, preset: .mini, recipes: try recipes())
        let output = root.appendingPathComponent("paper.md")
        _ = try ReportBuild.run(results: results, figures: root.appendingPathComponent("figures"), output: output)
        let paper = try String(contentsOf: output, encoding: .utf8)
        #expect(paper.contains("**What makes fine-tuned CLIP forget**"))
        #expect(paper.contains("| zero-shot-head |") && paper.contains("| ft-clip |") && paper.contains("| zero-shot CLIP (no fine-tuning) |"))
        #expect(paper.contains("(figures/fig-forgetting.png)"))
        #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent("figures/fig-forgetting.png").path))
        #expect(paper.contains("The held-out classes suffer most under ft-clip"))

        // Without compared recipes there is neither.
        try writeAccuracyChapters(to: results, preset: .mini)
        _ = try ReportBuild.run(results: results, figures: root.appendingPathComponent("figures"), output: output)
        #expect(!(try String(contentsOf: output, encoding: .utf8)).contains("What makes fine-tuned CLIP forget"))
    }
}
