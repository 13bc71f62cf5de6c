// Hugging Face's ViTConfig (transformers' configuration_vit.py), with HF's defaults for absent keys.
// The classification labels, which HF keeps as id2label/label2id maps, are an ordered list here.
import Foundation

public struct ViTConfig: HuggingFaceConfig {
    public var hiddenSize: Int
    public var numHiddenLayers: Int
    public var numAttentionHeads: Int
    public var intermediateSize: Int
    public var hiddenAct: String
    public var hiddenDropoutProb: Double
    public var attentionProbsDropoutProb: Double
    /// Standard deviation of the truncated normal that HF initialises new weights (a fresh head) with.
    public var initializerRange: Double
    public var layerNormEps: Double
    public var imageSize: Int
    public var patchSize: Int
    public var numChannels: Int
    public var qkvBias: Bool
    /// Class names by class index (id2label); HF's default is two, LABEL_0 and LABEL_1.
    public var labels: [String]
    public var architectures: [String]?

    public init(
        hiddenSize: Int = 768, numHiddenLayers: Int = 12, numAttentionHeads: Int = 12, intermediateSize: Int = 3072,
        hiddenAct: String = "gelu", hiddenDropoutProb: Double = 0, attentionProbsDropoutProb: Double = 0,
        initializerRange: Double = 0.02, layerNormEps: Double = 1e-12, imageSize: Int = 224, patchSize: Int = 16,
        numChannels: Int = 3, qkvBias: Bool = true, labels: [String] = ViTConfig.genericLabels(2),
        architectures: [String]? = nil
    ) {
        self.hiddenSize = hiddenSize
        self.numHiddenLayers = numHiddenLayers
        self.numAttentionHeads = numAttentionHeads
        self.intermediateSize = intermediateSize
        self.hiddenAct = hiddenAct
        self.hiddenDropoutProb = hiddenDropoutProb
        self.attentionProbsDropoutProb = attentionProbsDropoutProb
        self.initializerRange = initializerRange
        self.layerNormEps = layerNormEps
        self.imageSize = imageSize
        self.patchSize = patchSize
        self.numChannels = numChannels
        self.qkvBias = qkvBias
        self.labels = labels
        self.architectures = architectures
    }

    /// The geometry of google/vit-base-patch16-224, ImageNet's 1000-class head included. Its class
    /// names are not shipped here, so they read LABEL_0...; fine-tuning replaces `labels` anyway.
    public static let basePatch16_224 = ViTConfig(labels: genericLabels(1000), architectures: ["ViTForImageClassification"])

    /// HF's names for classes it has no names for.
    public static func genericLabels(_ count: Int) -> [String] { (0..<count).map { "LABEL_\($0)" } }

    enum CodingKeys: String, CodingKey {
        case hiddenSize = "hidden_size", numHiddenLayers = "num_hidden_layers", numAttentionHeads = "num_attention_heads"
        case intermediateSize = "intermediate_size", hiddenAct = "hidden_act", hiddenDropoutProb = "hidden_dropout_prob"
        case attentionProbsDropoutProb = "attention_probs_dropout_prob", initializerRange = "initializer_range"
        case layerNormEps = "layer_norm_eps", imageSize = "image_size", patchSize = "patch_size"
        case numChannels = "num_channels", qkvBias = "qkv_bias"
        case id2label, label2id, numLabels = "num_labels", architectures, modelType = "model_type"
    }

    static let modelType = "vit"

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try c.expectModelType(.modelType, in: [Self.modelType])
        let d = Self()
        self.init(
            hiddenSize: try c.value(.hiddenSize, or: d.hiddenSize),
            numHiddenLayers: try c.value(.numHiddenLayers, or: d.numHiddenLayers),
            numAttentionHeads: try c.value(.numAttentionHeads, or: d.numAttentionHeads),
            intermediateSize: try c.value(.intermediateSize, or: d.intermediateSize),
            hiddenAct: try c.value(.hiddenAct, or: d.hiddenAct),
            hiddenDropoutProb: try c.value(.hiddenDropoutProb, or: d.hiddenDropoutProb),
            attentionProbsDropoutProb: try c.value(.attentionProbsDropoutProb, or: d.attentionProbsDropoutProb),
            initializerRange: try c.value(.initializerRange, or: d.initializerRange),
            layerNormEps: try c.value(.layerNormEps, or: d.layerNormEps),
            imageSize: try c.value(.imageSize, or: d.imageSize),
            patchSize: try c.value(.patchSize, or: d.patchSize),
            numChannels: try c.value(.numChannels, or: d.numChannels),
            qkvBias: try c.value(.qkvBias, or: d.qkvBias),
            labels: try Self.decodeLabels(c, fallback: d.labels),
            architectures: try c.decodeIfPresent([String].self, forKey: .architectures))
        try validate(c)
    }

    /// What `ViTForImageClassification` needs of these values (see ConfigValidation.swift).
    private func validate(_ c: KeyedDecodingContainer<CodingKeys>) throws {
        try c.requirePositive(hiddenSize, .hiddenSize)
        try c.requirePositive(numHiddenLayers, .numHiddenLayers, atMost: ConfigLimits.maximumDepth)
        try c.requireHeads(numAttentionHeads, .numAttentionHeads, width: hiddenSize)
        try c.requirePositive(intermediateSize, .intermediateSize)
        try c.requirePositive(numChannels, .numChannels, atMost: ConfigLimits.maximumChannels)
        try c.requirePatchGrid(image: imageSize, .imageSize, patch: patchSize, .patchSize)
        try c.requirePositive(labels.count, c.contains(.id2label) ? .id2label : .numLabels)
        for (key, probability) in [(CodingKeys.hiddenDropoutProb, hiddenDropoutProb), (.attentionProbsDropoutProb, attentionProbsDropoutProb)] {
            try c.requireFinite(probability, key, in: 0...0.99)
        }
        try c.requireFinite(initializerRange, .initializerRange, in: 0...1)
        try c.requireFinite(layerNormEps, .layerNormEps, in: 1e-30...1)
        let patches = (imageSize / patchSize) * (imageSize / patchSize)
        try c.requireParameterCount(
            encoderParameterCount(width: hiddenSize, depth: numHiddenLayers, mlpWidth: intermediateSize)
                + numChannels * patchSize * patchSize * hiddenSize + (patches + 3) * hiddenSize + labels.count * (hiddenSize + 1),
            .hiddenSize)
    }

    /// id2label wins, as in HF; failing that, num_labels generic names; failing that, HF's two.
    private static func decodeLabels(_ c: KeyedDecodingContainer<CodingKeys>, fallback: [String]) throws -> [String] {
        if let byIndex = try c.decodeIfPresent([String: String].self, forKey: .id2label) {
            var labels = [String?](repeating: nil, count: byIndex.count)
            for (key, label) in byIndex {
                guard let index = Int(key), labels.indices.contains(index), labels[index] == nil else {
                    throw DecodingError.dataCorruptedError(
                        forKey: .id2label, in: c, debugDescription: "keys must be the class indices 0..<\(byIndex.count), found '\(key)'")
                }
                labels[index] = label
            }
            return labels.map { $0! }
        }
        if let count = try c.decodeIfPresent(Int.self, forKey: .numLabels) {
            try c.requirePositive(count, .numLabels)
            return genericLabels(count)
        }
        return fallback
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(Self.modelType, forKey: .modelType)
        try c.encodeIfPresent(architectures, forKey: .architectures)
        try c.encode(hiddenSize, forKey: .hiddenSize)
        try c.encode(numHiddenLayers, forKey: .numHiddenLayers)
        try c.encode(numAttentionHeads, forKey: .numAttentionHeads)
        try c.encode(intermediateSize, forKey: .intermediateSize)
        try c.encode(hiddenAct, forKey: .hiddenAct)
        try c.encode(hiddenDropoutProb, forKey: .hiddenDropoutProb)
        try c.encode(attentionProbsDropoutProb, forKey: .attentionProbsDropoutProb)
        try c.encode(initializerRange, forKey: .initializerRange)
        try c.encode(layerNormEps, forKey: .layerNormEps)
        try c.encode(imageSize, forKey: .imageSize)
        try c.encode(patchSize, forKey: .patchSize)
        try c.encode(numChannels, forKey: .numChannels)
        try c.encode(qkvBias, forKey: .qkvBias)
        let indices = labels.indices
        try c.encode(Dictionary(uniqueKeysWithValues: indices.map { (String($0), labels[$0]) }), forKey: .id2label)
        try c.encode(Dictionary(indices.map { (labels[$0], $0) }, uniquingKeysWith: { _, last in last }), forKey: .label2id)
    }
}
