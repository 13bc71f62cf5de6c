// The settings of LiT at each preset, fixed before any LiT result was seen.
//
// LiT's own runs (Zhai et al. 2022) train a text tower from scratch on billions of pairs, so
// their rates do not carry over to tuning a pretrained one. The closest published recipe for
// tuning CLIP contrastively on class-name captions is FLYP (Goyal et al. 2023, "Finetune like
// you pretrain"): AdamW, lr 1e-5, weight decay 0.1, cosine decay after a warm-up. The paper
// preset takes those, with CLIP's pretraining betas 0.9 and 0.98 and epsilon 1e-6, in batches
// of 256 pairs for 5 epochs of the 91 classes' training images. The mini preset tunes the mini
// CLIP at a tenth of the rate it was pretrained at (1e-4), in batches of 64 (its pretraining
// batch) for 5 epochs. Both clip gradients at norm 1, as the mini CLIP's pretraining did.
// Neither preset's settings were searched: they were set once, before the first LiT run.
//
// The contrastive loss couples every pair of a batch (each caption is a negative for every
// other image), so a batch is never split into micro-batches: that would change the loss.
import Common
import Results
import Training

extension TrainingConfiguration {
    public static func lit(preset: Preset, quick: Bool, seed: UInt64) -> TrainingConfiguration {
        let optimizer: AdamWHyperparameters
        let batchSize: Int, epochs: Int
        switch preset {
        case .paper:
            optimizer = AdamWHyperparameters(learningRate: 1e-5, beta1: 0.9, beta2: 0.98, epsilon: 1e-6, weightDecay: 0.1)
            (batchSize, epochs) = (256, 5)
        case .mini:
            optimizer = AdamWHyperparameters(learningRate: 1e-4, beta1: 0.9, beta2: 0.98, epsilon: 1e-6, weightDecay: 0.1)
            (batchSize, epochs) = quick ? (32, 1) : (64, 5)
        }
        return TrainingConfiguration(optimizer: optimizer, schedule: .warmupCosine(warmupSteps: quick ? 2 : 20), epochs: epochs,
                                     batchSize: batchSize, microBatchSize: batchSize, exemptNormsBiasesAndEmbeddings: true,
                                     maxGradientNorm: 1, seed: seed)
    }
}

// LiT on a locked ViT trains more than a tuning: its text head is new and maps into a space no
// text model has seen. Google's reference (big_vision's lit_coco.py) trains the text side at
// lr 1e-3 with a 3% (at least 100-step) warm-up and a cosine decay, gradients clipped at norm
// 1, from a pretrained text tower with a fresh head. The mini preset takes that rate (also the
// mini CLIP's pretraining rate) in batches of 64 for 2 epochs of the mini CLIP's 20,000
// pretraining pairs (624 steps, a couple of minutes for both ViTs); the paper preset, whose
// CLIP text tower is far larger than the mini one and whose pairs are the 91 classes'
// captioned training images, a tenth of it (1e-4) in batches of 256 for 5 epochs. AdamW with
// CLIP's betas, weight decay 0.1, as the CLIP tower's settings. Not searched.
extension TrainingConfiguration {
    public static func litLockedViT(preset: Preset, quick: Bool, seed: UInt64) -> TrainingConfiguration {
        let learningRate: Double, batchSize: Int, epochs: Int, warmup: Int
        switch preset {
        case .paper: (learningRate, batchSize, epochs, warmup) = (1e-4, 256, 5, 100)
        case .mini: (learningRate, batchSize, epochs, warmup) = quick ? (1e-3, 32, 1, 2) : (1e-3, 64, 2, 100)
        }
        return TrainingConfiguration(
            optimizer: AdamWHyperparameters(learningRate: learningRate, beta1: 0.9, beta2: 0.98, epsilon: 1e-6, weightDecay: 0.1),
            schedule: .warmupCosine(warmupSteps: warmup), epochs: epochs, batchSize: batchSize, microBatchSize: batchSize,
            exemptNormsBiasesAndEmbeddings: true, maxGradientNorm: 1, seed: seed)
    }
}
