// A training corpus's images as a model's pixel values, computed once and kept for every epoch:
// the mini models pretrain on images that need rendering and preprocessing, which would
// otherwise cost more than the small models' steps.
import Datasets
import Common
import Results
import Training
import Imaging
import TensorCore

final class PixelTable: @unchecked Sendable {
    let values: Tensor
    let height: Int
    let width: Int

    init(_ dataset: some Dataset, processor: some BatchImageProcessor) throws {
        (height, width) = processor.outputSize
        let perImage = 3 * height * width
        values = Tensor(uninitializedShape: [dataset.count, 3, height, width])
        for start in stride(from: 0, to: dataset.count, by: 512) {
            let images = try (start..<min(dataset.count, start + 512)).map(dataset.image(at:))
            let chunk = processor.pixelValues(images)
            (values.pointer + start * perImage).update(from: chunk, count: chunk.count)
        }
    }

    /// The images at `indices`, [n, 3, H, W]; with `flips`, each mirrored left to right with
    /// probability 1/2 (drawn from `generator`).
    func batch(_ indices: [Int], flips: Bool, generator: inout SeededGenerator) -> Tensor {
        let perImage = 3 * height * width
        let batch = Tensor(uninitializedShape: [indices.count, 3, height, width])
        for (row, index) in indices.enumerated() {
            let source = values.pointer + index * perImage, target = batch.pointer + row * perImage
            if flips && generator.int(below: 2) == 1 {
                for line in 0..<(3 * height) {
                    let from = source + line * width, to = target + line * width
                    for x in 0..<width { to[x] = from[width - 1 - x] }
                }
            } else {
                target.update(from: source, count: perImage)
            }
        }
        return batch
    }
}

/// What PixelTable needs of an image processor: Hugging Face's and timm's both serve.
protocol BatchImageProcessor {
    var outputSize: (height: Int, width: Int) { get }
    func pixelValues(_ images: [Image]) -> [Float]
}

extension ImageProcessor: BatchImageProcessor {}
extension TimmImageProcessor: BatchImageProcessor {}
