// Floating-point operations per image, counted from a model's configuration. Only the matrix
// products are counted, 2 operations per multiply-add; LayerNorm, GELU, softmax and bias
// additions are linear in the activations and add well under 1% at these sizes. For an
// encoder of depth L, width D, MLP width M over T tokens, each layer costs
//     queries, keys, values and output projection   4 · 2·T·D·D
//     attention scores QKᵀ and weighted values      2 · 2·T·T·D
//     MLP expansion and contraction                 2 · 2·T·D·M
// that is 8TD² + 4T²D + 4TDM per layer. Training costs about three forward passes: the backward
// pass computes two products (gradients of inputs and of weights) for each product of the
// forward one.
import Training
import Checkpoints

public enum ForwardFLOPs {
    /// A pre-norm transformer encoder's matrix products over `tokens` tokens.
    public static func encoder(tokens: Int, width: Int, mlpWidth: Int, depth: Int) -> Double {
        let (t, d, m) = (Double(tokens), Double(width), Double(mlpWidth))
        return Double(depth) * (8 * t * d * d + 4 * t * t * d + 4 * t * d * m)
    }

    /// A patch embedding: a linear map of each flattened patch (channels · p · p values) to `width`.
    public static func patchEmbedding(imageSize: Int, patchSize: Int, channels: Int, width: Int) -> Double {
        let patches = (imageSize / patchSize) * (imageSize / patchSize)
        return 2 * Double(patches) * Double(channels * patchSize * patchSize) * Double(width)
    }

    /// ViTForImageClassification on one image: patches, the encoder over patches + [CLS], the head.
    public static func vit(_ config: ViTConfig) -> Double {
        let side = config.imageSize / config.patchSize
        return patchEmbedding(imageSize: config.imageSize, patchSize: config.patchSize, channels: config.numChannels, width: config.hiddenSize)
            + encoder(tokens: side * side + 1, width: config.hiddenSize, mlpWidth: config.intermediateSize, depth: config.numHiddenLayers)
            + 2 * Double(config.hiddenSize) * Double(config.labels.count)
    }

    /// CLIP's image embedding of one image: patches, the vision encoder, the projection.
    public static func clipImage(_ config: CLIPConfig) -> Double {
        let vision = config.visionConfig, side = vision.imageSize / vision.patchSize
        return patchEmbedding(imageSize: vision.imageSize, patchSize: vision.patchSize, channels: vision.numChannels, width: vision.hiddenSize)
            + encoder(tokens: side * side + 1, width: vision.hiddenSize, mlpWidth: vision.intermediateSize, depth: vision.numHiddenLayers)
            + 2 * Double(vision.hiddenSize) * Double(config.projectionDim)
    }

    /// Scoring one image embedding against `classes` cached class embeddings.
    public static func similarities(_ config: CLIPConfig, classes: Int) -> Double {
        2 * Double(config.projectionDim) * Double(classes)
    }
}
