// Every failure to read or write a checkpoint, worded so that the message alone says which file
// (and which tensor) is at fault and what was expected.
import Foundation

public enum CheckpointError: Error, Equatable, CustomStringConvertible, LocalizedError {
    case cannotOpen(file: String, reason: String)
    /// The file ends before its header or before the bytes of `tensor` (offsets beyond the end).
    case truncated(file: String, tensor: String?, needed: Int, size: Int)
    case badHeader(file: String, reason: String)
    case missingTensor(name: String, file: String)
    case shapeMismatch(name: String, file: String, expected: [Int], found: [Int])
    case unsupportedDType(name: String, file: String, dtype: String)
    case missingDirectory(path: String)
    case missingConfig(directory: String)
    case badConfig(file: String, reason: String)
    case noWeights(directory: String)
    /// Only PyTorch pickles are present: reading them would mean unpickling arbitrary code.
    case pytorchWeightsOnly(directory: String, file: String)
    case writeFailed(file: String, reason: String)

    public var description: String {
        switch self {
        case let .cannotOpen(file, reason):
            return "cannot open \(file): \(reason)"
        case let .truncated(file, tensor?, needed, size):
            return "\(file) is truncated: tensor '\(tensor)' needs bytes up to \(needed) but the file has \(size)"
        case let .truncated(file, nil, needed, size):
            return "\(file) is truncated: its header needs \(needed) bytes but the file has \(size)"
        case let .badHeader(file, reason):
            return "\(file) has a bad safetensors header: \(reason)"
        case let .missingTensor(name, file):
            return "tensor '\(name)' is missing from \(file)"
        case let .shapeMismatch(name, file, expected, found):
            return "tensor '\(name)' in \(file) has shape \(found), expected \(expected)"
        case let .unsupportedDType(name, file, dtype):
            return "tensor '\(name)' in \(file) has dtype \(dtype); only F32, F16, BF16 and F64 are supported"
        case let .missingDirectory(path):
            return "checkpoint directory \(path) does not exist"
        case let .missingConfig(directory):
            return "checkpoint directory \(directory) has no config.json"
        case let .badConfig(file, reason):
            return "\(file) is not a valid config: \(reason)"
        case let .noWeights(directory):
            return "checkpoint directory \(directory) has neither model.safetensors nor model.safetensors.index.json"
        case let .pytorchWeightsOnly(directory, file):
            return "checkpoint directory \(directory) holds only PyTorch weights (\(file)); convert them to safetensors, "
                + "e.g. in Python: model = AutoModel.from_pretrained(dir); model.save_pretrained(dir, safe_serialization=True)"
        case let .writeFailed(file, reason):
            return "cannot write \(file): \(reason)"
        }
    }

    public var errorDescription: String? { description }
}
