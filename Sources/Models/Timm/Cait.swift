// CaiT, as timm's Cait computes it (cait_s24_224): patch embedding plus position embeddings (no
// class token yet), self-attention blocks with talking heads and LayerScale, then class-attention
// blocks in which a class token alone attends to itself and the patches, a final LayerNorm, and a
// linear head on the class token.
import Checkpoints
import Common
import TensorCore

/// timm's TalkingHeadAttn: fused `qkv`, heads mixed before the softmax by `proj_l` and after it
/// by `proj_w` (each a Linear(heads, heads)), then `proj`.
public final class TalkingHeadsSelfAttention: Module {
    public let qkv, proj, projL, projW: Linear
    public let heads: Int

    public init(width: Int, heads: Int, qkvBias: Bool) {
        qkv = Linear(width, 3 * width, bias: qkvBias)
        proj = Linear(width, width)
        projL = Linear(heads, heads)
        projW = Linear(heads, heads)
        self.heads = heads
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        let (q, k, v) = queryKeyValue(x, qkv)
        return proj(talkingHeadsAttention(query: q, key: k, value: v, heads: heads, logitMixing: projL.weight,
                                          logitBias: projL.bias!, probabilityMixing: projW.weight, probabilityBias: projW.bias!))
    }

    public var namedParameters: [(name: String, tensor: Tensor)] {
        named("qkv", qkv) + named("proj", proj) + named("proj_l", projL) + named("proj_w", projW)
    }
}

/// timm's LayerScaleBlock: x + γ₁ ∘ attn(norm1(x)), then + γ₂ ∘ mlp(norm2(x)).
public final class LayerScaleBlock: Module {
    public let norm1, norm2: LayerNorm
    public let attn: TalkingHeadsSelfAttention
    public let mlp: Mlp
    public let gamma1, gamma2: Tensor  // [D]

    init(width: Int, heads: Int, mlpWidth: Int, qkvBias: Bool) {
        norm1 = LayerNorm(width, eps: timmLayerNormEps)
        attn = TalkingHeadsSelfAttention(width: width, heads: heads, qkvBias: qkvBias)
        norm2 = LayerNorm(width, eps: timmLayerNormEps)
        mlp = Mlp(width: width, hiddenWidth: mlpWidth)
        gamma1 = Tensor(zeros: [width])
        gamma2 = Tensor(zeros: [width])
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        let h = x + attn(norm1(x)) * gamma1
        return h + mlp(norm2(h)) * gamma2
    }

    public var namedParameters: [(name: String, tensor: Tensor)] {
        [("gamma_1", gamma1), ("gamma_2", gamma2)] + named("norm1", norm1) + named("attn", attn)
            + named("norm2", norm2) + named("mlp", mlp)
    }
}

/// timm's ClassAttn: the first token of u [B, 1 + N, D] queries all of u; separate `q`, `k`,
/// `v` projections, then `proj`. Output [B, 1, D].
public final class ClassAttention: Module {
    public let q, k, v, proj: Linear
    public let heads: Int

    init(width: Int, heads: Int, qkvBias: Bool) {
        q = Linear(width, width, bias: qkvBias)
        k = Linear(width, width, bias: qkvBias)
        v = Linear(width, width, bias: qkvBias)
        proj = Linear(width, width)
        self.heads = heads
    }

    public func callAsFunction(_ u: Tensor) -> Tensor {
        let (batch, width) = (u.shape[0], u.shape[2])
        let query = q(selectingPositions(u, Array(repeating: 0, count: batch))).reshaped([batch, 1, width])
        return proj(crossAttention(query: query, key: k(u), value: v(u), heads: heads))
    }

    public var namedParameters: [(name: String, tensor: Tensor)] {
        named("q", q) + named("k", k) + named("v", v) + named("proj", proj)
    }
}

/// timm's LayerScaleBlockClassAttn: with u = [cls, x], cls + γ₁ ∘ attn(norm1(u)), then
/// + γ₂ ∘ mlp(norm2(cls)). The patch tokens x pass through unchanged.
public final class ClassAttentionBlock: Module {
    public let norm1, norm2: LayerNorm
    public let attn: ClassAttention
    public let mlp: Mlp
    public let gamma1, gamma2: Tensor  // [D]

    init(width: Int, heads: Int, mlpWidth: Int, qkvBias: Bool) {
        norm1 = LayerNorm(width, eps: timmLayerNormEps)
        attn = ClassAttention(width: width, heads: heads, qkvBias: qkvBias)
        norm2 = LayerNorm(width, eps: timmLayerNormEps)
        mlp = Mlp(width: width, hiddenWidth: mlpWidth)
        gamma1 = Tensor(zeros: [width])
        gamma2 = Tensor(zeros: [width])
    }

    /// The updated class token [B, 1, D], from the patch tokens x [B, N, D] and cls [B, 1, D].
    public func callAsFunction(_ x: Tensor, classToken cls: Tensor) -> Tensor {
        let h = cls + attn(norm1(concatenated([cls, x], axis: 1))) * gamma1
        return h + mlp(norm2(h)) * gamma2
    }

    public var namedParameters: [(name: String, tensor: Tensor)] {
        [("gamma_1", gamma1), ("gamma_2", gamma2)] + named("norm1", norm1) + named("attn", attn)
            + named("norm2", norm2) + named("mlp", mlp)
    }
}

/// timm's Cait
public final class Cait: TimmClassifier {
    public private(set) var config: TimmConfig
    public let patchEmbed: PatchEmbedding
    public let clsToken: Tensor  // [1, 1, D]
    public let posEmbed: Tensor  // [1, patches, D]
    public let blocks: [LayerScaleBlock]
    public let blocksTokenOnly: [ClassAttentionBlock]
    public let norm: LayerNorm
    public private(set) var head: Linear
    /// The self-attention block fine-tuned with the head; those before it are the trunk, and the
    /// class-attention blocks and final norm after it stay frozen. The study's 1,775,376
    /// trainable parameters are exactly the last such block (blocks.23 of CaiT-S24) alone: its
    /// count leaves out the 10-class head (3,850 more), which is trained here all the same.
    public var fineTunedBlock: Int {
        didSet { precondition(blocks.indices.contains(fineTunedBlock), "no block \(fineTunedBlock) in \(blocks.count)") }
    }

    public init(_ config: TimmConfig) throws {
        var arguments = try TimmRegistry.arguments(config)
        let geometry = try TransformerGeometry(&arguments)
        let classAttentionDepth = try arguments.int("depth_token_only", default: 2, in: 1...ConfigLimits.maximumDepth)
        let classAttentionMlpWidth = Int(Double(geometry.width) * (try arguments.double("mlp_ratio_token_only", default: 4, in: 0.01...64)))
        guard classAttentionMlpWidth >= 1 else {
            throw TimmError.badArgument(architecture: config.architecture, key: "mlp_ratio_token_only",
                                        expected: "a ratio giving an MLP of at least 1 unit", found: "\(classAttentionMlpWidth) units")
        }
        try arguments.require("global_pool", .string("token"))
        // LayerScale's initial value: the checkpoint holds the trained factors.
        arguments.inert("init_values")
        try arguments.checkAllRead()
        self.config = config
        let width = geometry.width
        patchEmbed = PatchEmbedding(channels: geometry.channels, width: width, patchSize: geometry.patchSize, bias: true)
        clsToken = Tensor(zeros: [1, 1, width])
        posEmbed = Tensor(zeros: [1, geometry.patchCount, width])
        blocks = (0..<geometry.depth).map { _ in
            LayerScaleBlock(width: width, heads: geometry.heads, mlpWidth: geometry.mlpWidth, qkvBias: geometry.qkvBias)
        }
        blocksTokenOnly = (0..<classAttentionDepth).map { _ in
            ClassAttentionBlock(width: width, heads: geometry.heads, mlpWidth: classAttentionMlpWidth, qkvBias: geometry.qkvBias)
        }
        norm = LayerNorm(width, eps: timmLayerNormEps)
        head = Linear(width, geometry.classes)
        fineTunedBlock = geometry.depth - 1
    }

    /// The patch tokens before the first block, [B, patches, D].
    public func embeddings(_ pixels: Tensor) -> Tensor {
        patchEmbed(pixels) + posEmbed.reshaped(Array(posEmbed.shape.dropFirst()))
    }

    public func trunk(_ pixels: Tensor) -> Tensor {
        blocks[..<fineTunedBlock].reduce(embeddings(pixels)) { x, block in block(x) }
    }

    /// The class token after the class-attention blocks, [B, 1, D], for the patch tokens x.
    public func classAttention(_ x: Tensor) -> Tensor {
        let (batch, width) = (x.shape[0], x.shape[2])
        let start = Tensor(zeros: [batch, 1, width]) + clsToken.reshaped([1, width])
        return blocksTokenOnly.reduce(start) { cls, block in block(x, classToken: cls) }
    }

    public func lastBlockAndHead(_ features: Tensor, training: Bool) -> Tensor {
        let x = blocks[fineTunedBlock...].reduce(features) { x, block in block(x) }
        let cls = classAttention(x)
        // The final norm acts token by token: only the class token, which the head reads, is normalised.
        return head(norm(cls.reshaped([cls.shape[0], cls.shape[2]])))
    }

    public var fineTunedParameters: [(name: String, tensor: Tensor)] {
        named("blocks.\(fineTunedBlock)", blocks[fineTunedBlock]) + named("head", head)
    }

    public func resetClassifier(classes: Int, using generator: inout some RandomNumberGenerator) {
        head = freshLinear(norm.weight.count, classes, using: &generator)
        config = config.withClasses(classes)
    }

    public var namedParameters: [(name: String, tensor: Tensor)] {
        [("cls_token", clsToken), ("pos_embed", posEmbed)] + named("patch_embed.proj", patchEmbed)
            + named("blocks", blocks) + named("blocks_token_only", blocksTokenOnly) + named("norm", norm) + named("head", head)
    }
}
