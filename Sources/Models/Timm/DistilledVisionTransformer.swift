// DeiT with a distillation token, as timm's VisionTransformerDistilled computes it
// (deit_base_distilled_patch16_224): patch embedding, the class and distillation tokens
// prepended, learned position embeddings over all of them, pre-norm blocks, a final LayerNorm,
// and two linear heads — `head` on the class token, `head_dist` on the distillation token —
// whose logits are averaged (timm does so at inference and in plain fine-tuning alike).
import Common
import TensorCore

/// timm's VisionTransformerDistilled
public final class DistilledVisionTransformer: TimmClassifier {
    public private(set) var config: TimmConfig
    public let patchEmbed: PatchEmbedding
    public let clsToken: Tensor   // [1, 1, D]
    public let distToken: Tensor  // [1, 1, D]
    public let posEmbed: Tensor   // [1, 2 + patches, D]
    public let blocks: [TransformerBlock]
    public let norm: LayerNorm
    public private(set) var head: Linear
    public private(set) var headDist: Linear
    /// The block fine-tuned with the heads; those before it are the trunk. The study trained the
    /// last (blocks.11 of DeiT-Base) and the heads, and left the final norm frozen: that is
    /// exactly its 7,103,252 trainable parameters.
    public var fineTunedBlock: Int {
        didSet { precondition(blocks.indices.contains(fineTunedBlock), "no block \(fineTunedBlock) in \(blocks.count)") }
    }

    public init(_ config: TimmConfig) throws {
        var arguments = try TimmRegistry.arguments(config)
        let geometry = try TransformerGeometry(&arguments)
        try arguments.require("global_pool", .string("token"))
        try arguments.require("class_token", .bool(true))
        try arguments.require("no_embed_class", .bool(false))
        try arguments.require("init_values", .null)
        try arguments.checkAllRead()
        self.config = config
        let width = geometry.width
        patchEmbed = PatchEmbedding(channels: geometry.channels, width: width, patchSize: geometry.patchSize, bias: true)
        clsToken = Tensor(zeros: [1, 1, width])
        distToken = Tensor(zeros: [1, 1, width])
        posEmbed = Tensor(zeros: [1, 2 + geometry.patchCount, width])
        blocks = (0..<geometry.depth).map { _ in
            TransformerBlock(width: width, heads: geometry.heads, mlpWidth: geometry.mlpWidth, qkvBias: geometry.qkvBias)
        }
        norm = LayerNorm(width, eps: timmLayerNormEps)
        head = Linear(width, geometry.classes)
        headDist = Linear(width, geometry.classes)
        fineTunedBlock = geometry.depth - 1
    }

    /// The tokens before the first block, [B, 2 + patches, D]: class, distillation, patches.
    public func embeddings(_ pixels: Tensor) -> Tensor {
        let tokens = prependingTokens(clsToken, to: prependingTokens(distToken, to: patchEmbed(pixels)))
        return tokens + posEmbed.reshaped(Array(posEmbed.shape.dropFirst()))
    }

    public func trunk(_ pixels: Tensor) -> Tensor {
        blocks[..<fineTunedBlock].reduce(embeddings(pixels)) { x, block in block(x) }
    }

    public func lastBlockAndHead(_ features: Tensor, training: Bool) -> Tensor {
        let x = blocks[fineTunedBlock...].reduce(features) { x, block in block(x) }
        let batch = x.shape[0]
        // The final norm acts token by token: only the two tokens the heads read are normalised.
        let classLogits = head(norm(selectingPositions(x, Array(repeating: 0, count: batch))))
        let distillationLogits = headDist(norm(selectingPositions(x, Array(repeating: 1, count: batch))))
        return (classLogits + distillationLogits) * 0.5
    }

    public var fineTunedParameters: [(name: String, tensor: Tensor)] {
        named("blocks.\(fineTunedBlock)", blocks[fineTunedBlock]) + named("head", head) + named("head_dist", headDist)
    }

    public func resetClassifier(classes: Int, using generator: inout some RandomNumberGenerator) {
        let width = norm.weight.count
        head = freshLinear(width, classes, using: &generator)
        headDist = freshLinear(width, classes, using: &generator)
        config = config.withClasses(classes)
    }

    public var namedParameters: [(name: String, tensor: Tensor)] {
        [("cls_token", clsToken), ("dist_token", distToken), ("pos_embed", posEmbed)]
            + named("patch_embed.proj", patchEmbed) + named("blocks", blocks) + named("norm", norm)
            + named("head", head) + named("head_dist", headDist)
    }
}
