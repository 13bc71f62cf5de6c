// The project's only source of randomness: xoshiro256** seeded through SplitMix64.
// Its algorithms are fixed here rather than borrowed from the standard library (whose
// `shuffle` and `random(in:)` may change between releases), so a seed means the same
// numbers on every toolchain. `derived(_:)` gives each item its own stream, a pure
// function of the seed and the index, so work spread over threads stays deterministic.
// The state is Codable: a trainer's checkpoint saves its generator, and the resumed run
// draws the same numbers the killed one would have.
import Foundation

public struct SeededGenerator: RandomNumberGenerator, Codable, Equatable, Sendable {
    public let seed: UInt64
    private var s0, s1, s2, s3: UInt64

    public init(seed: UInt64) {
        self.seed = seed
        var mixer = seed
        s0 = Self.splitMix(&mixer)
        s1 = Self.splitMix(&mixer)
        s2 = Self.splitMix(&mixer)
        s3 = Self.splitMix(&mixer)
    }

    /// An independent stream for item `index`, whatever has been drawn from this one.
    public func derived(_ index: UInt64) -> SeededGenerator {
        var mixer = seed ^ (index &* 0xD1B5_4A32_D192_ED03)
        _ = Self.splitMix(&mixer)
        return SeededGenerator(seed: Self.splitMix(&mixer))
    }

    /// An independent stream named by a word ("train", "captions"), via its FNV-1a hash.
    public func derived(_ name: String) -> SeededGenerator {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in name.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return derived(hash)
    }

    public mutating func next() -> UInt64 {
        let result = rotate(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotate(s3, 45)
        return result
    }

    /// Uniform in 0..<bound, unbiased (Lemire's multiply-and-reject).
    public mutating func int(below bound: Int) -> Int {
        precondition(bound > 0, "int(below:) needs a positive bound")
        let range = UInt64(bound)
        var product = next().multipliedFullWidth(by: range)
        if product.low < range {
            let threshold = (0 &- range) % range
            while product.low < threshold { product = next().multipliedFullWidth(by: range) }
        }
        return Int(product.high)
    }

    /// Uniform in [0, 1) with 53 bits of precision.
    public mutating func unit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A standard normal draw (Box–Muller on two uniforms; one of the pair is used, so each draw
    /// costs two uniforms and the sequence does not depend on how draws are grouped).
    public mutating func standardNormal() -> Double {
        let u1 = 1 - unit()  // in (0, 1], so the logarithm is finite
        let u2 = unit()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    public mutating func uniform(_ low: Double, _ high: Double) -> Double {
        low + (high - low) * unit()
    }

    public mutating func chance(_ probability: Double) -> Bool {
        unit() < probability
    }

    public mutating func pick<T>(_ choices: [T]) -> T {
        choices[int(below: choices.count)]
    }

    /// Fisher-Yates, drawing from the end.
    public mutating func shuffle<T>(_ items: inout [T]) {
        var i = items.count
        while i > 1 {
            let j = int(below: i)
            i -= 1
            items.swapAt(i, j)
        }
    }

    public mutating func shuffled<T>(_ items: [T]) -> [T] {
        var copy = items
        shuffle(&copy)
        return copy
    }

    /// 0..<count in a random order (`shuffle` of the identity).
    public mutating func permutation(_ count: Int) -> [Int] {
        shuffled(Array(0..<count))
    }

    private func rotate(_ x: UInt64, _ k: UInt64) -> UInt64 {
        (x << k) | (x >> (64 - k))
    }

    private static func splitMix(_ state: inout UInt64) -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
