// AdamW as torch.optim.AdamW computes it (its single-tensor CPU path), operation by operation in
// Float32 with the scalars formed in Double as Python forms them, and with the fused
// multiply-adds of ATen's vectorised lerp and addcmul kernels, so that trajectories match
// PyTorch's to the last bit but for its square root (Sleef's, within an ulp of the exact one):
//   p ← p·(1 − lr·wd);  m ← lerp(m, g, 1 − β₁);  v ← v·β₂ + (1 − β₂)·g·g
//   p ← p + (−lr/(1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
import Foundation
import TensorCore

public struct AdamWHyperparameters: Codable, Equatable, Sendable {
    public var learningRate: Double
    public var beta1: Double
    public var beta2: Double
    public var epsilon: Double
    public var weightDecay: Double

    public init(learningRate: Double, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8, weightDecay: Double = 0.01) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
    }
}

/// A trained tensor with its parameter group's settings.
public struct OptimizedParameter {
    public let name: String
    public let tensor: Tensor
    public let weightDecay: Double
    /// Multiplies the scheduled learning rate (layer-wise decay).
    public let learningRateScale: Double

    public init(name: String, tensor: Tensor, weightDecay: Double, learningRateScale: Double = 1) {
        self.name = name
        self.tensor = tensor
        self.weightDecay = weightDecay
        self.learningRateScale = learningRateScale
    }
}

public final class AdamW {
    public let hyperparameters: AdamWHyperparameters
    public let parameters: [OptimizedParameter]
    /// torch's per-parameter state: exp_avg, exp_avg_sq and step (a parameter without a
    /// gradient at some step is skipped and its count lags, as in torch).
    public let firstMoments: [Tensor]
    public let secondMoments: [Tensor]
    public internal(set) var stepCounts: [Int]

    public init(_ parameters: [OptimizedParameter], hyperparameters: AdamWHyperparameters) {
        precondition(Set(parameters.map(\.name)).count == parameters.count, "AdamW: parameter names must be unique")
        self.parameters = parameters
        self.hyperparameters = hyperparameters
        firstMoments = parameters.map { Tensor(zeros: $0.tensor.shape) }
        secondMoments = parameters.map { Tensor(zeros: $0.tensor.shape) }
        stepCounts = Array(repeating: 0, count: parameters.count)
    }

    /// Parameter groups by Hugging Face name: decay `weightDecay` except (optionally) on norms,
    /// biases and embeddings; learning rates scaled by `layerDecay`^(depth + 1 − layer) when given,
    /// and the head's (`classifier.*`) by `headLearningRateScale`.
    public convenience init(_ named: [(name: String, tensor: Tensor)], hyperparameters: AdamWHyperparameters,
                            exemptNormsBiasesAndEmbeddings: Bool, layerDecay: Double? = nil, depth: Int? = nil,
                            headLearningRateScale: Double? = nil) {
        let depth = depth ?? ParameterNames.encoderDepth(named.map(\.name))
        let parameters = named.map { name, tensor in
            OptimizedParameter(
                name: name, tensor: tensor,
                weightDecay: exemptNormsBiasesAndEmbeddings && ParameterNames.isExemptFromWeightDecay(name) ? 0 : hyperparameters.weightDecay,
                learningRateScale: (layerDecay.map { ParameterNames.layerDecayScale(of: name, depth: depth, decay: $0) } ?? 1)
                    * (name.hasPrefix("classifier.") ? headLearningRateScale ?? 1 : 1))
        }
        self.init(parameters, hyperparameters: hyperparameters)
    }

    /// One update of every parameter that has a gradient, at learning rate `learningRate` (the
    /// schedule's value; each group scales it).
    public func step(learningRate: Double) {
        for index in parameters.indices {
            let parameter = parameters[index]
            guard let grad = parameter.tensor.grad else { continue }
            precondition(grad.shape == parameter.tensor.shape, "AdamW: gradient \(grad.shape) for \(parameter.name) \(parameter.tensor.shape)")
            stepCounts[index] += 1
            update(parameter.tensor, grad: grad, m: firstMoments[index], v: secondMoments[index],
                   learningRate: learningRate * parameter.learningRateScale, weightDecay: parameter.weightDecay, step: stepCounts[index])
        }
    }

    /// Drops every gradient (torch's zero_grad(set_to_none=True)).
    public func zeroGrad() {
        for parameter in parameters { parameter.tensor.grad = nil }
    }

    private func update(_ tensor: Tensor, grad: Tensor, m: Tensor, v: Tensor, learningRate lr: Double, weightDecay: Double, step: Int) {
        let h = hyperparameters
        let decay = Float(1 - lr * weightDecay), decays = weightDecay != 0
        // lerp(m, g, w) is fma(w, g − m, m) for |w| < 0.5 and fma(w − 1, g − m, g) otherwise.
        let lerpWeight = Float(1 - h.beta1), lerpFromStart = abs(lerpWeight) < 0.5, lerpWeightMinusOne = lerpWeight - 1
        let beta2 = Float(h.beta2), oneMinusBeta2 = Float(1 - h.beta2)
        let biasCorrection1 = 1 - pow(h.beta1, Double(step)), biasCorrection2 = 1 - pow(h.beta2, Double(step))
        let negativeStepSize = Float(-(lr / biasCorrection1)), biasCorrection2Root = Float(biasCorrection2.squareRoot())
        let epsilon = Float(h.epsilon)
        let p = tensor.pointer, g = grad.pointer, mp = m.pointer, vp = v.pointer
        Parallel.forEachChunk(tensor.count, costPerItem: 8) { range in
            for i in range {
                var value = p[i]
                if decays { value *= decay }
                let gi = g[i]
                let difference = gi - mp[i]
                let mi = lerpFromStart ? mp[i].addingProduct(lerpWeight, difference) : gi.addingProduct(lerpWeightMinusOne, difference)
                let vi = (vp[i] * beta2).addingProduct(oneMinusBeta2 * gi, gi)
                mp[i] = mi
                vp[i] = vi
                let denominator = vi.squareRoot() / biasCorrection2Root + epsilon
                p[i] = value + negativeStepSize * mi / denominator
            }
        }
    }
}
