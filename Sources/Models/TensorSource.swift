import Checkpoints
import TensorCore

/// Where a model's parameters are read from: one safetensors file or a checkpoint directory
/// (single or sharded), each looked up by Hugging Face tensor name.
public protocol TensorSource {
    func tensor(_ name: String, shape: [Int]?) throws -> Tensor
}

extension SafeTensorsFile: TensorSource {}
extension Checkpoint: TensorSource {}
