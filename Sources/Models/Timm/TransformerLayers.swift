// The transformer pieces timm's DeiT and CaiT are made of, under timm's tensor names: the MLP
// (`mlp.fc1`, `mlp.fc2`, erf GELU), multi-head self-attention with a fused [3D, D] `qkv`
// projection and `proj`, and the pre-norm block (`norm1`, `attn`, `norm2`, `mlp`).
import Checkpoints
import Common
import TensorCore

/// timm's norm layers for these models: LayerNorm with eps 1e-6.
let timmLayerNormEps: Float = 1e-6

/// timm's Mlp
public final class Mlp: Module {
    public let fc1, fc2: Linear

    public init(width: Int, hiddenWidth: Int) {
        fc1 = Linear(width, hiddenWidth)
        fc2 = Linear(hiddenWidth, width)
    }

    public func callAsFunction(_ x: Tensor) -> Tensor { fc2(gelu(fc1(x))) }

    public var namedParameters: [(name: String, tensor: Tensor)] { named("fc1", fc1) + named("fc2", fc2) }
}

/// Query, key and value of x [B, T, D] from a fused [3D, D] projection whose rows are q, k, v
/// in turn (each head a contiguous slice), as timm's `qkv` reshapes to (3, heads, head_dim).
func queryKeyValue(_ x: Tensor, _ qkv: Linear) -> (query: Tensor, key: Tensor, value: Tensor) {
    let width = qkv.weight.shape[1]
    func part(_ index: Int) -> Tensor {
        let rows = (index * width)..<((index + 1) * width)
        return linear(x, weight: qkv.weight.slice(rows), bias: qkv.bias?.slice(rows))
    }
    return (part(0), part(1), part(2))
}

/// timm's Attention
public final class SelfAttention: Module {
    public let qkv, proj: Linear
    public let heads: Int

    public init(width: Int, heads: Int, qkvBias: Bool) {
        qkv = Linear(width, 3 * width, bias: qkvBias)
        proj = Linear(width, width)
        self.heads = heads
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        let (q, k, v) = queryKeyValue(x, qkv)
        return proj(attention(query: q, key: k, value: v, heads: heads))
    }

    public var namedParameters: [(name: String, tensor: Tensor)] { named("qkv", qkv) + named("proj", proj) }
}

/// timm's vision_transformer.Block: x + attn(norm1(x)), then + mlp(norm2(x)).
public final class TransformerBlock: Module {
    public let norm1, norm2: LayerNorm
    public let attn: SelfAttention
    public let mlp: Mlp

    public init(width: Int, heads: Int, mlpWidth: Int, qkvBias: Bool) {
        norm1 = LayerNorm(width, eps: timmLayerNormEps)
        attn = SelfAttention(width: width, heads: heads, qkvBias: qkvBias)
        norm2 = LayerNorm(width, eps: timmLayerNormEps)
        mlp = Mlp(width: width, hiddenWidth: mlpWidth)
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        let h = x + attn(norm1(x))
        return h + mlp(norm2(h))
    }

    public var namedParameters: [(name: String, tensor: Tensor)] {
        named("norm1", norm1) + named("attn", attn) + named("norm2", norm2) + named("mlp", mlp)
    }
}

/// The geometry of a timm vision transformer's patches and blocks, read from its arguments.
struct TransformerGeometry {
    var imageSize: (height: Int, width: Int)
    var patchSize: Int
    var channels: Int
    var width: Int
    var depth: Int
    var heads: Int
    var mlpWidth: Int
    var qkvBias: Bool
    var classes: Int

    var patchCount: Int { (imageSize.height / patchSize) * (imageSize.width / patchSize) }

    init(_ arguments: inout TimmArguments) throws {
        imageSize = try arguments.size("img_size", default: 224, in: 1...4096)
        patchSize = try arguments.int("patch_size", default: 16, in: 1...min(imageSize.height, imageSize.width))
        channels = try arguments.int("in_chans", default: 3, in: 1...ConfigLimits.maximumChannels)
        width = try arguments.int("embed_dim", default: 768)
        depth = try arguments.int("depth", default: 12, in: 1...ConfigLimits.maximumDepth)
        heads = try arguments.int("num_heads", default: 12, in: 1...width)
        // timm: int(dim * mlp_ratio)
        mlpWidth = Int(Double(width) * (try arguments.double("mlp_ratio", default: 4, in: 0.01...64)))
        qkvBias = try arguments.bool("qkv_bias", default: true)
        classes = try arguments.int("num_classes")
        arguments.inert("drop_rate", "pos_drop_rate", "proj_drop_rate", "attn_drop_rate", "drop_path_rate", "weight_init")
        let name = arguments.architecture
        guard imageSize.height % patchSize == 0, imageSize.width % patchSize == 0 else {
            throw TimmError.badArgument(architecture: name, key: "img_size", expected: "a multiple of patch_size \(patchSize)",
                                        found: "\(imageSize.height)x\(imageSize.width)")
        }
        guard patchCount + 2 <= ConfigLimits.maximumPositions else {
            throw TimmError.badArgument(architecture: name, key: "img_size", expected: "at most \(ConfigLimits.maximumPositions - 2) patches of patch_size \(patchSize)",
                                        found: "\(imageSize.height)x\(imageSize.width)")
        }
        guard width % heads == 0 else {
            throw TimmError.badArgument(architecture: name, key: "num_heads", expected: "a divisor of embed_dim \(width)", found: "\(heads)")
        }
        guard mlpWidth >= 1 else {
            throw TimmError.badArgument(architecture: name, key: "mlp_ratio", expected: "a ratio giving an MLP of at least 1 unit", found: "\(mlpWidth) units")
        }
        // Each size is at most 2^20 and the depth 2^10: the products cannot overflow.
        let parameters = depth * (4 * width * width + 2 * width * mlpWidth) + patchCount * width
        guard parameters <= ConfigLimits.maximumParameters else {
            throw TimmError.badArgument(architecture: name, key: "embed_dim", expected: "a model of at most \(ConfigLimits.maximumParameters) parameters",
                                        found: "about \(parameters)")
        }
    }
}
