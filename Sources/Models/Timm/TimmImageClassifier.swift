// A timm checkpoint directory turned into a classifier of image files, preprocessed as timm's
// eval transform does from the checkpoint's pretrained_cfg: what `vitclip classify` runs when the
// directory is timm's.
import Common
import Foundation
import Imaging
import TensorCore

public final class TimmImageClassifier {
    public let model: any TimmClassifier
    public let processor: TimmImageProcessor
    public var batchSize = 32

    public init(checkpoint directory: URL) throws {
        let checkpoint = try TimmCheckpoint(directory: directory)
        model = try checkpoint.loadModel()
        do {
            processor = try TimmImageProcessor(checkpoint.config.pretrainedConfig)
        } catch let ImagingError.invalidProcessorConfig(_, reason) {
            throw ImagingError.invalidProcessorConfig(file: checkpoint.configURL.path, reason: reason)
        }
    }

    /// Class names by index: the checkpoint's label_names, or the indices.
    public var labels: [String] { model.config.labels }

    /// Class logits [images][labels].
    public func logits(_ images: [RawPath]) throws -> [[Float]] {
        var rows: [[Float]] = []
        for start in stride(from: 0, to: images.count, by: batchSize) {
            let batch = try images[start..<min(start + batchSize, images.count)].map { try Image(contentsOf: $0) }
            let pixels = Tensor(shape: [batch.count, 3, processor.height, processor.width], scalars: processor.pixelValues(batch))
            rows += model(pixels).rows
        }
        return rows
    }
}

extension TimmImageProcessor {
    /// The eval preprocessing of a checkpoint's pretrained_cfg.
    public init(_ config: TimmConfig.PretrainedConfig) throws {
        guard config.inputSize[0] == 3 else {
            throw ImagingError.invalidProcessorConfig(file: "timm pretrained_cfg", reason: "images are RGB, but input_size has \(config.inputSize[0]) channels")
        }
        try self.init(inputSize: (config.inputSize[1], config.inputSize[2]), interpolation: config.interpolation,
                      cropPercentage: config.cropPercentage, cropMode: config.cropMode, mean: config.mean, std: config.std)
    }
}
