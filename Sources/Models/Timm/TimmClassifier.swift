// What the three timm architectures share for Malpure et al.'s single-block fine-tuning: the
// network splits into a frozen trunk, always in eval mode (so its output for an image never
// changes and can be computed once and cached), and the rest — the fine-tuned block, any frozen
// layers after it, and the classifier — which runs at every training step.
import Common
import TensorCore

public protocol TimmClassifier: Module {
    var config: TimmConfig { get }
    /// The frozen trunk's output for pixel values [B, C, H, W]: the input of the fine-tuned block.
    func trunk(_ pixels: Tensor) -> Tensor
    /// Class logits [B, classes] from the trunk's output. With `training`, batch norm after the
    /// trunk normalises with batch statistics and updates its running ones, as timm's train mode
    /// does (the transformers have no such layer, and no dropout by default: there it changes nothing).
    func lastBlockAndHead(_ features: Tensor, training: Bool) -> Tensor
    /// Whether `lastBlockAndHead(_:training: true)` normalises with the batch's own statistics,
    /// so that an example's output depends on the rest of its batch.
    var normalisesWithBatchStatistics: Bool { get }
    /// The parameters fine-tuning trains, by timm name: the fine-tuned block and the classifier.
    var fineTunedParameters: [(name: String, tensor: Tensor)] { get }
    /// Replaces the classifier with a fresh one for `classes` classes, drawn as torch.nn.Linear
    /// draws its initial weights and biases: uniform in ±1/√fan_in (timm's reset_classifier).
    func resetClassifier(classes: Int, using generator: inout some RandomNumberGenerator)
}

extension TimmClassifier {
    /// Class logits [B, classes] for pixel values [B, C, H, W], in eval mode.
    public func callAsFunction(_ pixels: Tensor) -> Tensor { lastBlockAndHead(trunk(pixels), training: false) }

    /// Freezes every parameter but the fine-tuned ones.
    public func freezeAllButFineTuned() {
        setRequiresGrad(false)
        for (_, tensor) in fineTunedParameters { tensor.requiresGrad = true }
    }

    public var fineTunedParameterCount: Int { fineTunedParameters.reduce(0) { $0 + $1.tensor.count } }

    public var normalisesWithBatchStatistics: Bool { false }
}

/// A torch.nn.Linear(inputs, outputs) as freshly initialised: weight and bias uniform in ±1/√inputs.
func freshLinear(_ inputs: Int, _ outputs: Int, using generator: inout some RandomNumberGenerator) -> Linear {
    let layer = Linear(inputs, outputs)
    let bound = 1 / Float(inputs).squareRoot()
    for tensor in layer.parameters {
        for i in 0..<tensor.count { tensor.pointer[i] = Float.random(in: -bound..<bound, using: &generator) }
    }
    return layer
}

extension TimmConfig {
    /// The config of the same model with a new classifier: timm drops class names that no
    /// longer apply.
    func withClasses(_ classes: Int) -> TimmConfig {
        var config = self
        if classes != numClasses { config.labelNames = nil }
        config.numClasses = classes
        if config.modelArgs["num_classes"] != nil { config.modelArgs["num_classes"] = .number(Double(classes)) }
        return config
    }
}
