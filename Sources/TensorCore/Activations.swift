// Activations: GELU with erf (ViT's "gelu"), CLIP's quick_gelu x·σ(1.702x), and exp (for
// CLIP's logit scale). The kernels are vectorised (VectorMath) and split over the cores.
import Foundation

/// A function applied elementwise, with its derivative; generic kernels specialise on it, so
/// that each loop is compiled with the function inlined, and vectorised.
protocol ElementwiseFunction {
    static func value(_ x: Float) -> Float
    static func derivative(_ x: Float) -> Float
}

extension Tensor {
    /// y[i] = F(x[i]); in backward dx[i] = g[i] · F'(x[i]). Both split over the cores.
    fileprivate func unary<F: ElementwiseFunction>(_ function: F.Type) -> Tensor {
        let y = Tensor(uninitializedShape: shape)
        let xp = pointer, yp = y.pointer
        Parallel.forEachChunk(count, costPerItem: 16) { range in
            for i in range { yp[i] = F.value(xp[i]) }
        }
        return y.recording([self]) { g in
            let dx = Tensor(uninitializedShape: self.shape)
            let gp = g.pointer, dp = dx.pointer, xp = self.pointer
            Parallel.forEachChunk(self.count, costPerItem: 16) { range in
                for i in range { dp[i] = gp[i] * F.derivative(xp[i]) }
            }
            return [dx]
        }
    }
}

private let inverseSqrt2: Float = 0.70710678118654752440
private let inverseSqrt2Pi: Float = 0.39894228040143267794

/// x · Φ(x) = x/2 · (1 + erf(x/√2)).
private enum GELU: ElementwiseFunction {
    @inline(__always) static func value(_ x: Float) -> Float { 0.5 * x * (1 + fastErf(x * inverseSqrt2)) }

    @inline(__always) static func derivative(_ x: Float) -> Float {
        let (erf, gaussian) = fastErfAndGaussian(x * inverseSqrt2)  // gaussian = exp(−x²/2)
        return 0.5 * (1 + erf) + x * inverseSqrt2Pi * gaussian
    }
}

/// x · σ(1.702 x).
private enum QuickGELU: ElementwiseFunction {
    @inline(__always) static func value(_ x: Float) -> Float { x / (1 + fastExp(-1.702 * x)) }

    @inline(__always) static func derivative(_ x: Float) -> Float {
        let s = 1 / (1 + fastExp(-1.702 * x))
        return s + 1.702 * x * s * (1 - s)
    }
}

/// e^x, to libm's accuracy (it only scales CLIP's logits).
private enum Exponential: ElementwiseFunction {
    @inline(__always) static func value(_ x: Float) -> Float { Foundation.exp(x) }
    @inline(__always) static func derivative(_ x: Float) -> Float { Foundation.exp(x) }
}

/// GELU with the exact erf form: x · Φ(x).
public func gelu(_ x: Tensor) -> Tensor { x.unary(GELU.self) }

/// CLIP's quick_gelu: x · sigmoid(1.702 x).
public func quickGelu(_ x: Tensor) -> Tensor { x.unary(QuickGELU.self) }

public func exp(_ x: Tensor) -> Tensor { x.unary(Exponential.self) }

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
