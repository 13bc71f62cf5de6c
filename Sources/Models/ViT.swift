// ViT for image classification, as transformers' ViTForImageClassification computes it:
// patches → linear patch embedding, a learned [CLS] token, learned position embeddings, a
// pre-norm encoder with erf GELU and LayerNorm eps 1e-12, a final LayerNorm, and a linear
// classifier on the [CLS] token. Tensor names are Hugging Face's (`vit.encoder.layer.N...`).
import Checkpoints
import TensorCore

/// Patch, position and [CLS] embeddings (`vit.embeddings`).
public final class ViTEmbeddings: Module {
    public let classToken: Tensor          // [1, 1, D]
    public let positionEmbeddings: Tensor  // [1, 1 + patches, D]
    public let projection: PatchEmbedding

    init(_ config: ViTConfig) {
        let width = config.hiddenSize, patchCount = (config.imageSize / config.patchSize) * (config.imageSize / config.patchSize)
        classToken = Tensor(zeros: [1, 1, width])
        positionEmbeddings = Tensor(zeros: [1, 1 + patchCount, width])
        projection = PatchEmbedding(channels: config.numChannels, width: width, patchSize: config.patchSize, bias: true)
    }

    public func callAsFunction(_ pixels: Tensor) -> Tensor {
        let sequence = prependingTokens(classToken, to: projection(pixels))
        return sequence + positionEmbeddings.reshaped(Array(positionEmbeddings.shape.dropFirst()))
    }

    public var namedParameters: [(name: String, tensor: Tensor)] {
        [("cls_token", classToken), ("position_embeddings", positionEmbeddings)]
            + named("patch_embeddings.projection", projection)
    }
}

public final class ViTForImageClassification: Module {
    public let config: ViTConfig
    public let embeddings: ViTEmbeddings
    public let encoder: Encoder
    public let finalNorm: LayerNorm
    public let classifier: Linear

    public init(_ config: ViTConfig) throws {
        self.config = config
        embeddings = ViTEmbeddings(config)
        encoder = Encoder(try config.encoderGeometry(), names: .vit, listName: "layer")
        finalNorm = LayerNorm(config.hiddenSize, eps: Float(config.layerNormEps))
        classifier = Linear(config.hiddenSize, config.labels.count)
    }

    /// The final-LayerNorm'd [CLS] representation, [B, D]: what the classifier reads.
    public func features(_ pixels: Tensor) -> Tensor {
        // LayerNorm is row-wise: normalising the [CLS] row alone is selecting it after normalising.
        finalNorm(encoder(embeddings(pixels), onlyAt: Array(repeating: 0, count: pixels.shape[0])))
    }

    /// Class logits [B, labels] for pixel values [B, C, H, W].
    public func callAsFunction(_ pixels: Tensor) -> Tensor { classifier(features(pixels)) }

    public var namedParameters: [(name: String, tensor: Tensor)] {
        named("vit.embeddings", embeddings) + named("vit.encoder", encoder)
            + named("vit.layernorm", finalNorm) + named("classifier", classifier)
    }
}

extension ViTConfig {
    func encoderGeometry() throws -> EncoderGeometry {
        EncoderGeometry(width: hiddenSize, depth: numHiddenLayers, heads: numAttentionHeads, mlpWidth: intermediateSize,
                        activation: try Activation(huggingFaceName: hiddenAct), layerNormEps: Float(layerNormEps),
                        attentionBias: qkvBias)
    }
}
