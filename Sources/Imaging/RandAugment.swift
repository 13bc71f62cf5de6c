import Foundation

/// timm's RandAugment (timm 1.0.31, timm/data/auto_augment.py: rand_augment_transform) for the
/// configurations with the "increasing" operation set, e.g. FT-CLIP's `rand-m9-mstd0.5-inc1`:
/// `layers` times, an operation drawn uniformly (with replacement) from the 15 of
/// _RAND_INCREASING_TRANSFORMS, applied with probability `probability` at a magnitude drawn from
/// N(`magnitude`, `magnitudeStd`) and clipped to [0, 10]. Geometric operations fill with `fill`
/// and resample bicubic (create_transform's hparams for --train_interpolation bicubic).
public struct RandAugment: Codable, Equatable, Sendable, CustomStringConvertible {
    /// timm's operation names, in _RAND_INCREASING_TRANSFORMS' order.
    public enum Operation: String, CaseIterable, Sendable {
        case autoContrast = "AutoContrast", equalize = "Equalize", invert = "Invert", rotate = "Rotate"
        case posterizeIncreasing = "PosterizeIncreasing", solarizeIncreasing = "SolarizeIncreasing", solarizeAdd = "SolarizeAdd"
        case colorIncreasing = "ColorIncreasing", contrastIncreasing = "ContrastIncreasing"
        case brightnessIncreasing = "BrightnessIncreasing", sharpnessIncreasing = "SharpnessIncreasing"
        case shearX = "ShearX", shearY = "ShearY", translateXRel = "TranslateXRel", translateYRel = "TranslateYRel"

        /// Whether timm's level function negates the argument half the time (_randomly_negate).
        public var isSigned: Bool { ![.autoContrast, .equalize, .invert, .posterizeIncreasing, .solarizeIncreasing, .solarizeAdd].contains(self) }

        /// timm's LEVEL_TO_ARG at `magnitude` (0...10): the operation's argument, negated when
        /// `negated` and the operation is signed; nil for the operations without one.
        public func argument(magnitude: Double, negated: Bool) -> Double? {
            let level = magnitude / 10, sign = negated && isSigned ? -1.0 : 1.0
            switch self {
            case .autoContrast, .equalize, .invert: return nil
            case .rotate: return sign * level * 30
            case .posterizeIncreasing: return Double(4 - Int(level * 4))
            case .solarizeIncreasing: return Double(256 - min(256, Int(level * 256)))
            case .solarizeAdd: return Double(min(128, Int(level * 110)))
            case .colorIncreasing, .contrastIncreasing, .brightnessIncreasing, .sharpnessIncreasing:
                return max(0.1, 1.0 + sign * level * 0.9)
            case .shearX, .shearY: return sign * level * 0.3
            case .translateXRel, .translateYRel: return sign * level * 0.45
            }
        }
    }

    /// The configuration string, as given.
    public let configuration: String
    public let layers: Int
    public let magnitude: Double
    /// The standard deviation of the per-operation magnitude noise (0: none).
    public let magnitudeStd: Double
    public let probability: Double
    public var operations: [Operation] { Operation.allCases }

    /// Parses timm's configuration string: "rand", then dash-separated sections m<int> (default
    /// 10), n<int> (2), mstd<float> (0, at most 100), p<float> (0.5) and inc1. Refuses what this
    /// implementation does not run: inc0 or no inc (timm's other operation set), mmax, t<set>.
    public init(_ configuration: String) throws {
        func refuse(_ reason: String) -> RandAugmentError { RandAugmentError(configuration: configuration, reason: reason) }
        var sections = configuration.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        guard sections.first == "rand" else { throw refuse("it must start with \"rand\"") }
        sections.removeFirst()
        var (layers, magnitude, magnitudeStd, probability, increasing) = (2, 10.0, 0.0, 0.5, false)
        for section in sections {
            guard let digit = section.firstIndex(where: { $0.isNumber }) else { throw refuse("section \"\(section)\" has no value") }
            let (key, value) = (String(section[..<digit]), String(section[digit...]))
            switch key {
            case "m":
                guard let m = Int(value) else { throw refuse("m takes an integer, got \"\(value)\"") }
                magnitude = Double(m)
            case "n":
                guard let n = Int(value) else { throw refuse("n takes an integer, got \"\(value)\"") }
                layers = n
            case "mstd":
                guard let std = Double(value), std.isFinite, std <= 100 else {
                    throw refuse("mstd takes a number up to 100, got \"\(value)\" (timm's uniform sampling above 100 is not implemented)")
                }
                magnitudeStd = std
            case "p":
                guard let p = Double(value), p >= 0, p <= 1 else { throw refuse("p takes a probability in [0, 1], got \"\(value)\"") }
                probability = p
            case "inc":
                guard value == "1" else { throw refuse("only inc1 is implemented (timm's increasing operation set)") }
                increasing = true
            default: throw refuse("section \"\(section)\" is not implemented (m, n, mstd, p, inc1 are)")
            }
        }
        guard increasing else { throw refuse("only the increasing operation set (inc1) is implemented") }
        (self.configuration, self.layers, self.magnitude, self.magnitudeStd, self.probability) =
            (configuration, layers, magnitude, magnitudeStd, probability)
    }

    public var description: String { configuration }

    public init(from decoder: any Decoder) throws { try self.init(decoder.singleValueContainer().decode(String.self)) }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(configuration)
    }

    /// One layer's random choices: the operation, and unless it is skipped (probability
    /// 1 - `probability`) its clipped magnitude and whether a signed argument is negated.
    public struct Draw: Equatable, Sendable {
        public let operation: Operation
        /// nil when the layer leaves the image as it is.
        public let magnitude: Double?
        public let negated: Bool
    }

    /// timm's AugmentOp.__call__ choices for one layer, the operation drawn uniformly.
    public func draw<G: RandomNumberGenerator>(using generator: inout G) -> Draw {
        let operation = operations[Int.random(in: 0..<operations.count, using: &generator)]
        guard probability >= 1 || Double.random(in: 0..<1, using: &generator) <= probability else {
            return Draw(operation: operation, magnitude: nil, negated: false)
        }
        var magnitude = self.magnitude
        if magnitudeStd > 0 { magnitude += magnitudeStd * standardNormal(using: &generator) }
        let negated = operation.isSigned && Double.random(in: 0..<1, using: &generator) > 0.5
        return Draw(operation: operation, magnitude: max(0, min(magnitude, 10)), negated: negated)
    }

    /// RandAugment on `image`: `layers` draws, each applied in turn.
    public func apply<G: RandomNumberGenerator>(to image: Image, fill: [UInt8], using generator: inout G) -> Image {
        var image = image
        for _ in 0..<layers {
            let draw = draw(using: &generator)
            guard let magnitude = draw.magnitude else { continue }
            image = image.applying(draw.operation, argument: draw.operation.argument(magnitude: magnitude, negated: draw.negated), fill: fill)
        }
        return image
    }
}

extension Image {
    /// timm's NAME_TO_OP[operation] with the argument its level function gave.
    public func applying(_ operation: RandAugment.Operation, argument: Double?, fill: [UInt8]) -> Image {
        let value = argument ?? 0
        switch operation {
        case .autoContrast: return autoContrasted()
        case .equalize: return equalized()
        case .invert: return inverted()
        case .rotate: return rotated(degrees: value, fill: fill)
        case .posterizeIncreasing: return posterized(bits: Int(value))
        case .solarizeIncreasing: return solarized(threshold: Int(value))
        case .solarizeAdd: return solarizeAdded(Int(value))
        case .colorIncreasing: return enhanced(.color, factor: value)
        case .contrastIncreasing: return enhanced(.contrast, factor: value)
        case .brightnessIncreasing: return enhanced(.brightness, factor: value)
        case .sharpnessIncreasing: return enhanced(.sharpness, factor: value)
        case .shearX: return affineTransformed([1, value, 0, 0, 1, 0], fill: fill)
        case .shearY: return affineTransformed([1, 0, 0, value, 1, 0], fill: fill)
        case .translateXRel: return affineTransformed([1, 0, value * Double(width), 0, 1, 0], fill: fill)
        case .translateYRel: return affineTransformed([1, 0, 0, 0, 1, value * Double(height)], fill: fill)
        }
    }
}

/// A RandAugment configuration this implementation refuses, with the reason.
public struct RandAugmentError: Error, CustomStringConvertible, LocalizedError {
    public let configuration: String
    public let reason: String
    public var description: String { "RandAugment \"\(configuration)\": \(reason)" }
    public var errorDescription: String? { description }
}

/// A standard normal draw (Box-Muller), as random.gauss's distribution.
private func standardNormal<G: RandomNumberGenerator>(using generator: inout G) -> Double {
    let u1 = Double.random(in: 0..<1, using: &generator), u2 = Double.random(in: 0..<1, using: &generator)
    return (-2 * log(1 - u1)).squareRoot() * cos(2 * Double.pi * u2)
}
