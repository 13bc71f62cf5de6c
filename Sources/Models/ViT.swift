// ViT for image classification, as transformers' ViTForImageClassification computes it:
// patches → linear patch embedding, a learned [CLS] token, learned position embeddings, a
// pre-norm encoder with erf GELU and LayerNorm eps 1e-12, a final LayerNorm, and a linear
// classifier on the [CLS] token. Tensor names are Hugging Face's (`vit.encoder.layer.N...`).
import Checkpoints
import TensorCore

extension ViTConfig {
    func encoderGeometry() throws -> EncoderGeometry {
        EncoderGeometry(width: hiddenSize, depth: numHiddenLayers, heads: numAttentionHeads, mlpWidth: intermediateSize,
                        activation: try Activation(huggingFaceName: hiddenAct), layerNormEps: Float(layerNormEps),
                        attentionBias: qkvBias)
    }
}

/// transformers' ViTEmbeddings (with ViTPatchEmbeddings' projection): patch, position and [CLS]
/// embeddings (`vit.embeddings`).
public final class ViTEmbeddings: Module {
    public let clsToken: Tensor            // [1, 1, D]
    public let patchEmbeddings: PatchEmbedding
    public let positionEmbeddings: Tensor  // [1, 1 + patches, D]

    init(_ config: ViTConfig) {
        let width = config.hiddenSize, patchCount = (config.imageSize / config.patchSize) * (config.imageSize / config.patchSize)
        clsToken = Tensor(zeros: [1, 1, width])
        positionEmbeddings = Tensor(zeros: [1, 1 + patchCount, width])
        patchEmbeddings = PatchEmbedding(channels: config.numChannels, width: width, patchSize: config.patchSize, bias: true)
    }

    public func callAsFunction(_ pixels: Tensor) -> Tensor {
        let sequence = prependingTokens(clsToken, to: patchEmbeddings(pixels))
        return sequence + positionEmbeddings.reshaped(Array(positionEmbeddings.shape.dropFirst()))
    }

    public var namedParameters: [(name: String, tensor: Tensor)] {
        [("cls_token", clsToken), ("position_embeddings", positionEmbeddings)]
            + named("patch_embeddings.projection", patchEmbeddings)
    }
}

/// transformers' ViTForImageClassification (with ViTModel's modules inlined, tensor names `vit.`)
public final class ViTForImageClassification: Module {
    public let config: ViTConfig
    public let embeddings: ViTEmbeddings
    public let encoder: Encoder
    public let layernorm: LayerNorm
    public let classifier: Linear

    public init(_ config: ViTConfig) throws {
        self.config = config
        embeddings = ViTEmbeddings(config)
        encoder = Encoder(try config.encoderGeometry(), names: .vit, listName: "layer")
        layernorm = LayerNorm(config.hiddenSize, eps: Float(config.layerNormEps))
        classifier = Linear(config.hiddenSize, config.labels.count)
    }

    /// The final-LayerNorm'd [CLS] representation, [B, D]: what the classifier reads.
    public func features(_ pixels: Tensor) -> Tensor {
        // LayerNorm is row-wise: normalising the [CLS] row alone is selecting it after normalising.
        layernorm(encoder(embeddings(pixels), onlyAt: Array(repeating: 0, count: pixels.shape[0])))
    }

    /// Class logits [B, labels] for pixel values [B, C, H, W].
    public func callAsFunction(_ pixels: Tensor) -> Tensor { classifier(features(pixels)) }

    public var namedParameters: [(name: String, tensor: Tensor)] {
        named("vit.embeddings", embeddings) + named("vit.encoder", encoder)
            + named("vit.layernorm", layernorm) + named("classifier", classifier)
    }
}
