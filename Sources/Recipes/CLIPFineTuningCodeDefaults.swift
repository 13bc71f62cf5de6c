// What FT-CLIP's code adds to Table 2 when run with Table 2's values and its parser's defaults
// for everything Table 2 leaves unsaid (LightDXY/FT-CLIP, run_class_finetuning.py): the
// `ft-clip-code` recipe, the one the paper most likely ran. Each piece can also be switched on
// alone for any recipe (the clip-finetune chapter's flags).
//   --warmup_epochs 5, --min_lr 1e-6   per-step linear warm-up, then cosine (utils.cosine_scheduler)
//   --layer_decay 0.9                  rate × 0.9^(depth + 1 − layer id) (optim_factory.py)
//   --smoothing 0.1                    timm's LabelSmoothingCrossEntropy
//   --drop_path 0.1                    stochastic depth, linspace(0, 0.1, depth) over the blocks
//   --aa rand-m9-mstd0.5-inc1          timm's RandAugment, its 15 increasing operations (Imaging)
//   --reprob 0.25                      timm's RandomErasing, mode pixel, one box
//   --train_interpolation bicubic      the random-resized crop's (RandomCrop(pad 4) at 32 px)
//   --model_ema off                    (its scripts pass --model_ema --model_ema_decay 0.9998)
import Checkpoints
import Foundation
import Results
import Training

/// A recipe's training settings beyond the optimiser and schedule.
public struct CLIPFineTuningRegularization: Codable, Equatable, Sendable {
    public var labelSmoothing: Float
    public var stochasticDepth: StochasticDepth?
    public var augmentation: FTCLIPAugmentation
    /// timm ModelEma's decay when the evaluated and saved model is the weights' moving average.
    public var emaDecay: Double?

    public init(labelSmoothing: Float = 0, stochasticDepth: StochasticDepth? = nil, augmentation: FTCLIPAugmentation = FTCLIPAugmentation(),
                emaDecay: Double? = nil) {
        (self.labelSmoothing, self.stochasticDepth, self.augmentation, self.emaDecay) = (labelSmoothing, stochasticDepth, augmentation, emaDecay)
    }

    /// FT-CLIP's parser defaults at `imageSize` pixels.
    public static func ftCLIPCode(imageSize: Int, emaDecay: Double? = nil) -> CLIPFineTuningRegularization {
        CLIPFineTuningRegularization(labelSmoothing: 0.1, stochasticDepth: StochasticDepth(rate: 0.1),
                                     augmentation: FTCLIPAugmentation.ftCLIPDefaults(imageSize: imageSize), emaDecay: emaDecay)
    }

    /// The settings as results files record them.
    public var hyperParameters: HyperParameters {
        var parameters: HyperParameters = [
            "label_smoothing": .number(Double(labelSmoothing)),
            "drop_path": .number(stochasticDepth?.rate ?? 0),
            "model_ema": emaDecay.map { .number($0) } ?? .text("off"),
        ]
        if stochasticDepth != nil { parameters["drop_path_layout"] = .text("one draw per token position, shared by the batch (FT-CLIP's [L, N, D])") }
        return parameters.merging(augmentation.hyperParameters) { $1 }
    }
}

extension TrainingConfiguration {
    /// FT-CLIP's per-step schedule: `warmupEpochs` of linear warm-up from 0, then cosine to
    /// `minimumRate` (its --min_lr), the floor given as a fraction of the base rate.
    public func withFTCLIPSchedule(warmupEpochs: Int, minimumRate: Double, stepsPerEpoch: Int) -> TrainingConfiguration {
        var configuration = self
        configuration.schedule = .warmupCosineToFloor(warmupSteps: warmupEpochs * stepsPerEpoch, floor: minimumRate / optimizer.learningRate)
        return configuration
    }

    /// ft-clip-code's configuration: this one (Table 2's) with FT-CLIP's schedule and layer decay.
    public func ftCLIPCode(examplesPerEpoch: Int) -> TrainingConfiguration {
        var configuration = withFTCLIPSchedule(warmupEpochs: 5, minimumRate: 1e-6,
                                               stepsPerEpoch: (examplesPerEpoch + batchSize - 1) / batchSize)
        configuration.layerDecay = 0.9
        return configuration
    }
}

extension CLIPFineTuning {
    /// The image size of the CLIP checkpoint in `checkpoint` (FT-CLIP's --input_size decides its crop).
    public static func imageSize(checkpoint: URL) throws -> Int {
        try Checkpoint(directory: checkpoint).config(CLIPConfig.self).visionConfig.imageSize
    }
}
