import Common
import Results
import Training
import Foundation
@testable import Report
import Testing

@Suite struct FindingsTests {
    func findings(vitShift: Double = 0, fineTuneShift: Double = 0, fineTuneTier: CostTier = .high) throws -> [Finding] {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try writeAccuracyChapters(to: directory, preset: .mini, vitShift: vitShift, fineTuneShift: fineTuneShift)
        try writeCost(to: directory, preset: .mini, fineTuneTier: fineTuneTier)
        return Findings(results: try ResultsFolder(directory: directory)).all
    }

    @Test func thePublishedNumbersUpholdEveryFinding() throws {
        #expect(try findings().map(\.outcome) == [.held, .held, .held, .held])
    }

    @Test func aViTBelowZeroShotCLIPRefutesTheFirstFinding() throws {
        let outcomes = try findings(vitShift: -20).map(\.outcome)
        #expect(outcomes == [.didNotHold, .held, .held, .held])
    }

    @Test func overlappingIntervalsLeaveAFindingUndecided() throws {
        // Fine-tuned CLIP moved onto zero-shot CLIP's test accuracy: the intervals overlap.
        let shift = try published("fei2024.table3.clip") - published("fei2024.table3.clip_finetune") + 0.3
        let outcomes = try findings(fineTuneShift: shift).map(\.outcome)
        #expect(outcomes[1] == .undecided)
    }

    @Test func aMisorderedCostTableRefutesTheCostFinding() throws {
        #expect(try findings(fineTuneTier: .low).last?.outcome == .didNotHold)
    }

    @Test func missingChaptersAreNotRun() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let outcomes = Findings(results: try ResultsFolder(directory: directory)).all.map(\.outcome)
        #expect(outcomes == [.notRun, .notRun, .notRun, .notRun])
    }
}
