// Shared by the tests of every module with autograd: deterministic random tensors, and the
// central finite-difference check: for a random upstream weight r, d/dθ Σ(f(θ) ∘ r) from
// backward() must equal (L(θ + h) − L(θ − h)) / 2h, entry by entry.
import TensorCore

/// Deterministic pseudo-random values in [-scale, scale).
public func randomTensor(_ shape: [Int], seed: UInt64, scale: Float = 1) -> Tensor {
    var state = seed &* 0x9E37_79B9_7F4A_7C15 &+ 1
    let values = (0..<shape.reduce(1, *)).map { _ -> Float in
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return (Float(state >> 40) / Float(1 << 24) * 2 - 1) * scale
    }
    return Tensor(shape: shape, scalars: values)
}

/// Largest |analytic − numeric| / max(1, |numeric|) over every entry of every input.
public func gradientError(_ inputs: [Tensor], step h: Float = 1e-2, _ f: ([Tensor]) -> Tensor) -> Float {
    for input in inputs { input.requiresGrad = true; input.grad = nil }
    let probe = GradMode.with(enabled: false) { f(inputs) }
    let weights = randomTensor(probe.shape, seed: 99)
    func loss() -> Double {
        GradMode.with(enabled: false) {
            let out = f(inputs)
            return zip(out.scalars, weights.scalars).reduce(0) { $0 + Double($1.0) * Double($1.1) }
        }
    }
    GradMode.with(enabled: true) { (f(inputs) * weights).sum().backward() }
    var worst: Float = 0
    for input in inputs {
        guard let analytic = input.grad?.scalars else { return .infinity }
        for i in 0..<input.count {
            let saved = input.pointer[i]
            input.pointer[i] = saved + h
            let plus = loss()
            input.pointer[i] = saved - h
            let minus = loss()
            input.pointer[i] = saved
            let numeric = Float((plus - minus) / Double(2 * h))
            guard analytic[i].isFinite && numeric.isFinite else { return .infinity }
            worst = max(worst, abs(analytic[i] - numeric) / max(1, abs(numeric)))
        }
    }
    return worst
}
