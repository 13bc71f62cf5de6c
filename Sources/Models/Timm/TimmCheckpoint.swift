// A timm checkpoint directory, as `save_for_hf` (and the hub's timm/ repositories) lay it out:
// config.json (architecture, classes, model_args, pretrained_cfg) and model.safetensors with
// timm's state-dict names. Tensors the model does not use (batch norm's num_batches_tracked) are
// ignored.
import Common
import Checkpoints
import Foundation
import TensorCore

public final class TimmCheckpoint: TensorSource {
    public let directory: URL
    public let config: TimmConfig
    public let weights: SafeTensorsFile
    public var configURL: URL { directory.appendingPathComponent(Checkpoint.configFileName) }

    public init(directory: URL) throws {
        self.directory = directory
        let manager = FileManager.default
        config = try TimmConfig(contentsOf: try Checkpoint.existingConfig(in: directory))
        let weightsURL = directory.appendingPathComponent(Checkpoint.weightsFileName)
        guard manager.fileExists(atPath: weightsURL.path) else {
            if manager.fileExists(atPath: directory.appendingPathComponent("pytorch_model.bin").path) {
                throw CheckpointError.pytorchWeightsOnly(directory: directory.path, file: "pytorch_model.bin")
            }
            throw CheckpointError.noWeights(directory: directory.path)
        }
        weights = try SafeTensorsFile(contentsOf: weightsURL)
    }

    /// True when `directory`'s config.json is timm's (it names an `architecture`) rather than
    /// a Hugging Face transformers one (which names a `model_type`).
    public static func isTimmCheckpoint(_ directory: URL) -> Bool {
        let url = directory.appendingPathComponent(Checkpoint.configFileName)
        guard let data = try? Data(contentsOf: url),
              let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else { return false }
        return object["architecture"] is String && object["model_type"] == nil
    }

    public func tensor(_ name: String, shape: [Int]?) throws -> Tensor {
        try weights.tensor(name, shape: shape)
    }

    /// The model config.json describes, with the checkpoint's weights. A configuration this
    /// package cannot build is reported against config.json.
    public func loadModel() throws -> any TimmClassifier {
        let model: any TimmClassifier
        do {
            model = try TimmRegistry.makeModel(config)
        } catch let error as TimmError {
            throw CheckpointError.badConfig(file: configURL.path, reason: error.description)
        }
        try model.load(from: self)
        return model
    }
}
