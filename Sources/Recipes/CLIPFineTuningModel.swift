// The four ways of fine-tuning CLIP on the trained classes that the clip-finetune chapter
// compares, and the classifier each puts on the image tower.
//
// ft-clip, the paper's (Section 2.2.3 follows Dong et al. 2022, "CLIP Itself is a Strong
// Fine-tuner"; LightDXY/FT-CLIP, models/finetune_clip.py): the encoder's output tokens without
// the class token, each through a fresh LayerNorm `fc_norm`, averaged, into a fresh linear
// head. Their code drops CLIP's post-LayerNorm and projection, draws the head's weight from
// trunc_normal(std 0.02) and scales weight and (torch-default) bias by init_scale 0.001, and
// freezes the patch embedding (conv1) of the 224-pixel models.
//
// zero-shot-head (the zero-shot-initialised head of LP-FT and WiSE-FT): a linear head without
// bias on the normalised embedding, its rows the class prompts' text embeddings times
// exp(logit_scale), so that before the first step it is zero-shot CLIP. Image tower,
// projection and head are trained.
//
// huggingface, transformers' CLIPForImageClassification: the mean of the encoder's output tokens
// without the class token (no LayerNorm) into a fresh linear head with bias, weight ~
// N(0, width^-1/2), bias 0, as its `_init_weights` draws them.
//
// ft-clip-code: ft-clip's classifier trained as FT-CLIP's code runs with Table 2's values and
// its parser's defaults for the rest (CLIPFineTuningCodeDefaults.swift).
//
// Two ablations of ft-clip, each changing one of the two things that set it apart from
// huggingface (which forgets far less): ft-clip-hf-head draws the fresh head at Hugging Face's
// scale (normal(std width^-1/2), zero bias) instead of FT-CLIP's ×0.001; ft-clip-class-token
// reads the class token through fc_norm instead of the mean of the patch tokens.
//
// flyp (Goyal et al. 2023, "Finetune like you pretrain"): no head; both towers and the
// temperature trained with CLIP's contrastive loss on (image, class prompt) pairs, classifying
// by zero-shot against the fine-tuned text tower.
import Common
import Foundation
import Models
import Results
import TensorCore

public enum CLIPFineTuningRecipe: String, CaseIterable, Codable, Sendable {
    case ftCLIP = "ft-clip"
    case ftCLIPCode = "ft-clip-code"
    case zeroShotHead = "zero-shot-head"
    case huggingFace = "huggingface"
    case flyp
    case ftCLIPHFHead = "ft-clip-hf-head"
    case ftCLIPClassToken = "ft-clip-class-token"

    /// ft-clip's classifier (fc_norm and a head on the image encoder's tokens), however trained.
    public var isFTCLIPFamily: Bool { [.ftCLIP, .ftCLIPCode, .ftCLIPHFHead, .ftCLIPClassToken].contains(self) }

    /// What the recipe is, in a phrase for logs and results.
    public var description: String {
        switch self {
        case .ftCLIP: "FT-CLIP (the paper's): fc_norm LayerNorm on the patch tokens, their mean, a fresh linear head (trunc-normal 0.02 × 0.001)"
        case .zeroShotHead: "zero-shot head (LP-FT / WiSE-FT): a linear head on the normalised embedding, initialised from the class prompts' text embeddings"
        case .huggingFace: "transformers' CLIPForImageClassification: the mean of the patch tokens into a fresh linear head"
        case .flyp: "FLYP: both towers trained with CLIP's contrastive loss on (image, class prompt) pairs, classifying zero-shot"
        case .ftCLIPCode: "FT-CLIP as its code runs: ft-clip's classifier with Table 2's values and FT-CLIP's defaults for the rest"
        case .ftCLIPHFHead: "ablation: ft-clip with the fresh head at Hugging Face's scale (normal(std width^-1/2), zero bias)"
        case .ftCLIPClassToken: "ablation: ft-clip reading the class token through fc_norm instead of the mean of the patch tokens"
        }
    }

    /// The parameters this recipe trains, in words.
    public var trained: String {
        switch self {
        case .ftCLIP, .ftCLIPCode, .ftCLIPHFHead, .ftCLIPClassToken: "image encoder (patch embedding frozen, as FT-CLIP's code does), fc_norm and head; post-LayerNorm, projection and text tower untouched"
        case .zeroShotHead: "image encoder, its post-LayerNorm and projection, and the head; text tower untouched"
        case .huggingFace: "image encoder and head; post-LayerNorm, projection and text tower untouched"
        case .flyp: "image and text towers, both projections and the logit scale"
        }
    }

    /// The recipes in the order the chapter runs and reports them, the paper's first.
    public static let reportOrder: [CLIPFineTuningRecipe] = [.ftCLIP, .ftCLIPCode, .zeroShotHead, .huggingFace, .flyp,
                                                             .ftCLIPHFHead, .ftCLIPClassToken]
}

public final class CLIPImageClassifier: Module {
    /// The CLIP model whose towers this classifier shares (not a copy): training the classifier
    /// changes `clip` itself.
    public let clip: CLIPModel
    public let recipe: CLIPFineTuningRecipe
    /// [classes, P] without bias (zero-shot-head), [classes, width] with bias (ft-clip,
    /// huggingface); none for flyp.
    public let head: Linear?
    /// FT-CLIP's LayerNorm on the patch tokens (ft-clip only).
    public let fcNorm: LayerNorm?

    /// FT-CLIP's init_scale: the fresh head's weight and bias are multiplied by it.
    public static let ftCLIPInitScale = 0.001
    /// torch.nn.LayerNorm's default epsilon, which FT-CLIP's fc_norm keeps.
    static let ftCLIPNormEps: Float = 1e-5

    /// `classEmbeddings` [classes, P] are the normalised zero-shot class embeddings; the fresh
    /// heads use only their count and draw their weights from `seed`.
    public init(clip: CLIPModel, recipe: CLIPFineTuningRecipe = .ftCLIP, classEmbeddings: Tensor, seed: UInt64 = 0) {
        let classes = classEmbeddings.shape[0], width = clip.config.visionConfig.hiddenSize
        precondition(classEmbeddings.rank == 2 && classEmbeddings.shape[1] == clip.config.projectionDim,
                     "CLIPImageClassifier: class embeddings \(classEmbeddings.shape) for projection width \(clip.config.projectionDim)")
        self.clip = clip
        self.recipe = recipe
        let filler = ParameterFiller(seed: seed)
        switch recipe {
        case .zeroShotHead:
            let head = Linear(clip.config.projectionDim, classes, bias: false)
            let scale = Foundation.exp(clip.logitScale.item)
            for i in 0..<head.weight.count { head.weight.pointer[i] = classEmbeddings.pointer[i] * scale }
            (self.head, fcNorm) = (head, nil)
        case .ftCLIPHFHead:
            let head = Linear(width, classes, bias: true)
            filler.normal(head.weight, name: "classifier.weight", std: 1 / Double(width).squareRoot())
            (self.head, fcNorm) = (head, LayerNorm(width, eps: Self.ftCLIPNormEps))
        case .ftCLIP, .ftCLIPCode, .ftCLIPClassToken:
            let head = Linear(width, classes, bias: true)
            filler.truncatedNormal(head.weight, name: "classifier.weight", std: 0.02)
            filler.uniform(head.bias!, name: "classifier.bias", bound: 1 / Double(width).squareRoot())
            for tensor in [head.weight, head.bias!] {
                for i in 0..<tensor.count { tensor.pointer[i] *= Float(Self.ftCLIPInitScale) }
            }
            (self.head, fcNorm) = (head, LayerNorm(width, eps: Self.ftCLIPNormEps))
        case .huggingFace:
            let head = Linear(width, classes, bias: true)
            filler.normal(head.weight, name: "classifier.weight", std: 1 / Double(width).squareRoot())
            (self.head, fcNorm) = (head, nil)
        case .flyp:
            (head, fcNorm) = (nil, nil)
        }
    }

    /// Class logits [B, classes] of pixels [B, 3, H, W], through the head (not for flyp, which
    /// classifies against the text tower).
    public func callAsFunction(_ pixels: Tensor) -> Tensor {
        guard let head else { preconditionFailure("CLIPImageClassifier: flyp has no head; classify zero-shot") }
        switch recipe {
        case .zeroShotHead: return head(clip.imageEmbeddings(pixels))
        case .ftCLIP, .ftCLIPCode, .ftCLIPHFHead: return head(meanOfPatchTokens(fcNorm!(clip.visionModel.lastHiddenState(pixels))))
        case .ftCLIPClassToken:
            let hidden = clip.visionModel.lastHiddenState(pixels)
            return head(fcNorm!(selectingPositions(hidden, Array(repeating: 0, count: hidden.shape[0]))))
        case .huggingFace, .flyp: return head(meanOfPatchTokens(clip.visionModel.lastHiddenState(pixels)))
        }
    }

    /// The trained parameters under Hugging Face's names (CLIPModel's), with the head as
    /// `classifier.*` and FT-CLIP's norm as `fc_norm.*`.
    public var namedParameters: [(name: String, tensor: Tensor)] {
        let tower = clip.namedParameters.filter { Self.trains(recipe, $0.name) }
        return tower + (fcNorm.map { named("fc_norm", $0) } ?? []) + (head.map { named("classifier", $0) } ?? [])
    }

    /// True for the CLIPModel parameters `recipe` trains. Those its forward pass does not reach
    /// (post-LayerNorm and projection under a patch-token head) are left out rather than decayed.
    public static func trains(_ recipe: CLIPFineTuningRecipe, _ name: String) -> Bool {
        switch recipe {
        case .flyp: true
        case .zeroShotHead: isImageTower(name)
        case .huggingFace: name.hasPrefix("vision_model.") && !name.hasPrefix("vision_model.post_layernorm.")
        case .ftCLIP, .ftCLIPCode, .ftCLIPHFHead, .ftCLIPClassToken: name.hasPrefix("vision_model.") && !name.hasPrefix("vision_model.post_layernorm.")
            && !name.hasPrefix("vision_model.embeddings.patch_embedding.")
        }
    }

    /// True for the vision transformer and the visual projection.
    public static func isImageTower(_ name: String) -> Bool {
        name.hasPrefix("vision_model.") || name.hasPrefix("visual_projection.")
    }
}

private func named(_ prefix: String, _ module: Module) -> [(name: String, tensor: Tensor)] {
    module.namedParameters.map { (prefix + "." + $0.name, $0.tensor) }
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

// How far fine-tuning moved what zero-shot reads: the held-out images' embeddings before and
// after (class token → post-LayerNorm → visual projection, normalised), and each image-encoder
// block's weights before and after. The pretrained model is loaded again from its checkpoint,
// so a resumed run measures the same thing as an uninterrupted one.
extension CLIPFineTuning {
    /// `fineTuned` are the held-out images' embeddings through the fine-tuned image tower, in
    /// the dataset's order.
    public func drift(fineTuned: EmbeddedImages, batchSize: Int = 64) throws -> CLIPDrift {
        let pretrained = try ZeroShotClassifier(checkpoint: source)
        let before = try pretrained.embedImages(data.heldOut, batchSize: batchSize).embeddings
        return CLIPDrift(embeddingCosine: Self.meanRowCosine(before, fineTuned.embeddings),
                         relativeWeightChange: Self.relativeBlockChange(from: pretrained.model, to: zeroShot.model))
    }

    /// The mean over rows of the cosine between `a`'s and `b`'s rows, [N, P] each.
    static func meanRowCosine(_ a: Tensor, _ b: Tensor) -> Double {
        precondition(a.shape == b.shape && a.rank == 2, "meanRowCosine: shapes \(a.shape) and \(b.shape)")
        let (rows, width) = (a.shape[0], a.shape[1])
        var total = 0.0
        for row in 0..<rows {
            var (dot, aa, bb) = (0.0, 0.0, 0.0)
            for i in 0..<width {
                let (x, y) = (Double(a.pointer[row * width + i]), Double(b.pointer[row * width + i]))
                (dot, aa, bb) = (dot + x * y, aa + x * x, bb + y * y)
            }
            total += dot / max((aa * bb).squareRoot(), .leastNormalMagnitude)
        }
        return total / Double(max(rows, 1))
    }

    /// ‖W_ft − W_0‖ / ‖W_0‖ per image-encoder block, over all of the block's tensors together.
    static func relativeBlockChange(from original: CLIPModel, to tuned: CLIPModel) -> [Double] {
        let before = Dictionary(uniqueKeysWithValues: original.namedParameters.map { ($0.name, $0.tensor) })
        return (0..<original.config.visionConfig.numHiddenLayers).map { block in
            let prefix = "vision_model.encoder.layers.\(block)."
            var (change, size) = (0.0, 0.0)
            for (name, tensor) in tuned.namedParameters where name.hasPrefix(prefix) {
                guard let start = before[name] else { continue }
                for i in 0..<tensor.count {
                    let (x0, x1) = (Double(start.pointer[i]), Double(tensor.pointer[i]))
                    (change, size) = (change + (x1 - x0) * (x1 - x0), size + x0 * x0)
                }
            }
            return (change / max(size, .leastNormalMagnitude)).squareRoot()
        }
    }
}
