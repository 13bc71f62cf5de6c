// The two ways of turning CLIP's image tower into a 91-way classifier that the clip-finetune
// chapter compares.
//
// FT-CLIP's (Dong et al. 2022, "CLIP Itself is a Strong Fine-tuner"), the default: the image
// tower and projection, the normalised embedding, and a linear head without bias whose rows
// start as the zero-shot class embeddings times exp(logit_scale). Before the first step its
// logits are exactly zero-shot CLIP's, so fine-tuning starts from zero-shot accuracy and from
// the space the text tower speaks.
//
// transformers' CLIPForImageClassification, the class a Hugging Face user fine-tuning CLIP on
// Food-101 is given: the mean of the image tower's patch tokens (its last hidden state without
// the class token, post-LayerNorm or projection) into a fresh linear head with bias, weights
// ~ N(0, width^-1/2) and zero bias, as its `_init_weights` draws them. Only the encoder is
// trained; the class token's post-LayerNorm and the projection that zero-shot reads get no
// gradient, so nothing keeps the tower's output in the text tower's space.
import Common
import Results
import Training
import Foundation
import Models
import TensorCore

public enum CLIPClassifierHead: String, CaseIterable, Codable, Sendable {
    case zeroShot = "zero-shot"
    case huggingFace = "huggingface"

    /// What the head is, in a phrase for logs and results.
    public var description: String {
        switch self {
        case .zeroShot: "FT-CLIP: linear head on the normalised embedding, initialised from the class prompts' text embeddings"
        case .huggingFace: "transformers' CLIPForImageClassification: fresh linear head on the mean of the patch tokens"
        }
    }
}

public final class CLIPImageClassifier: Module {
    /// The CLIP model whose image tower this classifier shares (not a copy): training the
    /// classifier changes `clip.imageEmbeddings`, while `clip.textEmbeddings` stays pretrained.
    public let clip: CLIPModel
    public let kind: CLIPClassifierHead
    /// [classes, P] without bias (zero-shot), or [classes, width] with bias (huggingface).
    public let head: Linear

    /// `classEmbeddings` [classes, P] are the normalised zero-shot class embeddings; the
    /// huggingface head uses only their count, and draws its weights from `seed`.
    public init(clip: CLIPModel, head kind: CLIPClassifierHead = .zeroShot, classEmbeddings: Tensor, seed: UInt64 = 0) {
        let classes = classEmbeddings.shape[0]
        precondition(classEmbeddings.rank == 2 && classEmbeddings.shape[1] == clip.config.projectionDim,
                     "CLIPImageClassifier: class embeddings \(classEmbeddings.shape) for projection width \(clip.config.projectionDim)")
        self.clip = clip
        self.kind = kind
        switch kind {
        case .zeroShot:
            head = Linear(clip.config.projectionDim, classes, bias: false)
            let scale = Foundation.exp(clip.logitScale.item)
            for i in 0..<head.weight.count { head.weight.pointer[i] = classEmbeddings.pointer[i] * scale }
        case .huggingFace:
            let width = clip.config.visionConfig.hiddenSize
            head = Linear(width, classes, bias: true)
            var generator = SeededGenerator(seed: seed).derived("clip-finetune").derived("classifier.weight")
            let std = 1 / Double(width).squareRoot()
            for i in 0..<head.weight.count { head.weight.pointer[i] = Float(std * generator.standardNormal()) }
        }
    }

    /// Class logits [B, classes] of pixels [B, 3, H, W].
    public func callAsFunction(_ pixels: Tensor) -> Tensor {
        switch kind {
        case .zeroShot: head(clip.imageEmbeddings(pixels))
        case .huggingFace: head(meanOfPatchTokens(clip.visionModel.lastHiddenState(pixels)))
        }
    }

    /// The trained parameters under Hugging Face's names: the image tower and projection as in
    /// CLIPModel, and the head as `classifier.*`. The huggingface head's model has no
    /// projection, so the projection is not trained then.
    public var namedParameters: [(name: String, tensor: Tensor)] {
        let tower = clip.namedParameters.filter { kind == .zeroShot ? Self.isImageTower($0.name) : $0.name.hasPrefix("vision_model.") }
        return tower + head.namedParameters.map { ("classifier." + $0.name, $0.tensor) }
    }

    /// True for the parameters fine-tuning may change in a CLIPModel: the vision transformer and
    /// the visual projection.
    public static func isImageTower(_ name: String) -> Bool {
        name.hasPrefix("vision_model.") || name.hasPrefix("visual_projection.")
    }
}

/// [B, T, D] → [B, D]: the mean over positions 1..<T (every token but the class token).
func meanOfPatchTokens(_ hidden: Tensor) -> Tensor {
    let (batch, length) = (hidden.shape[0], hidden.shape[1])
    precondition(hidden.rank == 3 && length > 1, "meanOfPatchTokens: expected [B, T > 1, D], got \(hidden.shape)")
    let sum = (2..<length).reduce(selectingPositions(hidden, Array(repeating: 1, count: batch))) { total, position in
        total + selectingPositions(hidden, Array(repeating: position, count: batch))
    }
    return sum * (1 / Float(length - 1))
}

