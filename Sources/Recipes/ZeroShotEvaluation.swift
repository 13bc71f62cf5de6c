// Zero-shot accuracy of a CLIP model on a dataset: its images embedded once, then scored
// against the class embeddings of each prompt set, choosing among the dataset's own classes
// (91 for the trained classes' test images, 10 for the held-out ones).
import Training
import Datasets
import Models
import TensorCore

extension ZeroShotClassifier {
    /// One score per prompt set, in order. Images are decoded (or rendered) on both cores and
    /// embedded `batchSize` at a time; `progress` hears how many are done.
    public func zeroShotScores(_ dataset: any Dataset, promptSets: [PromptTemplates], batchSize: Int = 64,
                               progress: ((Int) -> Void)? = nil) throws -> [ClassificationHits] {
        zeroShotScores(try embedImages(dataset, batchSize: batchSize, progress: progress), promptSets: promptSets)
    }

    /// The images of `dataset` through the image tower, to be scored against any class embeddings.
    public func embedImages(_ dataset: any Dataset, batchSize: Int = 64, progress: ((Int) -> Void)? = nil) throws -> EmbeddedImages {
        precondition(dataset.count > 0, "embedImages: the dataset is empty")
        let pixels = try DatasetPixels(dataset, processor: processor, memoryBudget: 0)
        return EmbeddedImages(classNames: dataset.classNames, embeddings: try imageEmbeddings(pixels, batchSize: batchSize, progress: progress),
                              labels: pixels.labels(Array(0..<dataset.count)))
    }

    /// One score of `images` among their own classes per prompt set, with the text tower as it is now.
    public func zeroShotScores(_ images: EmbeddedImages, promptSets: [PromptTemplates]) -> [ClassificationHits] {
        promptSets.map { prompts in
            let classes = classEmbeddings(images.classNames, prompts: prompts)
            return ClassificationHits(classNames: images.classNames, logits: logits(imageEmbeddings: images.embeddings, classEmbeddings: classes),
                                       labels: images.labels)
        }
    }
}

/// A dataset's normalised image embeddings [images, P], with its labels and class names.
public struct EmbeddedImages {
    public let classNames: [String]
    public let embeddings: Tensor
    public let labels: [Int]
}
