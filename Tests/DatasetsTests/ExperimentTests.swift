import Foundation
import Testing
@testable import Common
import Results
import Training

@Suite struct SeededGeneratorTests {
    @Test func matchesAnIndependentXoshiro256StarStarReference() {
        // Outputs of a Python transcription of xoshiro256** seeded through SplitMix64.
        var zero = SeededGenerator(seed: 0)
        #expect([zero.next(), zero.next(), zero.next()] == [0x99EC_5F36_CB75_F2B4, 0xBF6E_1F78_4956_452A, 0x1A5F_849D_4933_E6E0])
        var other = SeededGenerator(seed: 12345)
        #expect([other.next(), other.next()] == [0xBE6A_3637_4160_D49B, 0x214A_AA06_37A6_88C6])
    }

    @Test func derivedStreamsDependOnlyOnSeedAndIndex() {
        var drawn = SeededGenerator(seed: 7)
        _ = (0..<10).map { _ in drawn.next() }
        var a = drawn.derived(3), b = SeededGenerator(seed: 7).derived(3), c = SeededGenerator(seed: 7).derived(4)
        let first = a.next()
        #expect(first == b.next())
        #expect(first != c.next())
        var named = SeededGenerator(seed: 7).derived("train"), again = SeededGenerator(seed: 7).derived("train")
        #expect(named.next() == again.next())
    }

    @Test func boundedIntegersStayInRangeAndCoverIt() {
        var generator = SeededGenerator(seed: 1)
        var seen = [Int](repeating: 0, count: 7)
        for _ in 0..<7_000 { seen[generator.int(below: 7)] += 1 }
        #expect(seen.allSatisfy { $0 > 850 && $0 < 1_150 })
        let units = (0..<1_000).map { _ in generator.unit() }
        #expect(units.allSatisfy { $0 >= 0 && $0 < 1 })
    }

    @Test func shuffleIsASeededPermutation() {
        var a = SeededGenerator(seed: 5), b = SeededGenerator(seed: 5), c = SeededGenerator(seed: 6)
        let items = Array(0..<50)
        let shuffled = a.shuffled(items)
        #expect(shuffled.sorted() == items)
        #expect(shuffled != items)
        #expect(shuffled == b.shuffled(items))
        #expect(shuffled != c.shuffled(items))
    }
}

@Suite struct SHA256Tests {
    @Test func matchesTheFIPSTestVectors() {
        #expect(SHA256.hex([UInt8]()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex("abc".utf8) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test func incrementalUpdatesEqualOneShot() {
        let bytes = (0..<1_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        var hasher = SHA256()
        for chunk in stride(from: 0, to: bytes.count, by: 37) { hasher.update(bytes[chunk..<min(chunk + 37, bytes.count)]) }
        #expect(hasher.hexDigest() == SHA256.hex(bytes))
    }
}

@Suite struct ChapterRunTests {
    struct Payload: ChapterPayload {
        static let chapter = "probe"
        let heldOutCount: Int
    }

    @Test func writesTheEnvelopeAtomically() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("chapter-run-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = try ChapterResultsFile(preset: .mini, seed: 42, quick: false, gitCommit: currentGitCommit(), machine: .current,
                                          started: "2026-12-03T00:00:00Z", seconds: 1, peakMemoryBytes: nil, output: nil,
                                          results: Payload(heldOutCount: 10)).write(to: directory)
        #expect(file.lastPathComponent == "probe.json")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["probe.json"])

        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
        #expect(json["schema_version"] as? Int == 1)
        #expect(json["chapter"] as? String == "probe")
        #expect(json["preset"] as? String == "mini")
        #expect(json["seed"] as? Int == 42)
        #expect((json["git_commit"] as? String)?.isEmpty == false)
        #expect((json["machine"] as? [String: Any])?["cores"] as? Int == ProcessInfo.processInfo.activeProcessorCount)
        #expect(json["started"] is String && json["seconds"] is Double)
        #expect((json["results"] as? [String: Any])?["held_out_count"] as? Int == 10)
    }
}

@Suite struct SeedRunsTests {
    @Test func spreadIsTheMeanAndSampleStandardDeviation() {
        let spread = Spread([0.60, 0.62, 0.64])
        #expect(abs(spread.mean - 0.62) < 1e-12)
        #expect(abs(spread.standardDeviation - 0.02) < 1e-12)
        #expect(Spread([0.7]).standardDeviation == 0)
    }

    @Test func seedsStartAtTheChaptersOwn() {
        #expect(SeedRuns.seeds(from: 7, count: 3) == [7, 8, 9])
        #expect(SeedRuns.seeds(from: 7, count: 1) == [7])
    }
}
