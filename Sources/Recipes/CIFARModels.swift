// The three models of the CIFAR-10 single-block baseline (Malpure et al. 2021), by the names its
// tables use, with the timm architecture each is and the trainable-parameter count the public
// reproduction reports for it.
import Training
import Models

public enum CIFARModel: String, CaseIterable, Codable, Sendable {
    case denseNet201 = "DenseNet201"
    case deitBaseDistilled = "DeiT-Base-Distilled"
    case caitS24 = "CaiT-S24"

    /// "CNN" or "Transformer", as the study's table has it.
    public var family: String { self == .denseNet201 ? "CNN" : "Transformer" }

    /// The timm architecture of the study's ImageNet checkpoint.
    public var architecture: String {
        switch self {
        case .denseNet201: "densenet201"
        case .deitBaseDistilled: "deit_base_distilled_patch16_224"
        case .caitS24: "cait_s24_224"
        }
    }

    public var timmFamily: TimmFamily {
        switch self {
        case .denseNet201: .denseNet
        case .deitBaseDistilled: .distilledVisionTransformer
        case .caitS24: .cait
        }
    }

    /// The trainable parameters the reproduction reports (see the fine-tuned-part comments of
    /// DenseNet, DistilledVisionTransformer and Cait for what exactly they count).
    public var studyTrainableParameters: Int {
        switch self {
        case .denseNet201: 235_210
        case .deitBaseDistilled: 7_103_252
        case .caitS24: 1_775_376
        }
    }

    /// A short lowercase name for files and cache entries.
    public var slug: String {
        switch self {
        case .denseNet201: "densenet"
        case .deitBaseDistilled: "deit"
        case .caitS24: "cait"
        }
    }
}
