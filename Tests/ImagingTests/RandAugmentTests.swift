import Foundation
import Testing
@testable import Imaging

/// scripts/goldens/randaugment.py's record: timm's RandAugment operations on two small images.
struct RandAugmentGoldens: Decodable {
    struct Picture: Decodable {
        let width: Int
        let height: Int
        let rgb: String
        var image: Image { Image(width: width, height: height, pixels: [UInt8](Data(base64Encoded: rgb)!)) }
    }

    struct Case: Decodable, CustomTestStringConvertible {
        let image: Int
        let operation: String
        let magnitude: Double
        let negated: Bool
        let argument: Double?
        let rgb: String
        var testDescription: String { "\(operation) m\(magnitude)\(negated ? " negated" : "") on image \(image)" }
    }

    let config: String
    let layers: Int
    let magnitude: Double
    let magnitude_std: Double
    let probability: Double
    let operations: [String]
    let fill: [UInt8]
    let images: [Picture]
    let cases: [Case]

    static let loaded: RandAugmentGoldens = {
        do {
            return try JSONDecoder().decode(RandAugmentGoldens.self, from: Data(contentsOf: Fixtures.url("randaugment.json")))
        } catch {
            fatalError("cannot read \(Fixtures.url("randaugment.json").path): \(error)")
        }
    }()
}

@Suite struct RandAugmentTests {
    static let goldens = RandAugmentGoldens.loaded

    @Test("the configuration parses to timm's: layers, magnitude, its std, probability, the increasing set")
    func parsesFTCLIPConfiguration() throws {
        let randAugment = try RandAugment(Self.goldens.config)
        #expect(randAugment.layers == Self.goldens.layers && randAugment.magnitude == Self.goldens.magnitude)
        #expect(randAugment.magnitudeStd == Self.goldens.magnitude_std && randAugment.probability == Self.goldens.probability)
        #expect(randAugment.operations.map(\.rawValue) == Self.goldens.operations)
        #expect(try JSONDecoder().decode(RandAugment.self, from: JSONEncoder().encode(randAugment)) == randAugment)
    }

    @Test("configurations it does not implement are refused with the reason",
          arguments: ["rand-m9-mstd0.5", "rand-m9-mstd0.5-inc0", "rand-m9-inc1-tweights", "rand-m9-mmax15-inc1",
                      "rand-m9-mstd101-inc1", "augmix-m9-inc1", "rand-mx-inc1", "rand-m9-p2-inc1", "rand-m9-foo-inc1"])
    func refusesUnimplemented(_ configuration: String) {
        #expect(throws: RandAugmentError.self) { try RandAugment(configuration) }
    }

    /// Every operation's argument equals timm's level function, and its output Pillow's bit for
    /// bit, the bicubic affine ones (rotate, shear, translate) included.
    @Test("each operation matches timm and Pillow", arguments: RandAugmentGoldens.loaded.cases)
    func operationMatchesPillow(_ golden: RandAugmentGoldens.Case) throws {
        let operation = try #require(RandAugment.Operation(rawValue: golden.operation))
        let argument = operation.argument(magnitude: golden.magnitude, negated: golden.negated)
        #expect((argument == nil) == (golden.argument == nil))
        if let argument, let expected = golden.argument { #expect(abs(argument - expected) <= 1e-12 * max(1, abs(expected))) }
        let source = Self.goldens.images[golden.image].image
        let output = source.applying(operation, argument: golden.argument, fill: Self.goldens.fill)
        let expected = [UInt8](Data(base64Encoded: golden.rgb)!)
        let difference = maxAbsDifference(output.pixels, expected)
        #expect(difference == 0, "largest difference \(difference)")
    }

    @Test("operations are drawn uniformly, applied half the time, magnitudes ~N(9, 0.5) clipped to [0, 10]")
    func drawsLikeTimm() throws {
        let randAugment = try RandAugment("rand-m9-mstd0.5-inc1")
        var generator = SplitMix(state: 7)
        let draws = 60_000
        var counts = [RandAugment.Operation: Int](), applied = 0, magnitudes = [Double](), negated = 0, signed = 0
        for _ in 0..<draws {
            let draw = randAugment.draw(using: &generator)
            counts[draw.operation, default: 0] += 1
            guard let magnitude = draw.magnitude else { continue }
            applied += 1
            magnitudes.append(magnitude)
            if draw.operation.isSigned { signed += 1; if draw.negated { negated += 1 } }
        }
        let expectedCount = Double(draws) / 15
        for operation in RandAugment.Operation.allCases {
            #expect(abs(Double(counts[operation] ?? 0) - expectedCount) < 5 * expectedCount.squareRoot(), "\(operation): \(counts[operation] ?? 0)")
        }
        #expect(abs(Double(applied) / Double(draws) - 0.5) < 0.01)
        #expect(abs(Double(negated) / Double(signed) - 0.5) < 0.015)
        #expect(magnitudes.allSatisfy { (0...10).contains($0) })
        let mean = magnitudes.reduce(0, +) / Double(magnitudes.count)
        let std = (magnitudes.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(magnitudes.count)).squareRoot()
        // N(9, 0.5) clipped at 10 has mean 8.9956 and std 0.4897 (10^7 numpy draws).
        #expect(abs(mean - 8.9956) < 0.012 && abs(std - 0.4897) < 0.008, "mean \(mean), std \(std)")
        let clippedAtTen = Double(magnitudes.filter { $0 == 10 }.count) / Double(magnitudes.count)
        #expect(abs(clippedAtTen - 0.02275) < 0.004, "P(N(9, 0.5) >= 10) is 2.3%, got \(clippedAtTen)")
    }

    @Test("an apply with probability 1 and one layer is the drawn operation at the drawn magnitude")
    func applyIsTheDraw() throws {
        let randAugment = try RandAugment("rand-n1-m9-mstd0.5-p1-inc1")
        let source = Self.goldens.images[0].image
        for seed in 0..<20 as Range<UInt64> {
            var forDraw = SplitMix(state: seed), forApply = SplitMix(state: seed)
            let draw = randAugment.draw(using: &forDraw)
            let magnitude = try #require(draw.magnitude)
            let expected = source.applying(draw.operation, argument: draw.operation.argument(magnitude: magnitude, negated: draw.negated),
                                           fill: Self.goldens.fill)
            #expect(randAugment.apply(to: source, fill: Self.goldens.fill, using: &forApply) == expected)
        }
    }
}

/// A small seeded generator for the distribution tests.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
