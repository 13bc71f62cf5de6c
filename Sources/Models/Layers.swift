// The two parameterised layers every transformer here is made of. Parameters start at zero
// (LayerNorm at identity) and are filled by a checkpoint or an initialiser.
import TensorCore

/// torch.nn.Linear
public final class Linear: Module {
    public let weight: Tensor
    public let bias: Tensor?

    public init(_ inputs: Int, _ outputs: Int, bias: Bool = true) {
        weight = Tensor(zeros: [outputs, inputs])
        self.bias = bias ? Tensor(zeros: [outputs]) : nil
    }

    /// A layer on given (zeroed) tensors, e.g. views of a storage shared with sibling layers.
    init(weight: Tensor, bias: Tensor?) {
        self.weight = weight
        self.bias = bias
    }

    public func callAsFunction(_ x: Tensor) -> Tensor { linear(x, weight: weight, bias: bias) }

    public var namedParameters: [(name: String, tensor: Tensor)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }
}

/// torch.nn.LayerNorm
public final class LayerNorm: Module {
    public let weight: Tensor
    public let bias: Tensor
    public let eps: Float

    public init(_ width: Int, eps: Float) {
        weight = Tensor(repeating: 1, shape: [width])
        bias = Tensor(zeros: [width])
        self.eps = eps
    }

    public func callAsFunction(_ x: Tensor) -> Tensor { layerNorm(x, weight: weight, bias: bias, eps: eps) }

    public var namedParameters: [(name: String, tensor: Tensor)] { [("weight", weight), ("bias", bias)] }
}

/// torch.nn.Conv2d whose stride equals its kernel (ViT's and CLIP's patch embedding): a linear map
/// of flattened patches. The weight keeps the checkpoint's [D, C, p, p] kernel shape.
public final class PatchEmbedding: Module {
    public let weight: Tensor
    public let bias: Tensor?
    let patchSize: Int

    public init(channels: Int, width: Int, patchSize: Int, bias: Bool) {
        weight = Tensor(zeros: [width, channels, patchSize, patchSize])
        self.bias = bias ? Tensor(zeros: [width]) : nil
        self.patchSize = patchSize
    }

    /// [B, C, H, W] pixels → [B, (H/p)·(W/p), D] patch embeddings.
    public func callAsFunction(_ pixels: Tensor) -> Tensor {
        let kernel = weight.reshaped([weight.shape[0], weight.count / weight.shape[0]])
        return linear(patches(pixels, size: patchSize), weight: kernel, bias: bias)
    }

    public var namedParameters: [(name: String, tensor: Tensor)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }
}
