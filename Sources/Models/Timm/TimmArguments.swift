import Checkpoints
import Common
// A timm architecture's constructor arguments: its registered defaults, then what config.json
// sets (`img_size`, `in_chans` and `num_classes` from pretrained_cfg and the top level, as timm's
// builder passes them), then `model_args`. Every argument must be read, or declared inert:
// an argument left over is one this implementation would silently ignore, so it is an error.
// Every number is range-checked as it is read, before anything is allocated, by thrown errors
// (the numeric modules are built -Ounchecked, where a size of 0 or -1 would reach a division or
// an allocation): the message names the argument and the rule, and the checkpoint's config.json.

struct TimmArguments {
    let architecture: String
    private var values: [String: JSONValue]
    private var read: Set<String> = []

    init(architecture: String, defaults: [String: JSONValue], config: TimmConfig) throws {
        self.architecture = architecture
        var values = defaults
        let input = config.pretrainedConfig.inputSize
        values["in_chans"] = .number(Double(input[0]))
        if config.pretrainedConfig.values["fixed_input_size"] == .bool(true) {
            values["img_size"] = .array(input.dropFirst().map { .number(Double($0)) })
        }
        values["num_classes"] = .number(Double(config.numClasses))
        for (key, value) in config.modelArgs {
            if key == "num_classes", value.int != config.numClasses {
                throw TimmError.badArgument(architecture: architecture, key: key, expected: "\(config.numClasses), as config.json's num_classes",
                                            found: value.description)
            }
            // The processor makes input_size[0] channels: the model must read as many.
            if key == "in_chans", value.int != input[0] {
                throw TimmError.badArgument(architecture: architecture, key: key, expected: "\(input[0]), as pretrained_cfg's input_size",
                                            found: value.description)
            }
            values[key] = value
        }
        self.values = values
    }

    private func bad(_ key: String, _ expected: String) -> TimmError {
        .badArgument(architecture: architecture, key: key, expected: expected, found: values[key]?.description ?? "nothing")
    }

    /// An integer in `range` (by default a size: 1 ... `ConfigLimits.maximumSize`).
    mutating func int(_ key: String, default fallback: Int? = nil, in range: ClosedRange<Int> = 1...ConfigLimits.maximumSize) throws -> Int {
        read.insert(key)
        let rule = "an integer in \(range.lowerBound)...\(range.upperBound)"
        guard let value = values[key] else {
            guard let fallback else { throw bad(key, rule) }
            return fallback
        }
        guard let int = value.int, range.contains(int) else { throw bad(key, rule) }
        return int
    }

    /// A finite number in `range`.
    mutating func double(_ key: String, default fallback: Double, in range: ClosedRange<Double>) throws -> Double {
        read.insert(key)
        guard let value = values[key] else { return fallback }
        guard let double = value.double, double.isFinite, range.contains(double) else {
            throw bad(key, "a finite number in \(range.lowerBound)...\(range.upperBound)")
        }
        return double
    }

    mutating func bool(_ key: String, default fallback: Bool) throws -> Bool {
        read.insert(key)
        switch values[key] {
        case nil: return fallback
        case let .bool(value)?: return value
        default: throw bad(key, "true or false")
        }
    }

    /// A list of 1 ... `maximumCount` integers, each in `range`.
    mutating func ints(_ key: String, default fallback: [Int]? = nil, in range: ClosedRange<Int> = 1...ConfigLimits.maximumSize,
                       maximumCount: Int = 64) throws -> [Int] {
        read.insert(key)
        let rule = "a list of 1 to \(maximumCount) integers in \(range.lowerBound)...\(range.upperBound)"
        guard let value = values[key] else {
            guard let fallback else { throw bad(key, rule) }
            return fallback
        }
        guard let ints = value.array?.compactMap(\.int), ints.count == value.array?.count,
              (1...maximumCount).contains(ints.count), ints.allSatisfy(range.contains) else { throw bad(key, rule) }
        return ints
    }

    /// An image size: one integer for a square, or [height, width], each side in `range`.
    mutating func size(_ key: String, default fallback: Int? = nil, in range: ClosedRange<Int> = 1...ConfigLimits.maximumSize) throws -> (height: Int, width: Int) {
        if let side = values[key]?.int {
            read.insert(key)
            guard range.contains(side) else { throw bad(key, "an integer in \(range.lowerBound)...\(range.upperBound) or [height, width]") }
            return (side, side)
        }
        let sides = try ints(key, default: fallback.map { [$0, $0] }, in: range, maximumCount: 2)
        guard sides.count == 2 else { throw bad(key, "an integer or [height, width]") }
        return (sides[0], sides[1])
    }

    /// Requires `key` to be absent, null or `expected`: a setting this implementation fixes.
    mutating func require(_ key: String, _ expected: JSONValue) throws {
        read.insert(key)
        if let value = values[key], value != expected, value != .null {
            throw TimmError.unsupportedArgument(architecture: architecture, key: key, value: value.description)
        }
    }

    /// Arguments that do not change what an eval forward or this fine-tuning computes: dropout and
    /// stochastic-depth rates (the fine-tuning here uses none), initialisation schemes, checkpointing.
    mutating func inert(_ keys: String...) {
        read.formUnion(keys)
    }

    /// Fails on the first argument nothing read.
    func checkAllRead() throws {
        if let key = values.keys.sorted().first(where: { !read.contains($0) }) {
            throw TimmError.unsupportedArgument(architecture: architecture, key: key, value: values[key]!.description)
        }
    }
}
