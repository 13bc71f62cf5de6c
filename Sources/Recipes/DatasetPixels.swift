// A dataset's images as a checkpoint's image processor prepares them, for any list of items.
// A small dataset (MiniFood's 32 x 32 photos) is prepared once and kept, so that ten epochs
// of fine-tuning render each image once; a large one (Food-101 at 224 x 224, 600 KB an image)
// is decoded again batch by batch, on both cores.
import Training
import Datasets
import Imaging
import TensorCore

public final class DatasetPixels: @unchecked Sendable {
    public let dataset: any Dataset
    public let processor: ImageProcessor
    /// Floats of one image: 3 x height x width.
    public let valuesPerImage: Int
    /// Every image's pixel values, [count, 3, H, W], when they fit the memory budget.
    private let stored: Tensor?
    private let workers: Int

    /// Keeps every image's pixels in memory when they take at most `memoryBudget` bytes.
    public init(_ dataset: any Dataset, processor: ImageProcessor, memoryBudget: Int = 1 << 30, workers: Int = 2) throws {
        self.dataset = dataset
        self.processor = processor
        self.workers = workers
        let (height, width) = processor.outputSize
        let perImage = 3 * height * width
        valuesPerImage = perImage
        guard dataset.count * perImage * MemoryLayout<Float>.size <= memoryBudget else {
            stored = nil
            return
        }
        let all = Tensor(uninitializedShape: [dataset.count, 3, height, width])
        let chunk = 256
        for start in stride(from: 0, to: dataset.count, by: chunk) {
            let indices = Array(start..<min(dataset.count, start + chunk))
            let values = processor.pixelValues(try images(of: dataset, at: indices, workers: workers))
            (all.pointer + start * perImage).update(from: values, count: values.count)
        }
        stored = all
    }

    public var count: Int { dataset.count }

    /// The pixel values of `indices`, [indices.count, 3, H, W].
    public func pixels(_ indices: [Int]) throws -> Tensor {
        let (height, width) = processor.outputSize
        let batch = Tensor(uninitializedShape: [indices.count, 3, height, width])
        if let stored {
            for (row, index) in indices.enumerated() {
                precondition((0..<count).contains(index), "DatasetPixels: item \(index) out of range 0..<\(count)")
                (batch.pointer + row * valuesPerImage).update(from: stored.pointer + index * valuesPerImage, count: valuesPerImage)
            }
        } else {
            let values = processor.pixelValues(try images(of: dataset, at: indices, workers: workers))
            batch.pointer.update(from: values, count: values.count)
        }
        return batch
    }

    /// The pixel values of `indices` under timm's training crop: each image decoded afresh,
    /// cropped and resized by `crop` (its box drawn from `generator`), then normalised as the
    /// processor normalises. FT-CLIP's crop above 32 px; the crop's size must be the processor's.
    public func pixels<G: RandomNumberGenerator>(_ indices: [Int], crop: RandomResizedCrop, generator: inout G) throws -> Tensor {
        let (height, width) = processor.outputSize
        precondition(crop.width == width && crop.height == height, "DatasetPixels: a \(crop.width)x\(crop.height) crop for \(width)x\(height) pixels")
        let batch = Tensor(uninitializedShape: [indices.count, 3, height, width])
        for (row, image) in try images(of: dataset, at: indices, workers: workers).enumerated() {
            processor.writePixelValues(of: crop.apply(to: image, using: &generator), into: batch.pointer + row * valuesPerImage)
        }
        return batch
    }

    public func labels(_ indices: [Int]) -> [Int] { indices.map(dataset.label) }
}
