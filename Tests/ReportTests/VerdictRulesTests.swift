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
            .appendingPathComponent("Sources/Report/Resources/published.json")
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
