// The verdict rules of issue 24: a direction per published number, so no verdict word says
// "better" where higher is not better.
import Common
import Results
import Training
import Foundation
import Testing
@testable import Report

@Suite struct VerdictDirectionTests {
    @Test func everyPublishedNumberHasTheDirectionOfItsKind() throws {
        let registry = try PublishedRegistry.bundled()
        for entry in registry.entries {
            switch entry.kind {
            case .setting, .parameterCount, .costTier: #expect(entry.direction == .reproduce, "\(entry.id)")
            case .seconds: #expect(entry.direction == .lowerIsBetter, "\(entry.id)")
            case .accuracy:
                let expected: PublishedDirection = entry.id == "fei2024.table4.clip_finetune" ? .reproduce : .higherIsBetter
                #expect(entry.direction == expected, "\(entry.id)")
            }
        }
        #expect(try #require(registry.entry("fei2024.table4.clip_finetune")?.note).contains("fails to reproduce the forgetting"))
    }

    /// Fine-tuned CLIP's 17.68% is the forgetting: above it is not "beaten", below not "missed".
    @Test func anExtendedAccuracyAboveTheForgettingIsNotReproducedNotBeaten() throws {
        func judge(_ percent: Double) throws -> PublishedComparison {
            let directory = try temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            try writeAccuracyChapters(to: directory, preset: .paper, fineTuneExtended: accuracy(percent))
            let diff = PublishedDiff(registry: try PublishedRegistry.bundled(), results: try ResultsFolder(directory: directory))
            return try #require(diff.comparisons.first { $0.entry.id == "fei2024.table4.clip_finetune" })
        }
        #expect(try judge(40).verdict == .notReproducedAbove)
        #expect(try judge(40).verdict.failsStrict)
        #expect(try judge(5).verdict == .notReproducedBelow)
        #expect(try judge(17.9).verdict == .reproduced)
        for percent in stride(from: 12.0, through: 95, by: 1) {
            #expect(![.beaten, .missed].contains(try judge(percent).verdict), "\(percent)%")
        }
    }

    @Test func outsideTheRangeTheDirectionNamesTheVerdict() {
        #expect(Verdict.outside(above: true, .higherIsBetter) == .beaten)
        #expect(Verdict.outside(above: false, .higherIsBetter) == .missed)
        #expect(Verdict.outside(above: true, .lowerIsBetter) == .missed)
        #expect(Verdict.outside(above: false, .lowerIsBetter) == .beaten)
        #expect(Verdict.outside(above: true, .reproduce) == .notReproducedAbove)
        #expect(Verdict.outside(above: false, .reproduce) == .notReproducedBelow)
    }

    /// A tier or a setting that is not the published one differs; it is never beaten or missed.
    @Test func costTiersAndSecondsAreNeverBetterOrWorse() throws {
        for tier in CostTier.allCases {
            let directory = try temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            try writeCost(to: directory, preset: .paper, fineTuneTier: tier)
            let diff = PublishedDiff(registry: try PublishedRegistry.bundled(), results: try ResultsFolder(directory: directory))
            for comparison in diff.comparisons where [.costTier, .seconds, .setting, .parameterCount].contains(comparison.entry.kind) {
                #expect(![.beaten, .missed, .notReproducedAbove, .notReproducedBelow].contains(comparison.verdict), "\(comparison.entry.id)")
            }
        }
    }

    @Test func aRegistryGivingATierADirectionIsRefused() throws {
        let bundled = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/Results/Resources/published.json")
        var text = try String(contentsOf: bundled, encoding: .utf8)
        let tier = try #require(text.range(of: "\"kind\": \"cost_tier\",\n      \"direction\": \"reproduce\""))
        text.replaceSubrange(tier, with: "\"kind\": \"cost_tier\",\n      \"direction\": \"lower_is_better\"")
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("published.json")
        try text.write(to: file, atomically: true, encoding: .utf8)
        #expect(throws: ChapterError.self) { try PublishedRegistry.load(file) }
    }
}

/// A folder mixing mini and paper files compares two worlds: findings and `report diff` refuse it.
@Suite struct MixedPresetTests {
    @Test func findingsRefuseAFolderMixingPresetsNamingTheFiles() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try writeAccuracyChapters(to: directory, preset: .mini)
        try writeCost(to: directory, preset: .paper)
        let folder = try ResultsFolder(directory: directory)
        let findings = Findings(results: folder).all
        #expect(findings.map(\.outcome) == [.mixedPresets])
        let line = try #require(folder.presetMixture)
        #expect(!line.contains("\n"))
        #expect(line.contains("clip.json") && line.contains("vit.json") && line.contains("(mini)"))
        #expect(line.contains("cost.json (paper)"))
        #expect(throws: ChapterError.self) { try folder.requireOnePreset() }
    }

    @Test func oneFolderOfOnePresetIsJudged() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try writeAccuracyChapters(to: directory, preset: .paper)
        try writeCost(to: directory, preset: .paper)
        let folder = try ResultsFolder(directory: directory)
        #expect(folder.presetMixture == nil)
        #expect(!Findings(results: folder).all.contains { $0.outcome == .mixedPresets })
    }
}

/// Where a chapter ran several seeds, a finding rests on every seed.
@Suite struct SeedAwareFindingsTests {
    /// The committed mini run's shape: zero-shot 81.6 [78.2, 85.0] extended, ft-clip 35.4 [31.2, 39.2]:
    /// its interval reaches 0.1 point past half of 78.2, but all three seeds lie below it.
    private func forgetting(seeds: [Double]?) throws -> Finding.Outcome {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let clip = CLIPZeroShotResults(model: "m", checkpointSource: "c", dataset: "d", templates: ["t"], test: accuracy(70),
            extended: Accuracy(value: 0.816, images: 500, interval: BootstrapInterval(low: 0.782, high: 0.85, resamples: 1000)),
            classes: ClassCounts(trained: 91, heldOut: 10))
        try ResultsWriter(chapter: CLIPZeroShotResults.chapter, preset: .mini, seed: 0).write(clip, to: directory)
        let runs = seeds.map { SeedRuns(seeds: (0..<UInt64($0.count)).map { $0 }, test: $0.map { _ in 0.6 }, extended: $0) }
        let tuned = CLIPFineTuneResults(model: "m", checkpointSource: "c", dataset: "d", trainableParameters: 1, hyperParameters: [:],
            test: accuracy(60), extended: Accuracy(value: 0.354, images: 500, interval: BootstrapInterval(low: 0.312, high: 0.392, resamples: 1000)),
            lossCurve: lossCurve(steps: 3), seedRuns: runs, classes: ClassCounts(trained: 91, heldOut: 10), recipe: "ft-clip", recipes: [])
        try ResultsWriter(chapter: CLIPFineTuneResults.chapter, preset: .mini, seed: 0).write(tuned, to: directory)
        return Findings(results: try ResultsFolder(directory: directory)).fineTuningCostsZeroShotAbility.outcome
    }

    @Test func allSeedsBelowHalfOfZeroShotDecideTheForgetting() throws {
        #expect(try forgetting(seeds: nil) == .undecided, "one run's interval crosses half of zero-shot")
        #expect(try forgetting(seeds: [0.354, 0.358, 0.38]) == .held)
        #expect(try forgetting(seeds: [0.354, 0.358, 0.395]) == .undecided, "one seed above the line")
        #expect(try forgetting(seeds: [0.43, 0.44, 0.45]) == .didNotHold)
    }

    @Test func seedsOnBothSidesMustEachBeOrdered() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let findings = Findings(results: try ResultsFolder(directory: directory))
        let a = accuracy(80), b = accuracy(79.8)
        #expect(findings.compare(a, b) == .orderedSame)
        #expect(findings.compare(a, b, seeds: [0.81, 0.82]) == .orderedDescending)
        #expect(findings.compare(a, b, seeds: [0.81, 0.80]) == .orderedSame)
        #expect(findings.compare(a, b, seeds: [0.81, 0.82], otherSeeds: [0.79, 0.815]) == .orderedSame)
        #expect(findings.compare(a, b, seeds: [0.81, 0.82], otherSeeds: [0.79, 0.80]) == .orderedDescending)
    }
}

/// "Most" and "least" are picked by intervals: overlapping best two are said to overlap.
@Suite struct IntervalExtremeTests {
    private func recipe(_ id: String, _ value: Double, _ low: Double, _ high: Double) -> CLIPRecipeResult {
        CLIPRecipeResult(id: id, test: accuracy(60), extended: Accuracy(value: value, images: 500,
                         interval: BootstrapInterval(low: low, high: high, resamples: 1000)), trained: "t", trainableParameters: 1, seconds: 1)
    }

    @Test func theCommittedRunHasNoClearlyLeastHurtRecipe() throws {
        let recipes = [recipe("ft-clip", 0.354, 0.312, 0.392), recipe("zero-shot-head", 0.672, 0.63, 0.712),
                       recipe("huggingface", 0.694, 0.652, 0.736), recipe("flyp", 0.70, 0.66, 0.736)]
        guard case .clear(let worst)? = IntervalExtreme.of(recipes, lowest: true, accuracy: \.extended) else {
            Issue.record("ft-clip lies wholly below the others"); return
        }
        #expect(worst.id == "ft-clip")
        guard case .overlapping(let tied)? = IntervalExtreme.of(recipes, lowest: false, accuracy: \.extended) else {
            Issue.record("flyp's interval overlaps huggingface's"); return
        }
        #expect(tied.map(\.id) == ["flyp", "zero-shot-head", "huggingface"])

        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let tuned = CLIPFineTuneResults(model: "m", checkpointSource: "c", dataset: "d", trainableParameters: 1, hyperParameters: [:],
            test: accuracy(60), extended: recipes[0].extended, lossCurve: lossCurve(steps: 3), classes: ClassCounts(trained: 91, heldOut: 10),
            recipe: "ft-clip", recipes: recipes)
        try ResultsWriter(chapter: CLIPFineTuneResults.chapter, preset: .mini, seed: 0).write(tuned, to: directory)
        let file = try #require(try ResultsFolder(directory: directory)[CLIPFineTuneResults.self])
        let clip = CLIPZeroShotResults(model: "m", checkpointSource: "c", dataset: "d", templates: ["t"], test: accuracy(70), extended: accuracy(81.6),
                                       classes: ClassCounts(trained: 91, heldOut: 10))
        try ResultsWriter(chapter: CLIPZeroShotResults.chapter, preset: .mini, seed: 0).write(clip, to: directory)
        let words = ChapterSummaries.forgetting(file, zeroShot: try ResultsFolder(directory: directory)[CLIPZeroShotResults.self])
        #expect(words.contains("suffer most under ft-clip"))
        #expect(words.contains("No recipe clearly least") && !words.contains("least under flyp"))
    }

    @Test func aClearExtremeIsNamed() {
        let recipes = [recipe("a", 0.2, 0.15, 0.25), recipe("b", 0.5, 0.45, 0.55), recipe("c", 0.8, 0.75, 0.85)]
        if case .clear(let best)? = IntervalExtreme.of(recipes, lowest: false, accuracy: \.extended) { #expect(best.id == "c") } else { Issue.record("c is clear") }
    }
}

/// cifar.json records its class count, so its accuracies get the chance guard; old files still read.
@Suite struct CIFARChanceTests {
    private func cifarMetrics(classes: ClassCounts?, percent: Double) throws -> [Metric] {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let model = CIFARModelResult(name: "DenseNet201", family: "CNN", trainableParameters: 10,
                                     validation: Accuracy(value: percent / 100, images: 100, interval: BootstrapInterval(low: (percent - 5) / 100, high: (percent + 5) / 100, resamples: 1000)),
                                     train: accuracy(91.2), trainSecondsPerEpoch: 1, validationSecondsPerEpoch: 1)
        try ResultsWriter(chapter: CIFARResults.chapter, preset: .paper, seed: 1)
            .write(CIFARResults(dataset: "d", hyperParameters: [:], models: [model], classes: classes), to: directory)
        return try ResultsFolder(directory: directory).metrics
    }

    @Test func aCIFARAccuracyAtChanceIsJudgedSo() throws {
        let metrics = try cifarMetrics(classes: ClassCounts(trained: 10, heldOut: 0), percent: 12)
        let validation = try #require(metrics.first { $0.id == "cifar.densenet201.validation" })
        #expect(validation.chance == 10)
        #expect(validation.atChance == true)
        let registry = try PublishedRegistry.bundled()
        let entry = try #require(registry.entry("malpure2021.densenet201.validation"))
        #expect(PublishedDiff.compare(entry, validation, chapterRan: true, tolerance: registry.tolerance(.accuracy)).verdict == .atChance)
    }

    @Test func anOldCIFARFileWithoutClassCountsStillReads() throws {
        let validation = try #require(try cifarMetrics(classes: nil, percent: 12).first { $0.id == "cifar.densenet201.validation" })
        #expect(validation.chance == nil)
    }
}

/// paper.md says which details are the project's readings, and what Table 5's verdicts judge.
@Suite struct ReadingsAndTierCaveatTests {
    @Test func thePaperNamesItsReadingsAndTheTierRulesLimit() throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let results = root.appendingPathComponent("results")
        try FileManager.default.createDirectory(at: results, withIntermediateDirectories: true)
        try writeAccuracyChapters(to: results, preset: .mini)
        try writeCost(to: results, preset: .mini)
        let output = root.appendingPathComponent("paper.md")
        _ = try ReportBuild.run(results: results, figures: root.appendingPathComponent("figures"), output: output)
        let paper = try String(contentsOf: output, encoding: .utf8)
        #expect(paper.contains("the paper numbers them C1 to C10 without naming them"))
        #expect(paper.contains("Extended accuracy is taken as a choice among those 10 classes"))
        #expect(paper.contains("the dataset's own lists split each class 750 to 250"))
        #expect(paper.contains("are this project's reading"))
        let table5 = try #require(paper.components(separatedBy: "**Table 5.**").dropFirst().first)
        #expect(table5.contains("the tier rule counts FLOPs"))
        #expect(table5.contains("\"High\" for fine-tuned CLIP rests on something FLOPs do not count"))
        #expect(table5.contains("\"Beyond the paper: when does fine-tuning pay?\""))
        let registry = try PublishedRegistry.bundled()
        #expect(try #require(registry.entry("fei2024.table4.clip")?.note).contains("the project's readings"))
        #expect(try #require(registry.checkpoints?["openai/clip-vit-base-patch32"]?.note).contains("this project's reading"))
    }
}
