// FT-CLIP's model (Dong et al. 2022, "CLIP Itself is a Strong Fine-tuner"): CLIP's image tower
// and projection, its normalised embedding, and a linear classifier without bias whose rows
// start as the zero-shot class embeddings times exp(logit_scale). Before the first step its
// logits are exactly zero-shot CLIP's, so fine-tuning starts from zero-shot accuracy instead
// of from a random head, which is what makes fine-tuning CLIP work at all in FT-CLIP's study.
import Foundation
import Models
import TensorCore

public final class CLIPImageClassifier: Module {
    /// The CLIP model whose image tower this classifier shares (not a copy): training the
    /// classifier changes `clip.imageEmbeddings`, while `clip.textEmbeddings` stays pretrained.
    public let clip: CLIPModel
    /// [classes, P], no bias.
    public let head: Linear

    /// `classEmbeddings` [classes, P] are the normalised zero-shot class embeddings.
    public init(clip: CLIPModel, classEmbeddings: Tensor) {
        let (classes, width) = (classEmbeddings.shape[0], classEmbeddings.shape[1])
        precondition(classEmbeddings.rank == 2 && width == clip.config.projectionDim,
                     "CLIPImageClassifier: class embeddings \(classEmbeddings.shape) for projection width \(clip.config.projectionDim)")
        self.clip = clip
        head = Linear(width, classes, bias: false)
        let scale = Foundation.exp(clip.logitScale.item)
        for i in 0..<head.weight.count { head.weight.pointer[i] = classEmbeddings.pointer[i] * scale }
    }

    /// Class logits [B, classes] of pixels [B, 3, H, W].
    public func callAsFunction(_ pixels: Tensor) -> Tensor { head(clip.imageEmbeddings(pixels)) }

    /// The image tower and projection under CLIPModel's names, and the head as `classifier.weight`.
    public var namedParameters: [(name: String, tensor: Tensor)] {
        clip.namedParameters.filter { Self.isImageTower($0.name) } + [("classifier.weight", head.weight)]
    }

    /// True for the parameters fine-tuning changes in a CLIPModel: the vision transformer and
    /// the visual projection.
    public static func isImageTower(_ name: String) -> Bool {
        name.hasPrefix("vision_model.") || name.hasPrefix("visual_projection.")
    }
}
