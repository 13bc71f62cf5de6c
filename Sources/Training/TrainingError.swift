// Failures of a run or of its files, worded so that the message names the file and the fault.
import Foundation

public enum TrainingError: Error, Equatable, CustomStringConvertible, LocalizedError {
    case nonFiniteLoss(step: Int, value: Float)
    case nonFiniteGradient(step: Int)
    case nonFiniteParameter(step: Int, name: String)
    case noCheckpoint(directory: String)
    case badCheckpoint(file: String, reason: String)
    case incompatibleCheckpoint(file: String, reason: String)
    case badFeatureCache(file: String, reason: String)
    case writeFailed(file: String, reason: String)

    public var description: String {
        switch self {
        case let .nonFiniteLoss(step, value):
            return "the loss became \(value.isNaN ? "NaN" : "\(value)") at step \(step + 1); lower the learning rate or check the inputs"
        case let .nonFiniteGradient(step):
            return "the gradient norm became non-finite at step \(step + 1); lower the learning rate or clip gradients"
        case let .nonFiniteParameter(step, name):
            return "\(name) holds a non-finite value after step \(step); the last checkpoint before it is kept; lower the learning rate"
        case let .noCheckpoint(directory):
            return "no trainer checkpoint to resume from in \(directory)"
        case let .badCheckpoint(file, reason):
            return "\(file) is not a valid trainer checkpoint: \(reason)"
        case let .incompatibleCheckpoint(file, reason):
            return "cannot resume from \(file): \(reason)"
        case let .badFeatureCache(file, reason):
            return "\(file) is not a valid feature cache: \(reason)"
        case let .writeFailed(file, reason):
            return "cannot write \(file): \(reason)"
        }
    }

    public var errorDescription: String? { description }
}
