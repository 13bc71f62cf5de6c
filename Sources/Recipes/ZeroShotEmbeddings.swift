// The two halves of zero-shot classification: one embedding per class from the text tower (a
// prompt, or an ensemble of prompts averaged in embedding space), one per image from the image
// tower. Each image then goes to the class whose embedding is nearest in angle.
import Training
import Checkpoints
import Models
import TensorCore
import Tokenizer

extension ZeroShotClassifier {
    /// Normalised image embeddings [images, P] of every image of `pixels`, `batchSize` at a time
    /// without recording gradients; `progress` hears how many images are done after each batch.
    public func imageEmbeddings(_ pixels: DatasetPixels, batchSize: Int = 64, progress: ((Int) -> Void)? = nil) throws -> Tensor {
        precondition(pixels.count > 0 && batchSize > 0, "imageEmbeddings: needs images and a positive batch size")
        let width = model.config.projectionDim
        let all = Tensor(uninitializedShape: [pixels.count, width])
        for start in stride(from: 0, to: pixels.count, by: batchSize) {
            let indices = Array(start..<min(pixels.count, start + batchSize))
            let embeddings = try GradMode.with(enabled: false) { model.imageEmbeddings(try pixels.pixels(indices)) }
            (all.pointer + start * width).update(from: embeddings.pointer, count: embeddings.count)
            progress?(start + indices.count)
        }
        return all
    }

    /// `logits_per_image` [images, classes]: cosine similarities times exp(logit_scale).
    public func logits(imageEmbeddings: Tensor, classEmbeddings: Tensor) -> Tensor {
        GradMode.with(enabled: false) { model.logitsPerImage(imageEmbeddings: imageEmbeddings, textEmbeddings: classEmbeddings) }
    }
}

extension CLIPConfig {
    /// "CLIP ViT-B/32" for OpenAI's base model; otherwise the image tower's size in words.
    public var architectureName: String {
        let vision = visionConfig
        if vision.hiddenSize == 768 && vision.numHiddenLayers == 12 && textConfig.hiddenSize == 512 {
            return "CLIP ViT-B/\(vision.patchSize)"
        }
        return "CLIP (image tower: width \(vision.hiddenSize), \(vision.numHiddenLayers) layers, \(vision.patchSize)-pixel patches "
            + "of \(vision.imageSize)-pixel images; text tower: width \(textConfig.hiddenSize), \(textConfig.numHiddenLayers) layers)"
    }
}
