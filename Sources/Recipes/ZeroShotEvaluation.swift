// Zero-shot accuracy of a CLIP model on a dataset: its images embedded once, then scored
// against the class embeddings of each prompt set, choosing among the dataset's own classes
// (91 for the trained classes' validation images, 10 for the held-out ones).
import Datasets
import Models
import TensorCore

extension ZeroShotClassifier {
    /// One score per prompt set, in order. Images are decoded (or rendered) on both cores and
    /// embedded `batchSize` at a time; `progress` hears how many are done.
    public func zeroShotScores(_ dataset: any Dataset, promptSets: [PromptTemplates], batchSize: Int = 64,
                               progress: ((Int) -> Void)? = nil) throws -> [ClassificationScore] {
        precondition(dataset.count > 0, "zeroShotScores: the dataset is empty")
        let pixels = try DatasetPixels(dataset, processor: processor, memoryBudget: 0)
        let images = try imageEmbeddings(pixels, batchSize: batchSize, progress: progress)
        let labels = pixels.labels(Array(0..<dataset.count))
        return promptSets.map { prompts in
            let classes = classEmbeddings(dataset.classNames, prompts: prompts)
            return ClassificationScore(classNames: dataset.classNames, logits: logits(imageEmbeddings: images, classEmbeddings: classes),
                                       labels: labels)
        }
    }
}
