// The two halves of zero-shot classification: one embedding per class from the text tower (a
// prompt, or an ensemble of prompts averaged in embedding space), one per image from the image
// tower. Each image then goes to the class whose embedding is nearest in angle.
import Cluster
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
        // Under MPI each rank embeds its block of the batches, and the rows are gathered in order.
        return try MPIWorld.current.shardedRows(count: pixels.count, batchSize: batchSize, width: model.config.projectionDim,
                                                progress: progress) { range in
            model.imageEmbeddings(try pixels.pixels(Array(range)))
        }
    }

    /// `logits_per_image` [images, classes]: cosine similarities times exp(logit_scale).
    public func logits(imageEmbeddings: Tensor, classEmbeddings: Tensor) -> Tensor {
        GradMode.with(enabled: false) { model.logitsPerImage(imageEmbeddings: imageEmbeddings, textEmbeddings: classEmbeddings) }
    }
}

