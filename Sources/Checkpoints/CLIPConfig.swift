// Hugging Face's CLIPConfig and its text and vision parts (transformers' configuration_clip.py):
// the defaults are HF's class defaults, used for keys a config.json leaves out.
import Foundation

public struct CLIPTextConfig: HuggingFaceConfig {
    public var vocabSize: Int
    public var hiddenSize: Int
    public var intermediateSize: Int
    public var projectionDim: Int
    public var numHiddenLayers: Int
    public var numAttentionHeads: Int
    public var maxPositionEmbeddings: Int
    public var hiddenAct: String
    public var layerNormEps: Double
    public var padTokenId: Int
    public var bosTokenId: Int
    /// 2 in openai's original configs, which makes HF pool at the argmax of the token ids (the
    /// highest id, <|endoftext|>) instead of at the first token equal to `eosTokenId`.
    public var eosTokenId: Int

    public init(
        vocabSize: Int = 49408, hiddenSize: Int = 512, intermediateSize: Int = 2048, projectionDim: Int = 512,
        numHiddenLayers: Int = 12, numAttentionHeads: Int = 8, maxPositionEmbeddings: Int = 77,
        hiddenAct: String = "quick_gelu", layerNormEps: Double = 1e-5,
        padTokenId: Int = 1, bosTokenId: Int = 49406, eosTokenId: Int = 49407
    ) {
        self.vocabSize = vocabSize
        self.hiddenSize = hiddenSize
        self.intermediateSize = intermediateSize
        self.projectionDim = projectionDim
        self.numHiddenLayers = numHiddenLayers
        self.numAttentionHeads = numAttentionHeads
        self.maxPositionEmbeddings = maxPositionEmbeddings
        self.hiddenAct = hiddenAct
        self.layerNormEps = layerNormEps
        self.padTokenId = padTokenId
        self.bosTokenId = bosTokenId
        self.eosTokenId = eosTokenId
    }

    enum CodingKeys: String, CodingKey {
        case vocabSize = "vocab_size", hiddenSize = "hidden_size", intermediateSize = "intermediate_size"
        case projectionDim = "projection_dim", numHiddenLayers = "num_hidden_layers"
        case numAttentionHeads = "num_attention_heads", maxPositionEmbeddings = "max_position_embeddings"
        case hiddenAct = "hidden_act", layerNormEps = "layer_norm_eps"
        case padTokenId = "pad_token_id", bosTokenId = "bos_token_id", eosTokenId = "eos_token_id"
        case modelType = "model_type"
    }

    static let modelType = "clip_text_model"

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try c.expectModelType(.modelType, in: [Self.modelType])
        let d = Self()
        self.init(
            vocabSize: try c.value(.vocabSize, or: d.vocabSize),
            hiddenSize: try c.value(.hiddenSize, or: d.hiddenSize),
            intermediateSize: try c.value(.intermediateSize, or: d.intermediateSize),
            projectionDim: try c.value(.projectionDim, or: d.projectionDim),
            numHiddenLayers: try c.value(.numHiddenLayers, or: d.numHiddenLayers),
            numAttentionHeads: try c.value(.numAttentionHeads, or: d.numAttentionHeads),
            maxPositionEmbeddings: try c.value(.maxPositionEmbeddings, or: d.maxPositionEmbeddings),
            hiddenAct: try c.value(.hiddenAct, or: d.hiddenAct),
            layerNormEps: try c.value(.layerNormEps, or: d.layerNormEps),
            padTokenId: try c.value(.padTokenId, or: d.padTokenId),
            bosTokenId: try c.value(.bosTokenId, or: d.bosTokenId),
            eosTokenId: try c.value(.eosTokenId, or: d.eosTokenId))
        try c.requirePositive(vocabSize, .vocabSize)
        try c.requirePositive(hiddenSize, .hiddenSize)
        try c.requirePositive(intermediateSize, .intermediateSize)
        try c.requirePositive(projectionDim, .projectionDim)
        try c.requirePositive(numHiddenLayers, .numHiddenLayers, atMost: ConfigLimits.maximumDepth)
        try c.requireHeads(numAttentionHeads, .numAttentionHeads, width: hiddenSize)
        try c.requirePositive(maxPositionEmbeddings, .maxPositionEmbeddings, atMost: ConfigLimits.maximumPositions)
        try c.requireFinite(layerNormEps, .layerNormEps, in: 1e-30...1)
        try c.requireParameterCount(
            encoderParameterCount(width: hiddenSize, depth: numHiddenLayers, mlpWidth: intermediateSize)
                + (vocabSize + maxPositionEmbeddings + 2 + projectionDim) * hiddenSize, .hiddenSize)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(Self.modelType, forKey: .modelType)
        try c.encode(vocabSize, forKey: .vocabSize)
        try c.encode(hiddenSize, forKey: .hiddenSize)
        try c.encode(intermediateSize, forKey: .intermediateSize)
        try c.encode(projectionDim, forKey: .projectionDim)
        try c.encode(numHiddenLayers, forKey: .numHiddenLayers)
        try c.encode(numAttentionHeads, forKey: .numAttentionHeads)
        try c.encode(maxPositionEmbeddings, forKey: .maxPositionEmbeddings)
        try c.encode(hiddenAct, forKey: .hiddenAct)
        try c.encode(layerNormEps, forKey: .layerNormEps)
        try c.encode(padTokenId, forKey: .padTokenId)
        try c.encode(bosTokenId, forKey: .bosTokenId)
        try c.encode(eosTokenId, forKey: .eosTokenId)
    }
}

public struct CLIPVisionConfig: HuggingFaceConfig {
    public var hiddenSize: Int
    public var intermediateSize: Int
    public var projectionDim: Int
    public var numHiddenLayers: Int
    public var numAttentionHeads: Int
    public var numChannels: Int
    public var imageSize: Int
    public var patchSize: Int
    public var hiddenAct: String
    public var layerNormEps: Double

    public init(
        hiddenSize: Int = 768, intermediateSize: Int = 3072, projectionDim: Int = 512,
        numHiddenLayers: Int = 12, numAttentionHeads: Int = 12, numChannels: Int = 3,
        imageSize: Int = 224, patchSize: Int = 32, hiddenAct: String = "quick_gelu", layerNormEps: Double = 1e-5
    ) {
        self.hiddenSize = hiddenSize
        self.intermediateSize = intermediateSize
        self.projectionDim = projectionDim
        self.numHiddenLayers = numHiddenLayers
        self.numAttentionHeads = numAttentionHeads
        self.numChannels = numChannels
        self.imageSize = imageSize
        self.patchSize = patchSize
        self.hiddenAct = hiddenAct
        self.layerNormEps = layerNormEps
    }

    enum CodingKeys: String, CodingKey {
        case hiddenSize = "hidden_size", intermediateSize = "intermediate_size", projectionDim = "projection_dim"
        case numHiddenLayers = "num_hidden_layers", numAttentionHeads = "num_attention_heads"
        case numChannels = "num_channels", imageSize = "image_size", patchSize = "patch_size"
        case hiddenAct = "hidden_act", layerNormEps = "layer_norm_eps"
        case modelType = "model_type"
    }

    static let modelType = "clip_vision_model"

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try c.expectModelType(.modelType, in: [Self.modelType])
        let d = Self()
        self.init(
            hiddenSize: try c.value(.hiddenSize, or: d.hiddenSize),
            intermediateSize: try c.value(.intermediateSize, or: d.intermediateSize),
            projectionDim: try c.value(.projectionDim, or: d.projectionDim),
            numHiddenLayers: try c.value(.numHiddenLayers, or: d.numHiddenLayers),
            numAttentionHeads: try c.value(.numAttentionHeads, or: d.numAttentionHeads),
            numChannels: try c.value(.numChannels, or: d.numChannels),
            imageSize: try c.value(.imageSize, or: d.imageSize),
            patchSize: try c.value(.patchSize, or: d.patchSize),
            hiddenAct: try c.value(.hiddenAct, or: d.hiddenAct),
            layerNormEps: try c.value(.layerNormEps, or: d.layerNormEps))
        try c.requirePositive(hiddenSize, .hiddenSize)
        try c.requirePositive(intermediateSize, .intermediateSize)
        try c.requirePositive(projectionDim, .projectionDim)
        try c.requirePositive(numHiddenLayers, .numHiddenLayers, atMost: ConfigLimits.maximumDepth)
        try c.requireHeads(numAttentionHeads, .numAttentionHeads, width: hiddenSize)
        try c.requirePositive(numChannels, .numChannels, atMost: ConfigLimits.maximumChannels)
        try c.requirePatchGrid(image: imageSize, .imageSize, patch: patchSize, .patchSize)
        try c.requireFinite(layerNormEps, .layerNormEps, in: 1e-30...1)
        let patches = (imageSize / patchSize) * (imageSize / patchSize)
        try c.requireParameterCount(
            encoderParameterCount(width: hiddenSize, depth: numHiddenLayers, mlpWidth: intermediateSize)
                + (numChannels * patchSize * patchSize + patches + 6 + projectionDim) * hiddenSize, .hiddenSize)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(Self.modelType, forKey: .modelType)
        try c.encode(hiddenSize, forKey: .hiddenSize)
        try c.encode(intermediateSize, forKey: .intermediateSize)
        try c.encode(projectionDim, forKey: .projectionDim)
        try c.encode(numHiddenLayers, forKey: .numHiddenLayers)
        try c.encode(numAttentionHeads, forKey: .numAttentionHeads)
        try c.encode(numChannels, forKey: .numChannels)
        try c.encode(imageSize, forKey: .imageSize)
        try c.encode(patchSize, forKey: .patchSize)
        try c.encode(hiddenAct, forKey: .hiddenAct)
        try c.encode(layerNormEps, forKey: .layerNormEps)
    }
}

public struct CLIPConfig: HuggingFaceConfig {
    public var textConfig: CLIPTextConfig
    public var visionConfig: CLIPVisionConfig
    /// Width of the shared image-text embedding space (CLIPModel's projections use this one).
    public var projectionDim: Int
    /// Initial value of the learned `logit_scale` (log of the softmax temperature's inverse).
    public var logitScaleInitValue: Double
    public var architectures: [String]?

    public init(
        textConfig: CLIPTextConfig = CLIPTextConfig(), visionConfig: CLIPVisionConfig = CLIPVisionConfig(),
        projectionDim: Int = 512, logitScaleInitValue: Double = 2.6592, architectures: [String]? = nil
    ) {
        self.textConfig = textConfig
        self.visionConfig = visionConfig
        self.projectionDim = projectionDim
        self.logitScaleInitValue = logitScaleInitValue
        self.architectures = architectures
    }

    /// openai/clip-vit-base-patch32 as published (note its legacy token ids: bos 0, eos 2).
    public static let vitBasePatch32 = CLIPConfig(
        textConfig: CLIPTextConfig(padTokenId: 1, bosTokenId: 0, eosTokenId: 2),
        visionConfig: CLIPVisionConfig(),
        projectionDim: 512, logitScaleInitValue: 2.6592, architectures: ["CLIPModel"])

    enum CodingKeys: String, CodingKey {
        case textConfig = "text_config", visionConfig = "vision_config"
        // Older configs (openai's among them) may carry these; when present HF lets them win.
        case textConfigDict = "text_config_dict", visionConfigDict = "vision_config_dict"
        case projectionDim = "projection_dim", logitScaleInitValue = "logit_scale_init_value"
        case architectures, modelType = "model_type"
    }

    static let modelType = "clip"

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try c.expectModelType(.modelType, in: [Self.modelType])
        let d = Self()
        self.init(
            textConfig: try c.decodeIfPresent(CLIPTextConfig.self, forKey: .textConfigDict)
                ?? c.value(.textConfig, or: d.textConfig),
            visionConfig: try c.decodeIfPresent(CLIPVisionConfig.self, forKey: .visionConfigDict)
                ?? c.value(.visionConfig, or: d.visionConfig),
            projectionDim: try c.value(.projectionDim, or: d.projectionDim),
            logitScaleInitValue: try c.value(.logitScaleInitValue, or: d.logitScaleInitValue),
            architectures: try c.decodeIfPresent([String].self, forKey: .architectures))
        try c.requirePositive(projectionDim, .projectionDim)
        // exp(logit_scale) multiplies the logits: past ~88 it overflows float32.
        try c.requireFinite(logitScaleInitValue, .logitScaleInitValue, in: -100...80)
        try c.requireParameterCount(projectionDim * (textConfig.hiddenSize + visionConfig.hiddenSize), .projectionDim)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(Self.modelType, forKey: .modelType)
        try c.encodeIfPresent(architectures, forKey: .architectures)
        try c.encode(textConfig, forKey: .textConfig)
        try c.encode(visionConfig, forKey: .visionConfig)
        try c.encode(projectionDim, forKey: .projectionDim)
        try c.encode(logitScaleInitValue, forKey: .logitScaleInitValue)
    }
}

extension CLIPConfig {
    /// "CLIP ViT-B/32" for OpenAI's base model; otherwise the image tower's size in words.
    public var architectureName: String {
        let vision = visionConfig
        if vision.hiddenSize == 768 && vision.numHiddenLayers == 12 && textConfig.hiddenSize == 512 {
            return "CLIP ViT-B/\(vision.patchSize)"
        }
        return "CLIP (image tower: width \(vision.hiddenSize), \(vision.numHiddenLayers) layers, \(vision.patchSize)-pixel patches "
            + "of \(vision.imageSize)-pixel images; text tower: width \(textConfig.hiddenSize), \(textConfig.numHiddenLayers) layers)"
    }
}
