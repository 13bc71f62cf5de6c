// CLIP, as transformers' CLIPModel computes it: a vision tower (patch embedding without bias, a
// class embedding, position embeddings, `pre_layrnorm`, encoder, `post_layernorm` on the class
// token), a text tower (token and position embeddings, a causal encoder, final LayerNorm, pooled
// at the end-of-text token), linear projections without bias into a shared space, and cosine
// similarities scaled by exp(logit_scale). Tensor names are Hugging Face's.
import Checkpoints
import TensorCore

/// Both towers' encoders (transformers' CLIPEncoder): `encoder.layers.N` with CLIP's layer names.
func clipEncoder(width: Int, depth: Int, heads: Int, mlpWidth: Int, hiddenAct: String, eps: Float) throws -> Encoder {
    Encoder(EncoderGeometry(width: width, depth: depth, heads: heads, mlpWidth: mlpWidth,
                            activation: try Activation(huggingFaceName: hiddenAct), layerNormEps: eps),
            names: .clip, listName: "layers")
}

/// Token ids of a batch of texts, padded to one length, with the mask of real tokens.
public struct TokenBatch: Sendable {
    public var ids: [[Int]]
    public var isToken: [[Bool]]

    /// Pads every sequence to the longest with `padding` (HF's `padding=True`).
    public init(_ sequences: [[Int]], padding: Int) {
        let length = sequences.map(\.count).max() ?? 0
        ids = sequences.map { $0 + Array(repeating: padding, count: length - $0.count) }
        isToken = sequences.map { Array(repeating: true, count: $0.count) + Array(repeating: false, count: length - $0.count) }
    }

    public init(ids: [[Int]], isToken: [[Bool]]) {
        self.ids = ids
        self.isToken = isToken
    }

    public var count: Int { ids.count }
    public var length: Int { ids.first?.count ?? 0 }
}

/// transformers' CLIPTextTransformer (with CLIPTextEmbeddings' tensors inlined)
public final class CLIPTextTransformer: Module {
    public let tokenEmbedding: Tensor       // [vocabulary, D]
    public let positionEmbedding: Tensor    // [context, D]
    public let encoder: Encoder
    public let finalLayerNorm: LayerNorm
    let endOfTextId: Int

    init(_ config: CLIPTextConfig) throws {
        let width = config.hiddenSize, eps = Float(config.layerNormEps)
        tokenEmbedding = Tensor(zeros: [config.vocabSize, width])
        positionEmbedding = Tensor(zeros: [config.maxPositionEmbeddings, width])
        encoder = try clipEncoder(width: width, depth: config.numHiddenLayers, heads: config.numAttentionHeads,
                                  mlpWidth: config.intermediateSize, hiddenAct: config.hiddenAct, eps: eps)
        finalLayerNorm = LayerNorm(width, eps: eps)
        endOfTextId = config.eosTokenId
    }

    /// `last_hidden_state`, [B, T, D]: causal attention, padding keys masked out.
    public func lastHiddenState(_ tokens: TokenBatch) -> Tensor {
        let (batch, length) = (tokens.count, tokens.length)
        precondition(length <= positionEmbedding.shape[0], "text of \(length) tokens exceeds the context of \(positionEmbedding.shape[0])")
        let embedded = embedding(tokenEmbedding, ids: tokens.ids.flatMap { $0 }, shape: [batch, length])
            + positionEmbedding.slice(0..<length)
        return finalLayerNorm(encoder(embedded, mask: AttentionMask(causal: true, keyIsValid: tokens.isToken)))
    }

    /// Where each sequence is pooled. Checkpoints whose config still says eos_token_id = 2 (the
    /// original OpenAI ones) pool at the largest id, which is <|endoftext|> in CLIP's vocabulary;
    /// newer ones at the first occurrence of eos_token_id.
    public func poolingPositions(_ tokens: TokenBatch) -> [Int] {
        tokens.ids.map { ids in
            ids.firstIndex(of: endOfTextId == 2 ? ids.max() ?? 0 : endOfTextId) ?? 0
        }
    }

    /// `pooler_output`, [B, D].
    public func pooled(_ lastHiddenState: Tensor, _ tokens: TokenBatch) -> Tensor {
        selectingPositions(lastHiddenState, poolingPositions(tokens))
    }

    public var namedParameters: [(name: String, tensor: Tensor)] {
        [("embeddings.token_embedding.weight", tokenEmbedding), ("embeddings.position_embedding.weight", positionEmbedding)]
            + named("encoder", encoder) + named("final_layer_norm", finalLayerNorm)
    }
}

/// transformers' CLIPVisionTransformer (with CLIPVisionEmbeddings' tensors inlined)
public final class CLIPVisionTransformer: Module {
    public let classEmbedding: Tensor       // [D]
    public let patchEmbedding: PatchEmbedding
    public let positionEmbedding: Tensor    // [1 + patches, D]
    public let preLayrnorm: LayerNorm
    public let encoder: Encoder
    public let postLayernorm: LayerNorm

    init(_ config: CLIPVisionConfig) throws {
        let width = config.hiddenSize, side = config.imageSize / config.patchSize
        classEmbedding = Tensor(zeros: [width])
        patchEmbedding = PatchEmbedding(channels: config.numChannels, width: width, patchSize: config.patchSize, bias: false)
        positionEmbedding = Tensor(zeros: [1 + side * side, width])
        let eps = Float(config.layerNormEps)
        preLayrnorm = LayerNorm(width, eps: eps)
        encoder = try clipEncoder(width: width, depth: config.numHiddenLayers, heads: config.numAttentionHeads,
                                  mlpWidth: config.intermediateSize, hiddenAct: config.hiddenAct, eps: eps)
        postLayernorm = LayerNorm(width, eps: eps)
    }

    /// The embedded sequence before `pre_layrnorm`, [B, 1 + patches, D].
    public func embeddings(_ pixels: Tensor) -> Tensor {
        prependingTokens(classEmbedding, to: patchEmbedding(pixels)) + positionEmbedding
    }

    /// The encoder's output (`last_hidden_state`), [B, 1 + patches, D].
    public func lastHiddenState(_ pixels: Tensor) -> Tensor { encoder(preLayrnorm(embeddings(pixels))) }

    /// `pooler_output` straight from pixel values, [B, D]: the encoder's last layer runs only for
    /// the class token (see `Encoder.callAsFunction(_:onlyAt:)`).
    public func pooled(pixels: Tensor) -> Tensor {
        postLayernorm(encoder(preLayrnorm(embeddings(pixels)), onlyAt: Array(repeating: 0, count: pixels.shape[0])))
    }

    /// `pooler_output`: the class token after `post_layernorm`, [B, D].
    public func pooled(_ lastHiddenState: Tensor) -> Tensor {
        postLayernorm(selectingPositions(lastHiddenState, Array(repeating: 0, count: lastHiddenState.shape[0])))
    }

    public var namedParameters: [(name: String, tensor: Tensor)] {
        [("embeddings.class_embedding", classEmbedding)] + named("embeddings.patch_embedding", patchEmbedding)
            + [("embeddings.position_embedding.weight", positionEmbedding)]
            + named("pre_layrnorm", preLayrnorm) + named("encoder", encoder) + named("post_layernorm", postLayernorm)
    }
}

/// transformers' CLIPModel
public final class CLIPModel: Module {
    public let config: CLIPConfig
    public let textModel: CLIPTextTransformer
    public let visionModel: CLIPVisionTransformer
    public let visualProjection: Linear
    public let textProjection: Linear
    public let logitScale: Tensor  // a scalar, shape []

    public init(_ config: CLIPConfig) throws {
        self.config = config
        textModel = try CLIPTextTransformer(config.textConfig)
        visionModel = try CLIPVisionTransformer(config.visionConfig)
        visualProjection = Linear(config.visionConfig.hiddenSize, config.projectionDim, bias: false)
        textProjection = Linear(config.textConfig.hiddenSize, config.projectionDim, bias: false)
        logitScale = Tensor(shape: [], scalars: [Float(config.logitScaleInitValue)])
    }

    /// Projected, L2-normalised image embeddings [B, P].
    public func imageEmbeddings(_ pixels: Tensor) -> Tensor {
        l2Normalized(visualProjection(visionModel.pooled(pixels: pixels)))
    }

    /// Projected, L2-normalised text embeddings [B, P].
    public func textEmbeddings(_ tokens: TokenBatch) -> Tensor {
        l2Normalized(textProjection(textModel.pooled(textModel.lastHiddenState(tokens), tokens)))
    }

    /// `logits_per_image` [images, texts]: cosine similarities times exp(logit_scale).
    public func logitsPerImage(imageEmbeddings: Tensor, textEmbeddings: Tensor) -> Tensor {
        matmul(imageEmbeddings, textEmbeddings, transposeB: true) * exp(logitScale)
    }

    /// CLIP's symmetric contrastive loss for matching image-text pairs (item i with text i).
    public func contrastiveLoss(_ pixels: Tensor, _ tokens: TokenBatch) -> Tensor {
        clipContrastiveLoss(logitsPerImage: logitsPerImage(imageEmbeddings: imageEmbeddings(pixels), textEmbeddings: textEmbeddings(tokens)))
    }

    public var namedParameters: [(name: String, tensor: Tensor)] {
        named("text_model", textModel) + named("vision_model", visionModel)
            + named("visual_projection", visualProjection) + named("text_projection", textProjection)
            + [("logit_scale", logitScale)]
    }
}
