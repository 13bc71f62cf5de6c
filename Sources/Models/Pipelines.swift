// What the command line and the chapters use: a checkpoint directory turned into a classifier
// that takes image files, preprocessing included, in memory-bounded batches.
import Checkpoints
import Foundation
import Imaging
import TensorCore
import Tokenizer

/// Decodes and preprocesses images in batches of `batchSize`, and hands each batch of pixel values
/// [B, C, H, W] to `body`.
func forEachPixelBatch(_ images: [URL], processor: ImageProcessor, batchSize: Int, _ body: (Tensor) throws -> Void) throws {
    let (height, width) = processor.outputSize
    for start in stride(from: 0, to: images.count, by: batchSize) {
        let batch = try images[start..<min(start + batchSize, images.count)].map { try Image(contentsOf: $0) }
        try body(Tensor(shape: [batch.count, 3, height, width], scalars: processor.pixelValues(batch)))
    }
}

/// A model built from a checkpoint directory's config.json, its weights loaded, and the directory's
/// image processor.
func loadPretrained<Config: HuggingFaceConfig, Model: Module>(
    _ directory: URL, _ makeModel: (Config) throws -> Model
) throws -> (Model, ImageProcessor) {
    let checkpoint = try Checkpoint(directory: directory)
    let model = try makeModel(try checkpoint.config(Config.self))
    try model.load(from: checkpoint)
    return (model, try ImageProcessor(contentsOf: directory.appendingPathComponent("preprocessor_config.json")))
}

/// Zero-shot CLIP: images scored against text prompts.
public final class ZeroShotClassifier {
    public let model: CLIPModel
    public let tokenizer: CLIPTokenizer
    public let processor: ImageProcessor
    public var batchSize = 32

    public init(checkpoint directory: URL) throws {
        (model, processor) = try loadPretrained(directory, CLIPModel.init)
        tokenizer = try CLIPTokenizer(directory: directory)
    }

    /// A classifier around a model built elsewhere (LiT's text side for a ViT image tower).
    public init(model: CLIPModel, tokenizer: CLIPTokenizer, processor: ImageProcessor) {
        (self.model, self.tokenizer, self.processor) = (model, tokenizer, processor)
    }

    /// Class embeddings [classes, P]: for each template, the normalised text embeddings of its
    /// prompts; their mean over templates, normalised again. One template gives its embeddings.
    public func classEmbeddings(_ classNames: [String], prompts: PromptTemplates) -> Tensor {
        precondition(!classNames.isEmpty, "classEmbeddings: no class names")
        let sum = Tensor(zeros: [classNames.count, model.config.projectionDim])
        for template in prompts.templates {
            let sequences = classNames.map { tokenizer.encode(PromptTemplates.fill(template, with: $0)) }
            let embeddings = GradMode.with(enabled: false) { model.textEmbeddings(TokenBatch(sequences, padding: tokenizer.padding)) }
            sum.addInPlace(embeddings)
        }
        return prompts.templates.count == 1 ? sum : l2Normalized(sum)
    }

    /// `logits_per_image` [images][labels] for the given class embeddings.
    public func logitsPerImage(_ images: [URL], classes: Tensor) throws -> [[Float]] {
        var rows: [[Float]] = []
        try forEachPixelBatch(images, processor: processor, batchSize: batchSize) { pixels in
            let logits = model.logitsPerImage(imageEmbeddings: model.imageEmbeddings(pixels), textEmbeddings: classes)
            rows += logits.rows
        }
        return rows
    }
}

/// A fine-tuned ViT classifier.
public final class ImageClassifier {
    public let model: ViTForImageClassification
    public let processor: ImageProcessor
    public var batchSize = 32

    public init(checkpoint directory: URL) throws {
        (model, processor) = try loadPretrained(directory, ViTForImageClassification.init)
    }

    public var labels: [String] { model.config.labels }

    /// Class logits [images][labels].
    public func logits(_ images: [URL]) throws -> [[Float]] {
        var rows: [[Float]] = []
        try forEachPixelBatch(images, processor: processor, batchSize: batchSize) { pixels in rows += model(pixels).rows }
        return rows
    }
}
