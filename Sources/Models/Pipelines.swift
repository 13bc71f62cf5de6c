// What the command line and the chapters use: a checkpoint directory turned into a classifier
// that takes image files, preprocessing included, in memory-bounded batches.
import Checkpoints
import Foundation
import Imaging
import TensorCore
import Tokenizer

/// Decodes and preprocesses images in batches of `batchSize`, and hands each batch of pixel values
/// [B, C, H, W] to `body`.
func forEachPixelBatch(_ images: [RawPath], processor: ImageProcessor, batchSize: Int, _ body: (Tensor) throws -> Void) throws {
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

/// Refuses a processor whose images the model cannot take: its position table holds
/// (imageSize / patchSize)² patches and its patch embedding reads 3 channels (what `Image` has).
func requireProcessor(_ processor: ImageProcessor, fits imageSize: Int, channels: Int, in directory: URL) throws {
    let (height, width) = processor.outputSize
    guard height == imageSize, width == imageSize else {
        throw ImagingError.invalidProcessorConfig(
            file: directory.appendingPathComponent("preprocessor_config.json").path,
            reason: "it makes \(height)x\(width) images but config.json's image_size is \(imageSize)")
    }
    guard channels == 3 else {
        throw CheckpointError.badConfig(file: directory.appendingPathComponent("config.json").path,
                                        reason: "'num_channels' must be 3 (images are RGB), got \(channels)")
    }
}

/// Zero-shot CLIP: images scored against text prompts.
public final class ZeroShotClassifier {
    public let model: CLIPModel
    public let tokenizer: CLIPTokenizer
    public let processor: ImageProcessor
    public var batchSize = 32

    public init(checkpoint directory: URL) throws {
        (model, processor) = try loadPretrained(directory, CLIPModel.init)
        let vision = model.config.visionConfig
        try requireProcessor(processor, fits: vision.imageSize, channels: vision.numChannels, in: directory)
        tokenizer = try CLIPTokenizer(directory: directory)
        try tokenizer.requireIDs(below: model.config.textConfig.vocabSize,
                                 file: directory.appendingPathComponent("vocab.json"))
    }

    /// A classifier around a model built elsewhere (LiT's text side for a ViT image tower).
    public init(model: CLIPModel, tokenizer: CLIPTokenizer, processor: ImageProcessor) {
        (self.model, self.tokenizer, self.processor) = (model, tokenizer, processor)
    }

    /// Refuses a prompt longer than the text tower's positions, naming its label and length, as
    /// transformers refuses (`vitclip zero-shot` checks before `classEmbeddings`).
    public func requirePromptsFit(_ classNames: [String], prompts: PromptTemplates) throws {
        guard !classNames.isEmpty else { throw PromptError.noClassNames }
        let context = model.config.textConfig.maxPositionEmbeddings
        for template in prompts.templates {
            for name in classNames {
                let tokens = tokenizer.encode(PromptTemplates.fill(template, with: name)).count
                guard tokens <= context else { throw PromptError.tooLong(label: name, tokens: tokens, context: context) }
            }
        }
    }

    /// Class embeddings [classes, P]: for each template, the normalised text embeddings of its
    /// prompts; their mean over templates, normalised again. One template gives its embeddings.
    /// A prompt longer than the text tower's positions stops the program unless checked first by
    /// `requirePromptsFit`, or, with `truncate`, is cut to its first positions and the end token
    /// (open_clip's `tokenize`).
    public func classEmbeddings(_ classNames: [String], prompts: PromptTemplates, truncate: Bool = false) -> Tensor {
        precondition(!classNames.isEmpty, "classEmbeddings: no class names")
        let context = model.config.textConfig.maxPositionEmbeddings
        let sum = Tensor(zeros: [classNames.count, model.config.projectionDim])
        for template in prompts.templates {
            let sequences = classNames.map { name in
                let ids = tokenizer.encode(PromptTemplates.fill(template, with: name))
                return truncate && ids.count > context ? ids.prefix(context - 1) + [tokenizer.endOfText] : ids
            }
            let embeddings = GradMode.with(enabled: false) { model.textEmbeddings(TokenBatch(sequences, padding: tokenizer.padding)) }
            sum.addInPlace(embeddings)
        }
        return prompts.templates.count == 1 ? sum : l2Normalized(sum)
    }

    /// `logits_per_image` [images][labels] for the given class embeddings.
    public func logitsPerImage(_ images: [URL], classes: Tensor) throws -> [[Float]] {
        try logitsPerImage(images.map(RawPath.init), classes: classes)
    }

    /// `logits_per_image` for image files named by their paths' bytes.
    public func logitsPerImage(_ images: [RawPath], classes: Tensor) throws -> [[Float]] {
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
        try requireProcessor(processor, fits: model.config.imageSize, channels: model.config.numChannels, in: directory)
    }

    public var labels: [String] { model.config.labels }

    /// Class logits [images][labels].
    public func logits(_ images: [RawPath]) throws -> [[Float]] {
        var rows: [[Float]] = []
        try forEachPixelBatch(images, processor: processor, batchSize: batchSize) { pixels in rows += model(pixels).rows }
        return rows
    }
}
