// The scaling chapter's findings and section, on synthetic payloads: a crossover at the first
// size whose interval clears zero-shot CLIP's (with the extended accuracy lost by then), "no
// crossover within the sizes run" when none does, the learning-rate sensitivity rule, and a
// paper.md that works without scaling.json.
import Common
import Foundation
import Results
import Testing
import Training
@testable import Report

@Suite struct ScalingReportTests {
    /// Sizes 10, 40, 160; zero-shot test 60% [59.5, 60.5], extended 80%.
    func payload(vit: [Double], ftCLIP: [Double], ftCLIPExtended: [Double], vitRates: [Double], clipRates: [Double]) -> ScalingResults {
        let sizes = [10, 40, 160].enumerated().map { index, size in
            ScalingSize(imagesPerClass: size, trainImages: 91 * size, models: [
                "vit": ScalingAccuracy(test: accuracy(vit[index]), extended: nil, steps: size, seconds: 1),
                "ft-clip": ScalingAccuracy(test: accuracy(ftCLIP[index]), extended: accuracy(ftCLIPExtended[index]), steps: size, seconds: 1),
            ])
        }
        let factors = [0.3, 1, 3]
        let rates = zip(factors, vitRates).map { LearningRatePoint(model: "vit", factor: $0, learningRate: 1e-4 * $0, test: accuracy($1), extended: nil) }
            + zip(factors, clipRates).map { LearningRatePoint(model: "ft-clip", factor: $0, learningRate: 1e-4 * $0, test: accuracy($1), extended: accuracy(50)) }
        let models = ["vit", "ft-clip"].map { ScalingModel(id: $0, description: $0, checkpointSource: "c", learningRate: 1e-4, batchSize: 13, epochs: 10) }
        return ScalingResults(dataset: "test data", classes: ClassCounts(trained: 91, heldOut: 10), draw: "drawn", defaultTrainImages: 14_560,
                              models: models, sizes: sizes, learningRates: rates,
                              zeroShot: ScalingZeroShot(template: "a photo of {}, a type of food.", test: accuracy(60), extended: accuracy(80)))
    }

    func folder(_ payload: ScalingResults?, quick: Bool = false) throws -> (ResultsFolder, URL) {
        let directory = try temporaryDirectory()
        if let payload { try ResultsWriter(chapter: ScalingResults.chapter, preset: .mini, seed: 0, quick: quick).write(payload, to: directory) }
        return (try ResultsFolder(directory: directory), directory)
    }

    @Test func crossoverIsTheFirstSizeClearOfZeroShotWithTheExtendedLoss() throws {
        let (results, directory) = try folder(payload(vit: [40, 60.8, 70], ftCLIP: [30, 55, 75], ftCLIPExtended: [70, 60, 42],
                                                      vitRates: [50, 70, 60], clipRates: [20, 75, 10]))
        defer { try? FileManager.default.removeItem(at: directory) }
        let findings = ScalingFindings(results: results).all
        #expect(findings.count == 3)
        // 60.8 [60.3, 61.3] overlaps zero-shot's [59.5, 60.5]: ViT crosses at 160, not 40.
        #expect(findings[0].outcome == .held && findings[0].evidence.hasPrefix("first at 160 images a class"), "\(findings[0].evidence)")
        #expect(findings[0].evidence.contains("no extended accuracy"))
        #expect(findings[1].outcome == .held && findings[1].evidence.contains("first at 160 images a class"))
        #expect(findings[1].evidence.contains("extended accuracy by then 42.00%") && findings[1].evidence.contains("38.00 points lost"),
                "\(findings[1].evidence)")
        // Spreads: ft-clip 65 points, ViT 20: CLIP the more sensitive.
        #expect(findings[2].outcome == .held && findings[2].evidence.contains("65.00 points for ft-clip"), "\(findings[2].evidence)")
    }

    @Test func noCrossoverWithinTheSizesRunAndTheReverseSensitivity() throws {
        let (results, directory) = try folder(payload(vit: [40, 50, 59], ftCLIP: [30, 45, 60.4], ftCLIPExtended: [70, 60, 50],
                                                      vitRates: [30, 59, 70], clipRates: [58, 60.4, 59]))
        defer { try? FileManager.default.removeItem(at: directory) }
        let findings = ScalingFindings(results: results).all
        for finding in findings.prefix(2) {
            #expect(finding.outcome == .didNotHold && finding.evidence.hasPrefix("no crossover within the sizes run (10, 40, 160 images a class)"),
                    "\(finding.evidence)")
        }
        #expect(findings[2].outcome == .didNotHold, "ViT spreads 40 points, ft-clip 2.4: \(findings[2].evidence)")
    }

    @Test func spreadsWithinTheIntervalsAreUndecidedAndQuickRunsJudgeNothing() throws {
        let undecided = payload(vit: [40, 50, 70], ftCLIP: [30, 45, 70], ftCLIPExtended: [70, 60, 50], vitRates: [60, 60.3, 60], clipRates: [60, 60, 60.6])
        let (results, directory) = try folder(undecided)
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(ScalingFindings(results: results).all[2].outcome == .undecided, "spreads 0.3 and 0.6 points, half-width 0.5")
        let (quick, quickDirectory) = try folder(undecided, quick: true)
        defer { try? FileManager.default.removeItem(at: quickDirectory) }
        #expect(ScalingFindings(results: quick).all.allSatisfy { $0.outcome == .quickRun })
    }

    @Test func paperHasTheSectionTablesAndFindingsOrSaysTheChapterWasNotRun() throws {
        let (results, directory) = try folder(payload(vit: [40, 60.8, 70], ftCLIP: [30, 55, 75], ftCLIPExtended: [70, 60, 42],
                                                      vitRates: [50, 70, 60], clipRates: [20, 75, 10]))
        defer { try? FileManager.default.removeItem(at: directory) }
        let registry = try PublishedRegistry.bundled()
        let paper = PaperDocument(registry: registry, results: results, figurePaths: ["fig-scaling": "figures/fig-scaling.png"]).render()
        #expect(paper.contains("Beyond the paper: when does fine-tuning pay?"))
        #expect(paper.contains("| 160 | 14560 | 70.00 [69.50, 70.50] | — | 75.00 [74.50, 75.50] | 42.00 [41.50, 42.50] |"))
        #expect(paper.contains("![Accuracy against training images per class"))
        #expect(paper.contains("fine-tuning by ft-clip beats zero-shot CLIP's test accuracy within the sizes run. **Held**: first at 160"))
        #expect(paper.contains("is more sensitive to the learning rate than fine-tuning ViT. **Held**"))
        let figure = try #require(Report.figures(registry: registry, results: results).first { $0.name == "fig-scaling" })
        let written = try figure.write(to: directory.appendingPathComponent("figures"))
        #expect(Set(written.map(\.pathExtension)) == ["png", "svg"])
        #expect(written.allSatisfy { ((try? FileManager.default.attributesOfItem(atPath: $0.path)[.size] as? Int) ?? 0) > 1000 })

        let (empty, emptyDirectory) = try folder(nil)
        defer { try? FileManager.default.removeItem(at: emptyDirectory) }
        let without = PaperDocument(registry: registry, results: empty, figurePaths: [:]).render()
        #expect(without.contains("the `scaling` chapter was not run"))
        #expect(!without.contains("(scaling)"), "no scaling findings without its results")
        #expect(!Report.figures(registry: registry, results: empty).map(\.name).contains("fig-scaling"))
    }
}
