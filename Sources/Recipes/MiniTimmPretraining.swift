// Mini pretraining for the CIFAR-10 baseline: each mini architecture, from timm's random
// initialisation, learns MiniFood's labelled corpus — the 283 compositions no downstream class
// uses — as the study's models learned ImageNet-1k. Every layer trains; the result is a timm
// checkpoint directory (config.json, model.safetensors) that the paper preset's code path loads
// like any other.
import Checkpoints
import Datasets
import Common
import Results
import Training
import Foundation
import Imaging
import Models
import TensorCore

/// Everything that determines a mini model's pretrained weights: its hash names the cache entry.
public struct MiniTimmRecipe: MiniModelRecipe {
    /// Bumped when the code below, or MiniFood's world, changes what a recipe builds (2: flips
    /// drawn as the mini CLIP's and ViT's are; 3: classes ordered by MiniFood's made-up names).
    public var format = 3
    public var model: CIFARModel
    public var modelArguments: [String: JSONValue]
    /// MiniFood's world (`MiniFoodWorld.fingerprint`): a changed world changes the key.
    public var world = MiniFoodWorld.standard.fingerprint
    public var seed: UInt64
    /// The MiniFood sizes whose labelled corpus is learned.
    public var data: MiniFoodSizes
    public var training: TrainingConfiguration
    public var horizontalFlips: Bool
    public var labelSmoothing: Float

    var kind: String { "mini-timm-\(model.slug)" }
    var displayName: String { "mini \(model.rawValue)" }

    /// The mini preset's recipe: two epochs of AdamW at 2e-3 with warm-up and cosine decay,
    /// batches of 64, random horizontal flips and label smoothing 0.1, as timm's recipes train
    /// from scratch. Two epochs leave the models far from converged (a third lowers the loss
    /// further and lifts the fine-tuned accuracies a few points) but keep pretraining near a
    /// minute for all three on two cores. Batch norm takes its statistics per batch, so
    /// DenseNet's micro-batch is the whole batch.
    public static func standard(_ model: CIFARModel, seed: UInt64) -> MiniTimmRecipe {
        MiniTimmRecipe(
            model: model, modelArguments: MiniTimm.modelArguments(model), seed: seed, data: .standard,
            training: TrainingConfiguration(
                optimizer: AdamWHyperparameters(learningRate: 2e-3, weightDecay: 0.05),
                schedule: .warmupCosine(warmupSteps: 20), epochs: 2, batchSize: 64, maxGradientNorm: 1,
                dropLastPartialBatch: true, seed: seed),
            horizontalFlips: true, labelSmoothing: 0.1)
    }

    /// Seconds of pretraining, for tests and smoke runs: the weights mean nothing.
    public static func quick(_ model: CIFARModel, seed: UInt64) -> MiniTimmRecipe {
        var recipe = standard(model, seed: seed)
        recipe.data = .quick
        recipe.training.epochs = 1
        recipe.training.schedule = .warmupCosine(warmupSteps: 2)
        return recipe
    }

    /// Trains the model and writes its checkpoint into `directory`; returns what was measured.
    func build(into directory: URL, say: (String) -> Void) throws -> PretrainingRun {
        let started = ContinuousClock.now
        let corpus = MiniFood(seed: seed, sizes: data).pretrainLabelled
        let config = try MiniTimm.config(model, arguments: modelArguments, labels: corpus.classNames)
        let network = try TimmRegistry.makeModel(config)
        initializeLikeTimm(network, seed: seed)
        let pixels = try PixelTable(corpus.prerendered(), processor: normalisation(config))
        let labels = (0..<corpus.count).map(corpus.label(at:))
        let dataSeconds = (ContinuousClock.now - started).inSeconds
        say("pretraining \(displayName) (\(network.parameterCount) parameters) on \(corpus.count) labelled images of \(corpus.classes.count) compositions")

        // Running statistics are state the forward updates, not parameters the optimiser trains.
        let trainer = Trainer(parameters: network.namedParameters,
                              trainable: .matching { !$0.hasSuffix("running_mean") && !$0.hasSuffix("running_var") },
                              configuration: training, examplesPerEpoch: corpus.count, progress: .none)
        let flips = horizontalFlips, smoothing = labelSmoothing
        let run = try train(trainer, name: displayName, dataSeconds: dataSeconds, say: say) { trainer, afterStep in
            try trainer.fit(
                batch: { indices, generator in (pixels.batch(indices, flips: flips, generator: &generator), indices.map { labels[$0] }) },
                loss: { crossEntropy(logitsTrainingEveryLayer(network, $0.0), labels: $0.1, labelSmoothing: smoothing) },
                afterStep: afterStep)
        }

        try config.write(to: directory.appendingPathComponent(Checkpoint.configFileName))
        try writeSafeTensors(Dictionary(uniqueKeysWithValues: network.namedParameters.map { ($0.name, $0.tensor) }),
                             metadata: ["format": "pt"], to: directory.appendingPathComponent(Checkpoint.weightsFileName))
        return run
    }
}

/// ToTensor and Normalize with the checkpoint's mean and std, for images already at its input
/// side: timm's eval transform with crop_pct 1 and nothing to resize.
func normalisation(_ config: TimmConfig) throws -> TimmImageProcessor {
    let pretrained = config.pretrainedConfig
    return try TimmImageProcessor(inputSize: (pretrained.inputSize[1], pretrained.inputSize[2]), interpolation: "bilinear",
                                  cropPercentage: 1, cropMode: "center", mean: pretrained.mean, std: pretrained.std)
}
