// The percentile bootstrap every chapter's accuracy interval comes from, checked against what
// the binomial distribution says an accuracy over n images must do.
import Foundation
import Testing
@testable import Common
import Results
import Training

@Suite struct BootstrapTests {
    /// `correct` hits among `count` images, spread evenly.
    func hits(_ correct: Int, of count: Int) -> [Bool] {
        (0..<count).map { $0 * correct / count != ($0 + 1) * correct / count }
    }

    @Test func intervalBracketsTheAccuracyWithTheBinomialWidth() throws {
        let accuracy = bootstrappedAccuracy(hits(300, of: 400), resamples: BootstrapInterval.standardResamples, seed: 1)
        let interval = try #require(accuracy.interval)
        #expect(accuracy.value == 0.75 && accuracy.images == 400 && interval.resamples == 1000)
        #expect(interval.low < 0.75 && interval.high > 0.75)
        // The normal approximation: ±1.96 standard errors, sqrt(0.75 * 0.25 / 400) = 2.17 points each.
        let expected = 2 * 1.96 * (0.75 * 0.25 / 400).squareRoot()
        #expect(abs((interval.high - interval.low) - expected) < 0.15 * expected, "width \(interval.high - interval.low), expected \(expected)")
        #expect(abs((interval.low + interval.high) / 2 - 0.75) < 0.01, "the interval is centred on the accuracy")
    }

    @Test func widthShrinksAsTheSquareRootOfTheImages() throws {
        let few = try #require(bootstrappedAccuracy(hits(60, of: 100), resamples: 1000, seed: 2).interval)
        let many = try #require(bootstrappedAccuracy(hits(960, of: 1600), resamples: 1000, seed: 2).interval)
        let ratio = (few.high - few.low) / (many.high - many.low)
        #expect(ratio > 3.3 && ratio < 4.8, "16 times the images should narrow the interval about 4 times, got \(ratio)")
    }

    @Test func aSeedGivesTheSameIntervalEveryTime() {
        let sample = hits(513, of: 777)
        #expect(bootstrappedAccuracy(sample, resamples: 300, seed: 9) == bootstrappedAccuracy(sample, resamples: 300, seed: 9))
    }

    @Test func unanimousHitsGiveADegenerateInterval() {
        let perfect = bootstrappedAccuracy([Bool](repeating: true, count: 50), resamples: 100, seed: 1)
        #expect(perfect.value == 1 && perfect.interval?.low == 1 && perfect.interval?.high == 1)
        let hopeless = bootstrappedAccuracy([Bool](repeating: false, count: 50), resamples: 100, seed: 1)
        #expect(hopeless.value == 0 && hopeless.interval?.low == 0 && hopeless.interval?.high == 0)
    }

    /// A 95% interval must contain the true accuracy about 95% of the time: 1,000 test sets of 200
    /// images drawn from a classifier that is right with probability 0.6.
    @Test func coversTheTrueAccuracyAboutNinetyFivePercentOfTheTime() {
        var world = SeededGenerator(seed: 42)
        var covered = 0
        let sets = 1000
        for index in 0..<sets {
            let sample = (0..<200).map { _ in world.chance(0.6) }
            let interval = bootstrappedAccuracy(sample, resamples: 400, seed: UInt64(index)).interval!
            if interval.low <= 0.6 && 0.6 <= interval.high { covered += 1 }
        }
        // Binomial(1000, 0.95) has mean 950 and standard deviation 6.9 (the percentile bootstrap
        // runs a point or so short on 200 images); a 90% interval (900) or a 99% one (990) lands
        // far outside this range.
        #expect((925...970).contains(covered), "covered \(covered) of \(sets)")
    }

    @Test func accuracyFromHitsCountsTheTrueOnes() {
        #expect(Accuracy(hits: [true, false, true, true]) == Accuracy(value: 0.75, images: 4))
        #expect(Accuracy(hits: []).value == 0)
    }

    @Test func percentWithIntervalWritesBothOrTheValueAlone() {
        let interval = BootstrapInterval(low: 0.80111, high: 0.85049, resamples: 1000)
        #expect(Accuracy(value: 0.8264, images: 910, interval: interval).percentWithInterval == "82.64% (95% CI 80.11-85.05%)")
        #expect(Accuracy(value: 0.8264, images: 910).percentWithInterval == "82.64%")
    }
}
