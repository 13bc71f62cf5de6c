// LiT as its authors ran it: a ViT pretrained as a classifier, locked, and a text tower taught
// to match it. Google's reference (big_vision, configs/proj/image_text/lit_coco.py and
// models/proj/image_text/two_towers.py) locks the whole image tower (its optimiser schedule
// maps 'img/.*' to None), reads it at its pre-logits (the class token after the encoder's
// final LayerNorm) and, in the better of its two B/16 settings (LiT-B16B_2), learns no linear
// head on the image side: the image embedding is the pre-logits, L2-normalised. The text tower
// starts from a pretrained text model without its head and learns a fresh head projecting to
// the image width, with a learned temperature initialised at 10. This file does the same:
// ViTForImageClassification's `features` (what it feeds its classifier) are the image
// embedding; CLIP's text transformer, from the preset's CLIP checkpoint (or random, as an
// option), gets a fresh `text_projection` to the ViT's width (768 for ViT-B/16, 128 for the
// mini ViT); logit_scale starts at ln 10 and is clamped at ln 100 as CLIP clamps it.
import Checkpoints
import Cluster
import Datasets
import Common
import Results
import Training
import Foundation
import Imaging
import Models
import TensorCore
import Tokenizer

/// A ViT, locked: its pre-logits, L2-normalised, are the image embeddings.
public final class LockedViT {
    public let model: ViTForImageClassification
    public let processor: ImageProcessor
    public let source: URL

    public init(checkpoint: URL) throws {
        let checkpointFiles = try Checkpoint(directory: checkpoint)
        model = try ViTForImageClassification(try checkpointFiles.config(ViTConfig.self))
        try model.load(from: checkpointFiles)
        processor = try ImageProcessor(contentsOf: checkpoint.appendingPathComponent("preprocessor_config.json"))
        source = checkpoint
    }

    /// The width of the pre-logits, which the text side projects to.
    public var width: Int { model.config.hiddenSize }

    /// Normalised pre-logits [images, D] of every image of `dataset`, without gradients. Under
    /// MPI each rank embeds its block of the batches, and the rows are gathered in order.
    public func embedImages(_ dataset: any Dataset, batchSize: Int = 64) throws -> EmbeddedImages {
        precondition(dataset.count > 0, "embedImages: the dataset is empty")
        let pixels = try DatasetPixels(dataset, processor: processor, memoryBudget: 0)
        let all = try MPIWorld.current.shardedRows(count: dataset.count, batchSize: batchSize, width: width) { range in
            l2Normalized(model.features(try pixels.pixels(Array(range))))
        }
        return EmbeddedImages(classNames: dataset.classNames, embeddings: all, labels: pixels.labels(Array(0..<dataset.count)))
    }
}

/// How a LiT's text tower starts.
public enum LiTTextInitialisation: String, Sendable, CaseIterable {
    /// From the preset's CLIP checkpoint's text_model (its projection is not taken: it maps to CLIP's space).
    case clip
    /// From random weights, as CLIP's own initialisation draws them.
    case scratch
}

extension LiT {
    /// LiT on a locked ViT: embeds `pairs.images` once with `vit`, and prepares a text side of
    /// `clipCheckpoint`'s geometry and tokenizer, projecting to the ViT's width.
    public static func lockedViT(_ vit: LockedViT, clipCheckpoint: URL, textInitialisation: LiTTextInitialisation, pairs: LiTPairs,
                                 configuration: TrainingConfiguration, progress: ProgressDisplay = .automatic) throws -> LiT {
        let pretrained = try ZeroShotClassifier(checkpoint: clipCheckpoint)
        var config = pretrained.model.config
        config.projectionDim = vit.width
        config.logitScaleInitValue = log(10)
        let model = try CLIPModel(config)
        model.initializeRandomly(seed: configuration.seed)
        if textInitialisation == .clip {
            let source = Dictionary(uniqueKeysWithValues: pretrained.model.namedParameters.map { ($0.name, $0.tensor) })
            for (name, tensor) in model.namedParameters where name.hasPrefix("text_model.") {
                tensor.pointer.update(from: source[name]!.pointer, count: tensor.count)
            }
        }
        let textSide = ZeroShotClassifier(model: model, tokenizer: pretrained.tokenizer, processor: vit.processor)
        let training = try vit.embedImages(pairs.images)
        let text = textInitialisation == .clip ? "text_model from \(clipCheckpoint.lastPathComponent)" : "text_model from random weights"
        return LiT(clip: textSide, trainingImages: training.embeddings, pairs: pairs,
                   parts: ["locked": .text("the ViT, read at its pre-logits (vit.layernorm of the class token), no image-side projection"),
                           "trained": .text("\(text), a fresh text_projection to width \(vit.width), logit_scale from ln 10 (clamped at ln 100)"),
                           "text_initialisation": .text(textInitialisation.rawValue)],
                   configuration: configuration, progress: progress)
    }
}

/// LiT's training pairs: images, and how each is captioned.
public struct LiTPairs: Sendable {
    public let images: any Dataset
    public let captions: LiTCaptions

    public init(images: any Dataset, captions: LiTCaptions) {
        (self.images, self.captions) = (images, captions)
    }

    /// Token ids of each caption set, and for each image which set it draws from.
    func tokenizedCaptions(_ tokenizer: CLIPTokenizer) -> (sets: [[[Int]]], setOfImage: [Int]) {
        switch captions {
        case .classNames(let prompts):
            (images.classNames.map { prompts.prompts(for: $0).map(tokenizer.encode) }, (0..<images.count).map(images.label))
        case .own(let texts, _):
            (texts.map { [tokenizer.encode($0)] }, Array(0..<images.count))
        }
    }
}

public enum LiTCaptions: Sendable {
    /// Each image's class name in a template drawn from the ensemble afresh each time.
    case classNames(PromptTemplates)
    /// Each image's own caption, in the images' order, and where the captions come from.
    case own([String], source: String)

    /// For the results: the template set's name, or the captions' source.
    public var name: String {
        switch self {
        case .classNames(let prompts): prompts.name
        case .own(_, let source): source
        }
    }
}
