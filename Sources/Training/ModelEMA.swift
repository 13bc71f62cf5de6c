// An exponential moving average of a model's weights, as timm's ModelEma (the one FT-CLIP's
// engine_for_finetuning.py updates after every optimiser step) computes it: after each step
// every tensor of the model's state, trained or frozen, becomes ema · decay + (1 − decay) · value,
// starting from the weights training starts with and with no warm-up of the decay.
// (timm's later ModelEmaV2/V3 differ; FT-CLIP imports `timm.utils.ModelEma`.)
import TensorCore

public final class ModelEMA {
    public let decay: Double
    /// The averaged copy of each tensor, in the order of the tensors given.
    public let averages: [(name: String, tensor: Tensor)]
    private let tracked: [Tensor]

    public init(_ parameters: [(name: String, tensor: Tensor)], decay: Double) {
        precondition(decay >= 0 && decay <= 1, "ModelEMA: the decay must lie in [0, 1], got \(decay)")
        self.decay = decay
        tracked = parameters.map(\.tensor)
        averages = parameters.map { ($0.name, Tensor(shape: $0.tensor.shape, copying: $0.tensor.pointer)) }
    }

    /// One update after an optimiser step: the average moves (1 − decay) of the way to the weights,
    /// in Float32 as torch computes `ema * decay + (1 - decay) * value`.
    public func update() {
        let keep = Float(decay), take = Float(1 - decay)
        for (average, value) in zip(averages.map(\.tensor), tracked) {
            let a = average.pointer, v = value.pointer
            for i in 0..<value.count { a[i] = a[i] * keep + take * v[i] }
        }
    }

    /// Copies the averages into the model's tensors (to evaluate or save the EMA model).
    public func copyAveragesIntoModel() {
        for (average, value) in zip(averages.map(\.tensor), tracked) {
            value.pointer.update(from: average.pointer, count: value.count)
        }
    }
}
