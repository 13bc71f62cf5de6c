// Activations: GELU with erf (ViT's "gelu"), CLIP's quick_gelu x·σ(1.702x), and exp (for
// CLIP's logit scale).
import Foundation

extension Tensor {
    /// Applies `forward` elementwise, and in backward multiplies the incoming gradient by
    /// `derivative(x)`. Both run in parallel chunks.
    fileprivate func unary(_ forward: @escaping (Float) -> Float, derivative: @escaping (Float) -> Float) -> Tensor {
        let y = Tensor(uninitializedShape: shape)
        let xp = pointer, yp = y.pointer
        Parallel.forEachChunk(count, costPerItem: 16) { range in
            for i in range { yp[i] = forward(xp[i]) }
        }
        return y.recording([self]) { g in
            let dx = Tensor(uninitializedShape: self.shape)
            let gp = g.pointer, dp = dx.pointer, xp = self.pointer
            Parallel.forEachChunk(self.count, costPerItem: 16) { range in
                for i in range { dp[i] = gp[i] * derivative(xp[i]) }
            }
            return [dx]
        }
    }
}

private let inverseSqrt2: Float = 0.70710678118654752440
private let inverseSqrt2Pi: Float = 0.39894228040143267794

/// GELU with the exact erf form: x · Φ(x).
public func gelu(_ x: Tensor) -> Tensor {
    x.unary({ v in 0.5 * v * (1 + erf(v * inverseSqrt2)) },
            derivative: { v in 0.5 * (1 + erf(v * inverseSqrt2)) + v * inverseSqrt2Pi * exp(-0.5 * v * v) })
}

/// CLIP's quick_gelu: x · sigmoid(1.702 x).
public func quickGelu(_ x: Tensor) -> Tensor {
    x.unary({ v in v / (1 + exp(-1.702 * v)) },
            derivative: { v in
                let s = 1 / (1 + exp(-1.702 * v))
                return s + 1.702 * v * s * (1 - s)
            })
}

public func exp(_ x: Tensor) -> Tensor {
    x.unary({ v in Foundation.exp(v) }, derivative: { v in Foundation.exp(v) })
}

/// The activations a Hugging Face config may name in `hidden_act`.
public enum Activation: String, Codable, Sendable {
    case gelu
    case quickGelu = "quick_gelu"

    public func callAsFunction(_ x: Tensor) -> Tensor {
        switch self {
        case .gelu: return TensorCore.gelu(x)
        case .quickGelu: return TensorCore.quickGelu(x)
        }
    }
}
