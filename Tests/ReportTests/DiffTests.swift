import Common
import Results
import Training
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
        let vit = ViTResults(model: "m", checkpointSource: "c", dataset: "d", trainableParameters: 1,
                             hyperParameters: [HyperParameterName.learningRate: .number(1e-4)],
                             test: TopKAccuracy(top1: accuracy(91.87), top5: accuracy(95)), lossCurve: [], classes: ClassCounts(trained: 91, heldOut: 10), trainImages: 100, resumedFromStep: nil)
        try ResultsWriter(chapter: ViTResults.chapter, preset: .paper, seed: 1).write(vit, to: directory)
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

    @Test func anAccuracyIsJudgedByItsIntervalWidenedByEpsilon() throws {
        let target = try published("fei2024.table3.clip")
        /// The comparison of Table 3's zero-shot cell with a paper-preset run at `value` percent,
        /// its interval `halfWidth` points either side (none when nil).
        func judge(_ value: Double, halfWidth: Double?) throws -> PublishedComparison {
            let directory = try temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let interval = halfWidth.map { BootstrapInterval(low: (value - $0) / 100, high: (value + $0) / 100, resamples: 1000) }
            let clip = CLIPZeroShotResults(model: "m", checkpointSource: "c", dataset: "d", templates: ["t"],
                                           test: Accuracy(value: value / 100, images: 500, interval: interval),
                                           extended: accuracy(try published("fei2024.table4.clip")), classes: ClassCounts(trained: 91, heldOut: 10))
            try ResultsWriter(chapter: CLIPZeroShotResults.chapter, preset: .paper, seed: 1).write(clip, to: directory)
            return try #require(try diff(directory).comparisons.first { $0.entry.id == "fei2024.table3.clip" })
        }
        // Two points off: beyond a narrow interval plus one point, within a wide one (few images).
        #expect(try judge(target + 2, halfWidth: 0.5).verdict == .beaten)
        #expect(try judge(target + 2, halfWidth: 1.5).verdict == .reproduced)
        #expect(try judge(target - 2, halfWidth: 1.5).verdict == .reproduced)
        #expect(try judge(target - 3, halfWidth: 1.5).verdict == .missed)
        // Without an interval, the value alone is widened by epsilon.
        #expect(try judge(target + 0.8, halfWidth: nil).verdict == .reproduced)
        #expect(try judge(target - 1.2, halfWidth: nil).verdict == .missed)
        let range = try #require(try judge(target + 2, halfWidth: 1.5).acceptedRange)
        #expect(abs(range.lowerBound - (target - 0.5)) < 1e-9 && abs(range.upperBound - (target + 4.5)) < 1e-9)
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
        // The range of published values that would have counted as reproduced: the interval ±1 point.
        let interval = try #require(row["interval"] as? [Double]), accepted = try #require(row["accepted_range"] as? [Double])
        #expect(abs(accepted[0] - (interval[0] - 1)) < 1e-9 && abs(accepted[1] - (interval[1] + 1)) < 1e-9)
        let setting = try #require(rows.first { $0["id"] as? String == "fei2024.table2.batch_size" })
        #expect(setting["accepted_range"] is NSNull)
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
        // Two points apart with ±0.5-point intervals is outside them; an unchanged accuracy is within.
        #expect(vit.withinIntervals == false)
        #expect(diff.rows.first { $0.id == "clip.test" }?.withinIntervals == true)
        #expect(diff.rows.first { $0.id == "vit.trainable_parameters" }?.withinIntervals == nil)
        #expect(diff.rows.contains { $0.id == "cost.vit.tier" && $0.this == nil && $0.other != nil })
        let markdown = diff.markdown(thisPath: "a", otherPath: "b")
        #expect(markdown.contains("(mini vs paper)"))
        #expect(markdown.contains("vit.test.top1"))
        #expect(markdown.contains("(within the intervals)"))
        let json = try #require(try JSONSerialization.jsonObject(with: diff.json(thisPath: "a", otherPath: "b")) as? [String: Any])
        let clip = try #require((json["rows"] as? [[String: Any]])?.first { $0["id"] as? String == "clip.test" })
        #expect((clip["this_interval"] as? [Double])?.count == 2 && clip["within_intervals"] as? Bool == true)
    }

    @Test func chaptersWithoutAPayloadTypeStillEnterRunDiffs() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        struct ExtraPayload: ChapterPayload { static let chapter = "extra"; let images: Int; let perClass: [Int]; let split: Split }
        struct Split: Codable { let trainImages: Int }
        try ResultsWriter(chapter: "extra", preset: .mini, seed: 1)
            .write(ExtraPayload(images: 120, perClass: [1, 2], split: Split(trainImages: 80)), to: directory)
        let metrics = try ResultsFolder(directory: directory).metrics
        #expect(metrics.contains { $0.id == "extra.images" && $0.number == 120 })
        #expect(metrics.contains { $0.id == "extra.split.train_images" && $0.number == 80 })
        #expect(!metrics.contains { $0.id.hasPrefix("extra.per_class") })
    }
}
