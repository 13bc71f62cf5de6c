// The mini preset's stand-ins for the CIFAR-10 baseline's three ImageNet models: the same timm
// architectures — DeiT-Base-Distilled, CaiT-S24 and DenseNet-201, under their timm names — built
// from small model_args for MiniFood's 32 px images, and a forward pass that trains every layer
// (pretraining; single-block fine-tuning trains only the last block, through TimmClassifier).
import Training
import Common
import Foundation
import Models
import TensorCore

public enum MiniTimm {
    /// MiniFood's image side, which the mini models take unresized.
    public static let imageSide = 32

    /// The constructor arguments that shrink each architecture. The transformers keep their
    /// designs (a distillation token and two heads; talking heads, LayerScale and two
    /// class-attention blocks) at width 64, depth 4 (three blocks of trunk, one fine-tuned), 4
    /// heads, on 8 px patches: 16 patches, where 224 px images in 16 px patches give 196. Patches
    /// of 4 px (64) would cost four times as much, and the mini preset's pretraining must fit in
    /// about a minute on two cores. DenseNet keeps dense blocks, transitions and the 7x7 stride-2
    /// stem, with growth 12 and three blocks of 3, 3 and 4 layers.
    static func modelArguments(_ model: CIFARModel) -> [String: JSONValue] {
        switch model {
        case .deitBaseDistilled:
            ["embed_dim": 64, "depth": 4, "num_heads": 4, "mlp_ratio": 2, "patch_size": 8, "img_size": 32]
        case .caitS24:
            ["embed_dim": 64, "depth": 4, "num_heads": 4, "mlp_ratio": 2, "mlp_ratio_token_only": 2, "patch_size": 8, "img_size": 32,
             "init_values": .number(0.1)]
        case .denseNet201:
            ["growth_rate": 12, "block_config": .array([3, 3, 4])]
        }
    }

    /// The timm config of a small model with `labels` classes: the architecture's name, its
    /// arguments, and a pretrained_cfg for `side` px images with ImageNet's mean and std.
    public static func config(_ model: CIFARModel, arguments: [String: JSONValue], labels: [String], side: Int = imageSide) throws -> TimmConfig {
        let side = JSONValue.number(Double(side))
        let object: [String: JSONValue] = [
            "architecture": .string(model.architecture),
            "num_classes": .number(Double(labels.count)),
            "label_names": .array(labels.map(JSONValue.string)),
            "model_args": .object(arguments),
            "pretrained_cfg": .object([
                "input_size": .array([3, side, side]), "interpolation": .string("bilinear"), "crop_pct": .number(1),
                "crop_mode": .string("center"), "mean": .array([0.485, 0.456, 0.406].map(JSONValue.number)),
                "std": .array([0.229, 0.224, 0.225].map(JSONValue.number)),
            ]),
        ]
        return try JSONDecoder().decode(TimmConfig.self, from: JSONEncoder().encode(JSONValue.object(object)))
    }

    /// The mini stand-in for `model`, pretrained (or read from the cache under `cache`), with
    /// the part single-block fine-tuning trains chosen; `entry` is its checkpoint directory.
    public static func pretrained(_ model: CIFARModel, cache: URL, seed: UInt64, quick: Bool,
                                  say: (String) -> Void) throws -> (network: any TimmClassifier, entry: URL, pretraining: PretrainingRun) {
        let recipe = quick ? MiniTimmRecipe.quick(model, seed: seed) : MiniTimmRecipe.standard(model, seed: seed)
        let entry = try MiniModelCache(root: cache).checkpoint(for: recipe, say: say)
        let network = try TimmCheckpoint(directory: entry).loadModel()
        if let denseNet = network as? DenseNet { denseNet.fineTunedLayer = denseNetFineTunedLayer(denseNet) }
        return (network, entry, try MiniModelCache.pretrainingRun(at: entry))
    }

    /// The layer of the mini DenseNet's final block that single-block fine-tuning trains: half-way
    /// through it, where the study's denselayer16 sits in DenseNet-201's final block of 32.
    static func denseNetFineTunedLayer(_ model: DenseNet) -> Int {
        max(1, model.denseBlocks.last!.count / 2)
    }
}

extension DenseNet {
    /// Logits with every batch norm in train mode (batch statistics, running statistics
    /// updated), as timm trains the whole network: the trunk's own forward always uses running
    /// statistics, which is right for a frozen trunk but not for pretraining one.
    func logitsTrainingEveryLayer(_ pixels: Tensor) -> Tensor {
        var x = maxPool2d(norm0(conv0(pixels), training: true), kernel: 3, stride: 2, padding: 1)
        for (index, block) in denseBlocks.enumerated() {
            x = block.reduce(x) { x, layer in layer(x, training: true) }
            if index < transitions.count {
                let transition = transitions[index]
                x = avgPool2d(transition.conv(transition.norm(x, training: true)), kernel: 2)
            }
        }
        return classifier(globalAveragePool(norm5(x, training: true)))
    }
}

/// Logits for pixel values with every layer trained: the transformers have no batch norm or
/// dropout, so their usual forward serves.
func logitsTrainingEveryLayer(_ model: any TimmClassifier, _ pixels: Tensor) -> Tensor {
    if let denseNet = model as? DenseNet { return denseNet.logitsTrainingEveryLayer(pixels) }
    return model.lastBlockAndHead(model.trunk(pixels), training: true)
}
