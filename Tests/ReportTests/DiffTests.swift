import Experiment
import Foundation
import Testing
@testable import Report

@Suite struct DiffTests {
    private func diff(_ directory: URL) throws -> PublishedDiff {
        PublishedDiff(registry: try PublishedRegistry.bundled(), results: try ResultsFolder(directory: directory))
    }

    private func verdict(_ diff: PublishedDiff, _ id: String) -> Verdict? {
        diff.comparisons.first { $0.entry.id == id }?.verdict
    }

    @Test func judgesEachNumberAgainstItsEpsilon() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try writeAccuracyChapters(to: directory, preset: .paper, vitShift: -0.6, clipShift: 2.5, fineTuneShift: -3)
        let diff = try diff(directory)
        #expect(verdict(diff, "fei2024.table3.vit") == .reproduced)
        #expect(verdict(diff, "fei2024.table3.clip") == .beaten)
        #expect(verdict(diff, "fei2024.table3.clip_finetune") == .missed)
        #expect(verdict(diff, "fei2024.table4.clip") == .reproduced)
        #expect(verdict(diff, "fei2024.table4.vit") == .notPublished)
        #expect(verdict(diff, "fei2024.table1.batch_size") == .reproduced)
        #expect(verdict(diff, "fei2024.table5.vit") == .notRun)
        #expect(verdict(diff, "malpure2021.densenet201.validation") == .notRun)
        let vit = diff.comparisons.first { $0.entry.id == "fei2024.table3.vit" }!
        #expect(abs(vit.delta! - -0.6) < 1e-9)
        #expect(diff.failsStrict)
    }

    @Test func strictPassesWhenNothingMissesAndFailsOnADifferentSetting() throws {
        let good = try temporaryDirectory()
        let badSetting = try temporaryDirectory()
        defer {
            try? FileManager.default.removeItem(at: good)
            try? FileManager.default.removeItem(at: badSetting)
        }
        try writeAccuracyChapters(to: good, preset: .paper, vitShift: 0.4, clipShift: 3)
        try writeCost(to: good, preset: .paper)
        #expect(try !diff(good).failsStrict, "beaten and not-run numbers do not fail --strict")

        try writeAccuracyChapters(to: badSetting, preset: .paper, clipBatch: 512)
        let diff = try diff(badSetting)
        #expect(verdict(diff, "fei2024.table2.batch_size") == .differs)
        #expect(diff.failsStrict)
    }

    @Test func aDifferentCostTierDiffers() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try writeCost(to: directory, preset: .paper, fineTuneTier: .medium)
        let diff = try diff(directory)
        #expect(verdict(diff, "fei2024.table5.vit") == .reproduced)
        #expect(verdict(diff, "fei2024.table5.clip_finetune") == .differs)
        #expect(diff.failsStrict)
    }

    @Test func miniNumbersAreShownButNeverJudged() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try writeAccuracyChapters(to: directory, preset: .mini, fineTuneShift: -40, clipBatch: 64)
        let diff = try diff(directory)
        let fineTune = diff.comparisons.first { $0.entry.id == "fei2024.table3.clip_finetune" }!
        #expect(fineTune.verdict == .notComparableMini)
        #expect(abs(fineTune.delta! - -40) < 1e-9)
        #expect(verdict(diff, "fei2024.table2.batch_size") == .notComparableMini)
        #expect(!diff.failsStrict)
        let markdown = diff.markdown(resultsPath: "results", presets: try ResultsFolder(directory: directory).presets)
        #expect(markdown.contains("**Preset: mini**"))
        #expect(markdown.contains("not Food-101 numbers"))
        #expect(markdown.contains("| not comparable (mini) |"))
    }

    @Test func aChapterThatRanWithoutANumberSaysSo() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let vit = ViTResults(summary: "s", model: "m", checkpointSource: "c", dataset: "d", trainableParameters: 1,
                             hyperParameters: [HyperParameterName.learningRate: .number(1e-4)],
                             validation: TopKAccuracy(top1: accuracy(90), top5: accuracy(95)),
                             test: TopKAccuracy(top1: accuracy(91.87), top5: accuracy(95)), lossCurve: [])
        try ChapterRun(chapter: ViTResults.chapter, preset: .paper, seed: 1).write(vit, to: directory)
        let diff = try diff(directory)
        #expect(verdict(diff, "fei2024.table1.learning_rate") == .reproduced)
        #expect(verdict(diff, "fei2024.table1.batch_size") == .notInResults)
    }

    @Test func emptyResultsAreAllNotRun() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let diff = try diff(directory)
        #expect(diff.comparisons.allSatisfy { $0.verdict == .notRun || $0.verdict == .notPublished })
        #expect(!diff.failsStrict)
    }

    @Test func jsonHasOneRowPerPublishedNumber() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try writeAccuracyChapters(to: directory, preset: .paper, fineTuneShift: -3)
        let folder = try ResultsFolder(directory: directory)
        let data = try PublishedDiff(registry: try PublishedRegistry.bundled(), results: folder)
            .json(resultsPath: "results", presets: folder.presets)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let rows = try #require(object["rows"] as? [[String: Any]])
        #expect(rows.count == (try PublishedRegistry.bundled().entries.count))
        let row = try #require(rows.first { $0["id"] as? String == "fei2024.table3.clip_finetune" })
        #expect(row["verdict"] as? String == "missed")
        #expect(row["preset"] as? String == "paper")
        #expect(row["reproduced_metric"] as? String == "clip-finetune.test")
        #expect(object["fails_strict"] as? Bool == true)
    }

    @Test func runAgainstRunListsEveryMetricWithDeltas() throws {
        let first = try temporaryDirectory()
        let second = try temporaryDirectory()
        defer {
            try? FileManager.default.removeItem(at: first)
            try? FileManager.default.removeItem(at: second)
        }
        try writeAccuracyChapters(to: first, preset: .paper)
        try writeAccuracyChapters(to: second, preset: .mini, vitShift: 2)
        try writeCost(to: second, preset: .mini)
        let diff = RunDiff(this: try ResultsFolder(directory: first), other: try ResultsFolder(directory: second))
        let vit = try #require(diff.rows.first { $0.id == "vit.test.top1" })
        #expect(abs(vit.delta! - 2) < 1e-9)
        #expect(vit.crossesPresets)
        #expect(diff.rows.contains { $0.id == "cost.vit.tier" && $0.this == nil && $0.other != nil })
        let markdown = diff.markdown(thisPath: "a", otherPath: "b")
        #expect(markdown.contains("(mini vs paper)"))
        #expect(markdown.contains("vit.test.top1"))
    }

    @Test func chaptersWithoutAPayloadTypeStillEnterRunDiffs() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        struct DataPayload: Encodable { let images: Int; let perClass: [Int]; let split: Split }
        struct Split: Encodable { let trainImages: Int }
        try ChapterRun(chapter: "data", preset: .mini, seed: 1)
            .write(DataPayload(images: 120, perClass: [1, 2], split: Split(trainImages: 80)), to: directory)
        let metrics = try ResultsFolder(directory: directory).metrics
        #expect(metrics.contains { $0.id == "data.images" && $0.number == 120 })
        #expect(metrics.contains { $0.id == "data.split.train_images" && $0.number == 80 })
        #expect(!metrics.contains { $0.id.hasPrefix("data.per_class") })
    }
}
