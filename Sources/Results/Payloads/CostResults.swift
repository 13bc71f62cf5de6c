// The `cost` chapter's payload (Table 5).
import Training

/// `cost`: Table 5, graded from measurements rather than asserted.
public struct CostResults: ChapterPayload, Equatable {
    public static let chapter = "cost"
    public var approaches: [ApproachCost]
    /// The rule that turns the projections into Low/Medium/High, in words.
    public var tierRule: String
    /// How the throughputs were measured (batch, passes, BLAS), and how FLOPs were counted.
    public var method: String?

    public init(approaches: [ApproachCost], tierRule: String, method: String? = nil) {
        (self.approaches, self.tierRule, self.method) = (approaches, tierRule, method)
    }
}

/// The three approaches the paper compares; the raw values name them in every payload.
public enum Approach: String, Codable, Sendable, CaseIterable {
    case vit
    case clipZeroShot = "clip_zero_shot"
    case clipFineTune = "clip_fine_tune"
}

/// Table 5's deployment-cost grades.
public enum CostTier: String, Codable, Sendable, CaseIterable {
    case low = "Low"
    case medium = "Medium"
    case high = "High"
}

/// One approach's measured and projected cost.
public struct ApproachCost: Codable, Sendable, Equatable {
    public var approach: Approach
    public var name: String
    public var trainableParameters: Int
    public var flopsPerImage: Double
    public var inferenceImagesPerSecond: Double
    /// Nil for zero-shot, which trains nothing.
    public var trainingImagesPerSecond: Double?
    /// Wall time and peak resident memory of the chapter run that made this approach's
    /// accuracy, when its results file was there to read them from.
    public var chapterWallSeconds: Double?
    public var chapterPeakMemoryBytes: UInt64?
    public var projection: CostProjection
    public var tier: CostTier
    /// Forward plus backward FLOPs to train on one image; nil for zero-shot.
    public var trainingFlopsPerImage: Double?
    /// The same figures for the mini preset's models, when the chapter measured them.
    public var atMiniSize: ScaledCost?
    /// Tokens the model reads per image (patches plus the class token).
    public var tokensPerImage: Int?

    public init(approach: Approach, name: String, trainableParameters: Int, flopsPerImage: Double,
                inferenceImagesPerSecond: Double, trainingImagesPerSecond: Double?, chapterWallSeconds: Double?,
                chapterPeakMemoryBytes: UInt64?, projection: CostProjection, tier: CostTier,
                trainingFlopsPerImage: Double? = nil, atMiniSize: ScaledCost? = nil, tokensPerImage: Int? = nil) {
        (self.approach, self.name, self.trainableParameters, self.flopsPerImage, self.inferenceImagesPerSecond, self.trainingImagesPerSecond, self.chapterWallSeconds, self.chapterPeakMemoryBytes, self.projection, self.tier, self.trainingFlopsPerImage, self.atMiniSize, self.tokensPerImage)
            = (approach, name, trainableParameters, flopsPerImage, inferenceImagesPerSecond, trainingImagesPerSecond, chapterWallSeconds, chapterPeakMemoryBytes, projection, tier, trainingFlopsPerImage, atMiniSize, tokensPerImage)
    }
}

/// The paper's full configuration projected from this machine's measurements.
public struct CostProjection: Codable, Sendable, Equatable {
    /// The configuration projected to: the paper split's 72,800 training images (91 classes x 800), 10 epochs, 2x RTX 4090.
    public var trainingImages: Int
    public var epochs: Int
    public var hardware: String
    /// Forward plus backward FLOPs of the whole fine-tuning (zero for zero-shot).
    public var trainingFlops: Double
    public var trainingSecondsOnHardware: Double
    public var trainingSecondsHere: Double
    /// Forward FLOPs to classify one image (text embeddings cached for CLIP).
    public var inferenceFlopsPerImage: Double
    /// How the hardware numbers were obtained (peak throughput, utilisation assumed).
    public var assumptions: String
    /// The share of the hardware's peak throughput assumed sustained.
    public var sustainedFraction: Double?

    public init(trainingImages: Int, epochs: Int, hardware: String, trainingFlops: Double, trainingSecondsOnHardware: Double,
                trainingSecondsHere: Double, inferenceFlopsPerImage: Double, assumptions: String, sustainedFraction: Double? = nil) {
        (self.trainingImages, self.epochs, self.hardware, self.trainingFlops, self.trainingSecondsOnHardware, self.trainingSecondsHere, self.inferenceFlopsPerImage, self.assumptions, self.sustainedFraction)
            = (trainingImages, epochs, hardware, trainingFlops, trainingSecondsOnHardware, trainingSecondsHere, inferenceFlopsPerImage, assumptions, sustainedFraction)
    }
}

/// An approach's counted and measured figures for a model of another size (the mini preset's).
public struct ScaledCost: Codable, Sendable, Equatable {
    /// The model, with its geometry: "mini ViT (width 64, 4 layers, patch 4, 32 px)".
    public var model: String
    public var trainableParameters: Int
    public var flopsPerImage: Double
    public var trainingFlopsPerImage: Double?
    public var inferenceImagesPerSecond: Double
    public var trainingImagesPerSecond: Double?

    public init(model: String, trainableParameters: Int, flopsPerImage: Double, trainingFlopsPerImage: Double?,
                inferenceImagesPerSecond: Double, trainingImagesPerSecond: Double?) {
        (self.model, self.trainableParameters, self.flopsPerImage, self.trainingFlopsPerImage, self.inferenceImagesPerSecond, self.trainingImagesPerSecond)
            = (model, trainableParameters, flopsPerImage, trainingFlopsPerImage, inferenceImagesPerSecond, trainingImagesPerSecond)
    }
}
