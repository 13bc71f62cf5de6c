// The rules a config.json value meets before a model is built from it. They are thrown errors,
// checked when the file is decoded: the numeric modules are built -Ounchecked, where a
// `precondition` checks nothing, so a size of 0, -32 or 1e9 would otherwise reach a division, an
// allocation or an unchecked index. The message names the key (its coding path) and the rule.

/// Bounds on what a config may ask for; generous for every published ViT and CLIP.
public enum ConfigLimits {
    /// Widths, MLP widths, patch and image sides, vocabulary and label counts are at most this.
    public static let maximumSize = 1 << 20
    /// A patch's side.
    public static let maximumPatch = 1 << 12
    /// Image channels.
    public static let maximumChannels = 64
    /// Encoder depth.
    public static let maximumDepth = 1024
    /// Positions a tower can attend over (patches + 1, or text positions): 16,384 is a
    /// 2048-pixel image in 16-pixel patches.
    public static let maximumPositions = 1 << 14
    /// Parameters of the model built (8 GiB of float32).
    public static let maximumParameters = 1 << 31
}

extension KeyedDecodingContainer {
    /// Throws "'key': rule" unless `holds`.
    public func require(_ holds: Bool, _ key: Key, _ rule: @autoclosure () -> String) throws {
        if !holds { throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: rule()) }
    }

    /// A size: 1 ... `limit`.
    public func requirePositive(_ value: Int, _ key: Key, atMost limit: Int = ConfigLimits.maximumSize) throws {
        try require(value >= 1 && value <= limit, key, "must be between 1 and \(limit), got \(value)")
    }

    /// A finite number in `range`.
    public func requireFinite(_ value: Double, _ key: Key, in range: ClosedRange<Double>) throws {
        try require(value.isFinite && range.contains(value), key,
                    "must be a finite number in \(range.lowerBound)...\(range.upperBound), got \(value)")
    }

    /// Attention heads: positive and dividing the width (each head takes width / heads).
    func requireHeads(_ heads: Int, _ key: Key, width: Int) throws {
        try requirePositive(heads, key, atMost: width)
        try require(width % heads == 0, key, "must divide the width \(width), got \(heads)")
    }

    /// A square image cut into whole patches, and patches + 1 position at most
    /// `ConfigLimits.maximumPositions`.
    func requirePatchGrid(image: Int, _ imageKey: Key, patch: Int, _ patchKey: Key) throws {
        try requirePositive(image, imageKey)
        try requirePositive(patch, patchKey, atMost: min(image, ConfigLimits.maximumPatch))
        try require(image % patch == 0, imageKey, "must be a multiple of patch_size \(patch), got \(image)")
        let side = image / patch
        try require(side * side + 1 <= ConfigLimits.maximumPositions, imageKey,
                    "image_size / patch_size = \(side) gives \(side * side) patches, more than \(ConfigLimits.maximumPositions - 1)")
    }

    /// The model's parameter count, estimated from the sizes already checked (each at most
    /// 2^20, so no product below overflows), at most `ConfigLimits.maximumParameters`.
    func requireParameterCount(_ count: Int, _ key: Key) throws {
        try require(count <= ConfigLimits.maximumParameters, key,
                    "the model would have \(count) parameters, more than \(ConfigLimits.maximumParameters)")
    }
}

/// Parameters of a pre-norm encoder: per layer the four attention projections, the MLP and two
/// LayerNorms.
func encoderParameterCount(width: Int, depth: Int, mlpWidth: Int) -> Int {
    depth * (4 * width * width + 2 * width * mlpWidth + 9 * width + mlpWidth)
}
