// From figures per image to the paper's whole fine-tuning, and from there to Table 5's grades.
import Common
import Results
import Training

/// The paper's training run and hardware, and the rule that projects a FLOP count onto them.
public enum PaperProjection {
    /// The paper split's training images, as the vit chapter's plan counts them: 80% of the
    /// 1,000 photos of each of the 91 trained classes (the 10 held-out classes are never trained on).
    public static let trainingImages = ViTFineTuningPlan.paperTrainingImages
    /// Tables 1 and 2.
    public static let epochs = 10
    public static let hardware = "2x NVIDIA GeForce RTX 4090"
    static let gpus = 2.0
    /// FP32 on the CUDA cores: 16,384 cores x 2 operations (a fused multiply-add) x 2.52 GHz
    /// boost clock = 82.6 TFLOPS, NVIDIA's published figure. Tensor cores give the same 82.6 in
    /// TF32, which PyTorch leaves off for matrix products by default; the paper names no
    /// precision, so FP32 it is.
    static let peakFLOPsPerGPU = 82.6e12
    /// An assumed share of peak that training sustains (model FLOPs utilisation): 40% is
    /// typical of well-fed transformer training; the paper reports no throughput to check it by.
    public static let sustainedFraction = 0.4

    public static let assumptions = """
        Time on the paper's hardware = training FLOPs / (2 GPUs x 82.6 TFLOPS peak FP32 per RTX 4090 \
        [NVIDIA: 16,384 CUDA cores x 2 x 2.52 GHz] x 40% sustained, an assumption); time here = images x epochs \
        / the training images per second measured here at the paper's model size. Training FLOPs = 3 x forward \
        FLOPs x images x epochs.
        """

    /// `figures` projected onto the paper split's 72,800 training images x 10 epochs.
    public static func projection(_ figures: ApproachFigures) -> CostProjection {
        let images = Double(trainingImages * epochs)
        let trainingFLOPs = (figures.trainingFLOPsPerImage ?? 0) * images
        return CostProjection(
            trainingImages: trainingImages, epochs: epochs, hardware: hardware, trainingFlops: trainingFLOPs,
            trainingSecondsOnHardware: trainingFLOPs / (gpus * peakFLOPsPerGPU * sustainedFraction),
            trainingSecondsHere: figures.throughput.trainingImagesPerSecond.map { images / $0 } ?? 0,
            inferenceFlopsPerImage: figures.forwardFLOPs, assumptions: assumptions, sustainedFraction: sustainedFraction)
    }
}

/// Table 5's Low / Medium / High from the projected training compute, by a rule fixed before
/// looking at what it gives: training is the cost that separates the approaches (serving is one
/// forward pass each, within a factor of four of one another), and a grade should not change
/// for a few tens of percent.
public enum CostTiers {
    public static let rule = """
        Low: the approach trains nothing. Otherwise Medium, or High when its projected training needs more \
        than twice the FLOPs of the cheapest approach that trains.
        """

    public static func grade(trainingFLOPs: [Approach: Double]) -> [Approach: CostTier] {
        let cheapest = trainingFLOPs.values.filter { $0 > 0 }.min()
        return trainingFLOPs.mapValues { flops in
            guard flops > 0, let cheapest else { return .low }
            return flops > 2 * cheapest ? .high : .medium
        }
    }
}
