// Loading the timm fixtures that scripts/goldens/timm_models.py wrote.
import Checkpoints
import Models
import TensorCore
import TestSupport

/// Forward goldens agree to 1e-4 of the reference's scale (they reach about 1e-6).
let forwardTolerance: Float = 1e-4
/// Gradients of a fine-tuning step agree to 1e-4 of the reference gradient's scale.
let gradientTolerance: Float = 1e-4
/// Gradients that are exactly 0 in exact arithmetic are held to this absolute tolerance.
let zeroGradientTolerance: Float = 1e-5

func fixtureCheckpoint(_ name: String) throws -> TimmCheckpoint {
    try TimmCheckpoint(directory: Fixtures.url("timm/\(name)"))
}

func reference(_ name: String) throws -> SafeTensorsFile {
    try SafeTensorsFile(contentsOf: Fixtures.url("timm/\(name).safetensors"))
}

/// Relative errors by name, for the report of a failing expectation.
struct ErrorLog {
    private(set) var errors: [(name: String, error: Float)] = []
    mutating func compare(_ name: String, _ actual: Tensor, _ expected: Tensor) {
        errors.append((name, actual.shape == expected.shape ? relativeError(actual, expected) : .infinity))
    }
    var worst: Float { errors.map(\.error).max() ?? 0 }
    var summary: String { errors.map { "\($0.name) \($0.error)" }.joined(separator: ", ") }
}
