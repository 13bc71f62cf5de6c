// A dataset's images as a ViT reads them: pixel values [N, 3, H, W] from the checkpoint's image
// processor, with their labels. MiniFood's few thousand 32-pixel images are preprocessed once and
// kept (rendering them again every epoch would cost more than training the mini model on them);
// Food-101's 75,750 photos at 224 pixels would take 45 GB, so they are decoded batch by batch,
// which costs little beside a ViT-B/16 forward and backward pass.
import Datasets
import Foundation
import Imaging
import TensorCore

public final class PreprocessedImages {
    public let dataset: any Dataset
    public let processor: ImageProcessor
    /// Every image's pixel values, when they fit the memory budget.
    private let kept: Tensor?
    private let imageShape: [Int]

    public var count: Int { dataset.count }

    public init(_ dataset: any Dataset, processor: ImageProcessor, memoryBudget: Int = 2 << 30) throws {
        self.dataset = dataset
        self.processor = processor
        let (height, width) = processor.outputSize
        imageShape = [3, height, width]
        let perImage = imageShape.reduce(1, *)
        guard dataset.count * perImage * MemoryLayout<Float>.size <= memoryBudget else {
            kept = nil
            return
        }
        let all = Tensor(uninitializedShape: [dataset.count] + imageShape)
        for start in stride(from: 0, to: dataset.count, by: 256) {
            let indices = Array(start..<min(dataset.count, start + 256))
            let values = processor.pixelValues(try images(of: dataset, at: indices))
            values.withUnsafeBufferPointer { (all.pointer + start * perImage).update(from: $0.baseAddress!, count: $0.count) }
        }
        kept = all
    }

    /// Pixel values of the images at `indices`, stacked [indices.count, 3, H, W].
    public func pixels(_ indices: [Int]) throws -> Tensor {
        let perImage = imageShape.reduce(1, *)
        guard let kept else {
            return Tensor(shape: [indices.count] + imageShape, scalars: processor.pixelValues(try images(of: dataset, at: indices)))
        }
        let batch = Tensor(uninitializedShape: [indices.count] + imageShape)
        for (row, index) in indices.enumerated() {
            (batch.pointer + row * perImage).update(from: kept.pointer + index * perImage, count: perImage)
        }
        return batch
    }

    public func labels(_ indices: [Int]) -> [Int] { indices.map(dataset.label) }
}
