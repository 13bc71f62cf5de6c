// A ViT classifier scored on a set of images, image by image (`ClassificationHits`), so that a
// 95% interval can be drawn by resampling the images.
import Models
import TensorCore
import Training

/// Classifies every image of `images`, `batchSize` at a time, without recording gradients.
public func evaluate(_ model: ViTForImageClassification, on images: DatasetPixels, batchSize: Int) throws -> ClassificationHits {
    try ClassificationHits.counting(classNames: images.dataset.classNames, examples: images.count, batchSize: batchSize) { range in
        (model(try images.pixels(Array(range))), images.labels(Array(range)))
    }
}
