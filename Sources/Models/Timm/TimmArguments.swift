import Common
// A timm architecture's constructor arguments: its registered defaults, then what config.json
// sets (`img_size`, `in_chans` and `num_classes` from pretrained_cfg and the top level, as timm's
// builder passes them), then `model_args`. Every argument must be read, or declared inert:
// an argument left over is one this implementation would silently ignore, so it is an error.

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
            values[key] = value
        }
        self.values = values
    }

    private func bad(_ key: String, _ expected: String) -> TimmError {
        .badArgument(architecture: architecture, key: key, expected: expected, found: values[key]?.description ?? "nothing")
    }

    mutating func int(_ key: String, default fallback: Int? = nil) throws -> Int {
        read.insert(key)
        guard let value = values[key] else {
            guard let fallback else { throw bad(key, "an integer") }
            return fallback
        }
        guard let int = value.int else { throw bad(key, "an integer") }
        return int
    }

    mutating func double(_ key: String, default fallback: Double) throws -> Double {
        read.insert(key)
        guard let value = values[key] else { return fallback }
        guard let double = value.double else { throw bad(key, "a number") }
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

    mutating func ints(_ key: String, default fallback: [Int]? = nil) throws -> [Int] {
        read.insert(key)
        guard let value = values[key] else {
            guard let fallback else { throw bad(key, "a list of integers") }
            return fallback
        }
        guard let ints = value.array?.compactMap(\.int), ints.count == value.array?.count else { throw bad(key, "a list of integers") }
        return ints
    }

    /// An image or patch size: one integer for a square, or [height, width].
    mutating func size(_ key: String, default fallback: Int? = nil) throws -> (height: Int, width: Int) {
        if let side = values[key]?.int {
            read.insert(key)
            return (side, side)
        }
        let sides = try ints(key, default: fallback.map { [$0, $0] })
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
