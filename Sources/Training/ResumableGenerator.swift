// The trainer's randomness: xoshiro256** seeded through SplitMix64, with its state Codable so
// that a checkpoint can store it and a resumed run draws the same numbers.

public struct ResumableGenerator: RandomNumberGenerator, Codable, Equatable, Sendable {
    private var s0, s1, s2, s3: UInt64

    /// Stream `stream` of `seed`: different streams of one seed are independent.
    public init(seed: UInt64, stream: UInt64 = 0) {
        var mixer = seed ^ (stream &* 0xD1B5_4A32_D192_ED03)
        s0 = Self.splitMix(&mixer)
        s1 = Self.splitMix(&mixer)
        s2 = Self.splitMix(&mixer)
        s3 = Self.splitMix(&mixer)
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

    /// Uniform in 0..<bound, unbiased (Lemire's multiply-and-reject); fixed here rather than
    /// taken from the standard library, whose algorithms may change between releases.
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

    /// Uniform in [0, 1) with 24 bits, the precision of a Float.
    public mutating func unitFloat() -> Float {
        Float(next() >> 40) * 0x1.0p-24
    }

    /// 0..<count in a random order (Fisher–Yates, drawing from the end).
    public mutating func permutation(_ count: Int) -> [Int] {
        var items = Array(0..<count)
        var i = count
        while i > 1 {
            let j = int(below: i)
            i -= 1
            items.swapAt(i, j)
        }
        return items
    }

    private func rotate(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    private static func splitMix(_ state: inout UInt64) -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
