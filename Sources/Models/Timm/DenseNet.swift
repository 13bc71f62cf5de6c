// DenseNet, as timm's DenseNet computes it (densenet201, torchvision's weights): a 7×7 stride-2
// convolution, batch norm + ReLU and 3×3 max pooling; dense blocks whose every layer
// (norm1-relu-conv1 1×1 to bn_size·k channels, norm2-relu-conv2 3×3 to k channels) sees the
// concatenation of the block's input and all earlier layers' outputs; transitions (norm-relu,
// 1×1 convolution halving the channels, 2×2 average pooling) between blocks; a final norm5 +
// ReLU, global average pooling and a linear classifier. Every norm is BatchNorm2d (eps 1e-5,
// momentum 0.1) followed by ReLU, as timm's BatchNormAct2d.
//
// Batch norm in single-block fine-tuning: the trunk always normalises with its running statistics
// (eval mode), which is what lets its output be computed once and cached. What follows the trunk
// trains as timm's train mode would run it: batch statistics, running statistics updated. The
// study, fine-tuning in PyTorch's train mode, most likely put every batch norm, frozen or not, on
// batch statistics and let all running statistics drift towards upscaled CIFAR-10's; a cached
// trunk cannot do that.
import Checkpoints
import Common
import TensorCore

/// torch.nn.Conv2d without bias
public final class Conv2d: Module {
    public let weight: Tensor  // [O, C, k, k]
    let stride, padding: Int

    public init(_ inputs: Int, _ outputs: Int, kernel: Int, stride: Int = 1, padding: Int = 0) {
        weight = Tensor(zeros: [outputs, inputs, kernel, kernel])
        self.stride = stride
        self.padding = padding
    }

    public func callAsFunction(_ x: Tensor) -> Tensor { conv2d(x, weight: weight, stride: stride, padding: padding) }

    public var namedParameters: [(name: String, tensor: Tensor)] { [("weight", weight)] }
}

/// timm's BatchNormAct2d: BatchNorm2d then ReLU. The running statistics are listed with the
/// parameters (as in a state dict) so that checkpoints load and save them; they never receive gradients.
public final class BatchNormReLU: Module {
    public let weight, bias, runningMean, runningVar: Tensor
    static let eps: Float = 1e-5, momentum: Float = 0.1

    public init(_ channels: Int) {
        weight = Tensor(repeating: 1, shape: [channels])
        bias = Tensor(zeros: [channels])
        runningMean = Tensor(zeros: [channels])
        runningVar = Tensor(repeating: 1, shape: [channels])
    }

    /// With `training`, normalises with the batch's statistics and updates the running ones.
    public func callAsFunction(_ x: Tensor, training: Bool = false) -> Tensor {
        relu(batchNorm(x, weight: weight, bias: bias, runningMean: runningMean, runningVariance: runningVar,
                       eps: Self.eps, statistics: training ? .batch(momentum: Self.momentum) : .running))
    }

    public var namedParameters: [(name: String, tensor: Tensor)] {
        [("weight", weight), ("bias", bias), ("running_mean", runningMean), ("running_var", runningVar)]
    }

    var buffers: [Tensor] { [runningMean, runningVar] }
}

/// timm's DenseLayer
public final class DenseLayer: Module {
    public let norm1, norm2: BatchNormReLU
    public let conv1, conv2: Conv2d

    init(inputs: Int, growthRate: Int, bottleneckWidth: Int) {
        norm1 = BatchNormReLU(inputs)
        conv1 = Conv2d(inputs, bottleneckWidth, kernel: 1)
        norm2 = BatchNormReLU(bottleneckWidth)
        conv2 = Conv2d(bottleneckWidth, growthRate, kernel: 3, padding: 1)
    }

    /// The layer's input with its k new channels appended.
    public func callAsFunction(_ x: Tensor, training: Bool = false) -> Tensor {
        concatenated([x, conv2(norm2(conv1(norm1(x, training: training)), training: training))], axis: 1)
    }

    public var namedParameters: [(name: String, tensor: Tensor)] {
        named("norm1", norm1) + named("conv1", conv1) + named("norm2", norm2) + named("conv2", conv2)
    }
}

/// timm's DenseTransition
public final class Transition: Module {
    public let norm: BatchNormReLU
    public let conv: Conv2d

    init(inputs: Int, outputs: Int) {
        norm = BatchNormReLU(inputs)
        conv = Conv2d(inputs, outputs, kernel: 1)
    }

    public func callAsFunction(_ x: Tensor) -> Tensor { avgPool2d(conv(norm(x)), kernel: 2) }

    public var namedParameters: [(name: String, tensor: Tensor)] { named("norm", norm) + named("conv", conv) }
}

/// timm's DenseNet
public final class DenseNet: TimmClassifier {
    public private(set) var config: TimmConfig
    public let conv0: Conv2d
    public let norm0: BatchNormReLU
    /// `features.denseblockN.denselayerM` is denseBlocks[N - 1][M - 1].
    public let denseBlocks: [[DenseLayer]]
    /// `features.transitionN` is transitions[N - 1].
    public let transitions: [Transition]
    public let norm5: BatchNormReLU
    public private(set) var classifier: Linear
    /// The layer of the final dense block that is fine-tuned with the classifier, numbered from 1
    /// as timm names it (denselayerN); the layers before it are the trunk, those after it stay
    /// frozen. The study's 235,210 trainable parameters are exactly denselayer16 of DenseNet-201's
    /// final block and the 10-class classifier — the name of DenseNet-121's last layer (its final
    /// block has 16), not DenseNet-201's (32) — so 16 is the default, or the final layer of a
    /// shorter block.
    public var fineTunedLayer: Int {
        didSet { precondition(denseBlocks.last!.indices.contains(fineTunedLayer - 1), "no denselayer\(fineTunedLayer) in the final block") }
    }
    public static let studyFineTunedLayer = 16

    public init(_ config: TimmConfig) throws {
        var arguments = try TimmRegistry.arguments(config)
        let growthRate = try arguments.int("growth_rate", default: 32, in: 1...4096)
        let blockConfig = try arguments.ints("block_config", default: [6, 12, 24, 16], in: 1...1024, maximumCount: 8)
        let bottleneck = try arguments.int("bn_size", default: 4, in: 1...64) * growthRate
        let channels = try arguments.int("in_chans", default: 3, in: 1...ConfigLimits.maximumChannels)
        let classes = try arguments.int("num_classes")
        try arguments.require("global_pool", .string("avg"))
        try arguments.require("stem_type", .string(""))
        try arguments.require("act_layer", .string("relu"))
        try arguments.require("norm_layer", .string("batchnorm2d"))
        try arguments.require("aa_layer", .null)
        arguments.inert("drop_rate", "proj_drop_rate", "memory_efficient", "aa_stem_only")
        try arguments.checkAllRead()
        // The stem and each transition halve the image: every stage needs a pixel to pool.
        let smallest = 1 << (1 + blockConfig.count), input = config.pretrainedConfig.inputSize
        guard min(input[1], input[2]) >= smallest else {
            throw TimmError.badArgument(architecture: config.architecture, key: "pretrained_cfg.input_size",
                                        expected: "sides of at least \(smallest) pixels for \(blockConfig.count) dense blocks", found: "\(input)")
        }
        // Each layer's 1x1 and 3x3 convolutions; the sizes are bounded above, so nothing overflows.
        var parameters = 0, width = 2 * growthRate
        for layers in blockConfig {
            for _ in 0..<layers {
                parameters += width * bottleneck + 9 * bottleneck * growthRate
                width += growthRate
            }
            width /= 2
        }
        guard parameters <= ConfigLimits.maximumParameters else {
            throw TimmError.badArgument(architecture: config.architecture, key: "growth_rate",
                                        expected: "a model of at most \(ConfigLimits.maximumParameters) parameters", found: "about \(parameters)")
        }
        self.config = config
        var features = 2 * growthRate
        conv0 = Conv2d(channels, features, kernel: 7, stride: 2, padding: 3)
        norm0 = BatchNormReLU(features)
        var blocks: [[DenseLayer]] = [], transitions: [Transition] = []
        for (index, layers) in blockConfig.enumerated() {
            blocks.append((0..<layers).map {
                DenseLayer(inputs: features + $0 * growthRate, growthRate: growthRate, bottleneckWidth: bottleneck)
            })
            features += layers * growthRate
            if index < blockConfig.count - 1 {
                transitions.append(Transition(inputs: features, outputs: features / 2))
                features /= 2
            }
        }
        denseBlocks = blocks
        self.transitions = transitions
        norm5 = BatchNormReLU(features)
        classifier = Linear(features, classes)
        fineTunedLayer = min(Self.studyFineTunedLayer, blockConfig.last!)
    }

    /// The stem's output: conv0, norm0 + ReLU, 3×3 max pooling with stride 2.
    public func stem(_ pixels: Tensor) -> Tensor {
        maxPool2d(norm0(conv0(pixels)), kernel: 3, stride: 2, padding: 1)
    }

    /// The final block's input: the stem, and every block but the last with its transition.
    public func finalBlockInput(_ pixels: Tensor) -> Tensor {
        zip(denseBlocks.dropLast(), transitions).reduce(stem(pixels)) { x, stage in
            stage.1(stage.0.reduce(x) { x, layer in layer(x) })
        }
    }

    public func trunk(_ pixels: Tensor) -> Tensor {
        denseBlocks.last![..<(fineTunedLayer - 1)].reduce(finalBlockInput(pixels)) { x, layer in layer(x) }
    }

    /// Its batch norms after the trunk train on the batch's statistics.
    public var normalisesWithBatchStatistics: Bool { true }

    public func lastBlockAndHead(_ features: Tensor, training: Bool) -> Tensor {
        let x = denseBlocks.last![(fineTunedLayer - 1)...].reduce(features) { x, layer in layer(x, training: training) }
        return classifier(globalAveragePool(norm5(x, training: training)))
    }

    public var fineTunedParameters: [(name: String, tensor: Tensor)] {
        let layer = named("features.denseblock\(denseBlocks.count).denselayer\(fineTunedLayer)", denseBlocks.last![fineTunedLayer - 1])
        // Running statistics are state, not trained parameters.
        let buffers = Set(denseBlocks.last![fineTunedLayer - 1].buffers.map(ObjectIdentifier.init))
        return layer.filter { !buffers.contains(ObjectIdentifier($0.tensor)) } + named("classifier", classifier)
    }

    public func resetClassifier(classes: Int, using generator: inout some RandomNumberGenerator) {
        classifier = freshLinear(norm5.weight.count, classes, using: &generator)
        config = config.withClasses(classes)
    }

    public var namedParameters: [(name: String, tensor: Tensor)] {
        var parameters = named("features.conv0", conv0) + named("features.norm0", norm0)
        for (index, block) in denseBlocks.enumerated() {
            for (layerIndex, layer) in block.enumerated() {
                parameters += named("features.denseblock\(index + 1).denselayer\(layerIndex + 1)", layer)
            }
            if index < transitions.count { parameters += named("features.transition\(index + 1)", transitions[index]) }
        }
        return parameters + named("features.norm5", norm5) + named("classifier", classifier)
    }
}

extension DenseLayer {
    var buffers: [Tensor] { norm1.buffers + norm2.buffers }
}
