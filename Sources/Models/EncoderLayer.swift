// The pre-norm transformer encoder layer that ViT and both CLIP towers share:
//     h = x + Attention(LN₁(x));  y = h + MLP(LN₂(h))
// The two families differ only in the names Hugging Face gives the same tensors, and in the MLP's
// activation (ViT: erf GELU; OpenAI CLIP: quick_gelu).
import TensorCore

/// Where each tensor of an encoder layer lives in a Hugging Face checkpoint. The Swift properties
/// carry CLIP's names; ViT's checkpoints name the same tensors differently.
public struct EncoderLayerNames: Sendable {
    var layerNorm1, qProj, kProj, vProj, outProj, layerNorm2, fc1, fc2: String

    /// ViTLayer: `vit.encoder.layer.N.attention.attention.query.weight`, ...
    public static let vit = EncoderLayerNames(
        layerNorm1: "layernorm_before", qProj: "attention.attention.query", kProj: "attention.attention.key",
        vProj: "attention.attention.value", outProj: "attention.output.dense", layerNorm2: "layernorm_after",
        fc1: "intermediate.dense", fc2: "output.dense")

    /// CLIPEncoderLayer: `vision_model.encoder.layers.N.self_attn.q_proj.weight`, ...
    public static let clip = EncoderLayerNames(
        layerNorm1: "layer_norm1", qProj: "self_attn.q_proj", kProj: "self_attn.k_proj", vProj: "self_attn.v_proj",
        outProj: "self_attn.out_proj", layerNorm2: "layer_norm2", fc1: "mlp.fc1", fc2: "mlp.fc2")
}

/// The shape of an encoder stack, as every config describes it.
public struct EncoderGeometry: Sendable {
    public var width: Int
    public var depth: Int
    public var heads: Int
    public var mlpWidth: Int
    public var activation: Activation
    public var layerNormEps: Float
    /// Whether query, key and value projections carry a bias (ViT's qkv_bias; CLIP always does).
    public var attentionBias: Bool

    public init(width: Int, depth: Int, heads: Int, mlpWidth: Int, activation: Activation, layerNormEps: Float,
                attentionBias: Bool = true) {
        self.width = width
        self.depth = depth
        self.heads = heads
        self.mlpWidth = mlpWidth
        self.activation = activation
        self.layerNormEps = layerNormEps
        self.attentionBias = attentionBias
    }
}

/// transformers' CLIPEncoderLayer (ViTLayer computes the same with other tensor names)
public final class EncoderLayer: Module {
    let names: EncoderLayerNames
    let heads: Int
    let activation: Activation
    public let layerNorm1, layerNorm2: LayerNorm
    public let qProj, kProj, vProj, outProj, fc1, fc2: Linear
    /// Stochastic depth (drop path) for the next forward passes: each residual branch's output
    /// is multiplied by its mask, [T, D] (a position's row is 0 or 1/keep, as FT-CLIP's
    /// sequence-first layout makes timm's drop_path draw it), before it joins the residual
    /// stream. Nil (the default, and at evaluation) leaves the branches as they are.
    public var branchMasks: (attention: Tensor, mlp: Tensor)?

    public init(_ geometry: EncoderGeometry, names: EncoderLayerNames) {
        let width = geometry.width
        self.names = names
        heads = geometry.heads
        activation = geometry.activation
        layerNorm1 = LayerNorm(width, eps: geometry.layerNormEps)
        layerNorm2 = LayerNorm(width, eps: geometry.layerNormEps)
        // Query, key and value weights (and biases) lie back to back in one storage, so that the
        // three projections run as one product [D → 3D] whose output attention reads in place.
        // Each keeps its own Hugging Face name and shape.
        let projections = Storage(count: 3 * width * width), biases = Storage(count: 3 * width)
        projections.base.update(repeating: 0, count: 3 * width * width)
        biases.base.update(repeating: 0, count: 3 * width)
        func projection(_ index: Int) -> Linear {
            Linear(weight: Tensor(shape: [width, width], storage: projections, offset: index * width * width),
                   bias: geometry.attentionBias ? Tensor(shape: [width], storage: biases, offset: index * width) : nil)
        }
        qProj = projection(0)
        kProj = projection(1)
        vProj = projection(2)
        outProj = Linear(width, width)
        fc1 = Linear(width, geometry.mlpWidth)
        fc2 = Linear(geometry.mlpWidth, width)
    }

    public func callAsFunction(_ x: Tensor, mask: AttentionMask = .none) -> Tensor {
        let normed = layerNorm1(x)
        let qkv = linear(normed, weight: concatenated([qProj.weight, kProj.weight, vProj.weight]),
                         bias: qProj.bias.map { concatenated([$0, kProj.bias!, vProj.bias!]) })
        let attended = attention(packed: qkv, heads: heads, mask: mask)
        guard let branchMasks else {
            let h = x + outProj(attended)
            return h + fc2(activation(fc1(layerNorm2(h))))
        }
        let h = x + outProj(attended) * branchMasks.attention
        return h + fc2(activation(fc1(layerNorm2(h)))) * branchMasks.mlp
    }

    /// The layer's output at one position per item, [B, D] (`selectingPositions(self(x), positions)`
    /// without a mask): keys and values for every position, everything else only where it is read.
    func callAsFunction(_ x: Tensor, onlyAt positions: [Int]) -> Tensor {
        precondition(branchMasks == nil, "EncoderLayer: drop path applies to whole sequences, not to one position")
        let (batch, width) = (x.shape[0], x.shape[2])
        let normed = layerNorm1(x)
        let keysAndValues = linear(normed, weight: concatenated([kProj.weight, vProj.weight]),
                                   bias: kProj.bias.map { concatenated([$0, vProj.bias!]) })
        let queries = qProj(selectingPositions(normed, positions)).reshaped([batch, 1, width])
        let attended = attention(queries: queries, keysAndValues: keysAndValues, heads: heads).reshaped([batch, width])
        let h = selectingPositions(x, positions) + outProj(attended)
        return h + fc2(activation(fc1(layerNorm2(h))))
    }

    public var namedParameters: [(name: String, tensor: Tensor)] {
        named(names.layerNorm1, layerNorm1) + named(names.qProj, qProj) + named(names.kProj, kProj)
            + named(names.vProj, vProj) + named(names.outProj, outProj)
            + named(names.layerNorm2, layerNorm2) + named(names.fc1, fc1) + named(names.fc2, fc2)
    }
}

/// transformers' CLIPEncoder (ViTEncoder): `encoder.layers.N` in CLIP, `encoder.layer.N` in ViT.
public final class Encoder: Module {
    public let layers: [EncoderLayer]
    let listName: String

    public init(_ geometry: EncoderGeometry, names: EncoderLayerNames, listName: String) {
        layers = (0..<geometry.depth).map { _ in EncoderLayer(geometry, names: names) }
        self.listName = listName
    }

    /// The output of every layer, in order (the last is the encoder's output).
    public func hiddenStates(_ x: Tensor, mask: AttentionMask = .none) -> [Tensor] {
        var states: [Tensor] = []
        var h = x
        for layer in layers {
            h = layer(h, mask: mask)
            states.append(h)
        }
        return states
    }

    public func callAsFunction(_ x: Tensor, mask: AttentionMask = .none) -> Tensor {
        layers.reduce(x) { h, layer in layer(h, mask: mask) }
    }

    /// The encoder's output at one position per item (a [CLS] token), [B, D], for a model that
    /// reads nothing else: the same values as `selectingPositions(self(x), positions)`, but the
    /// last layer computes its attention output and MLP only at those positions (in ViT-B/16,
    /// 1/197 of them: about 6% of the encoder's products, forward and backward). No mask; under
    /// drop path (`branchMasks`) every position is computed, as the masks are per position.
    public func callAsFunction(_ x: Tensor, onlyAt positions: [Int]) -> Tensor {
        guard let last = layers.last, last.branchMasks == nil else { return selectingPositions(self(x), positions) }
        return last(layers.dropLast().reduce(x) { h, layer in layer(h) }, onlyAt: positions)
    }

    public var namedParameters: [(name: String, tensor: Tensor)] { named(listName, layers) }
}
