// Learning-rate schedules, as multipliers of the base rate at each optimiser step (0-based):
// the step-t update uses base · multiplier(t), as torch's LambdaLR does before its t-th step().
import Foundation

public enum LearningRateSchedule: Codable, Equatable, Sendable {
    case constant
    /// Linear warm-up from 0 over `warmupSteps`, then half a cosine down to 0 at the last step:
    /// transformers' get_cosine_schedule_with_warmup.
    case warmupCosine(warmupSteps: Int)
    /// FT-CLIP's utils.cosine_scheduler, per step: numpy's linspace(0, 1, warmupSteps) over the
    /// warm-up (so its last step reaches the full rate), then half a cosine from 1 down towards
    /// `floor` (min_lr / lr) over the remaining steps, never quite reaching it.
    case warmupCosineToFloor(warmupSteps: Int, floor: Double)

    /// "constant" or "cosine", as results files and logs name the schedule.
    public var name: String {
        switch self {
        case .constant: "constant"
        case .warmupCosine: "cosine"
        case .warmupCosineToFloor: "FT-CLIP warm-up cosine"
        }
    }

    /// The schedule with its parameters, as results files record it.
    public var detailedName: String {
        switch self {
        case .constant: "constant"
        case let .warmupCosine(warmupSteps): "cosine after \(warmupSteps) warm-up steps"
        case let .warmupCosineToFloor(warmupSteps, floor):
            "FT-CLIP's per-step cosine to \(floor) × lr after \(warmupSteps) linear warm-up steps"
        }
    }

    public func multiplier(step: Int, totalSteps: Int) -> Double {
        switch self {
        case .constant:
            return 1
        case let .warmupCosine(warmupSteps):
            if step < warmupSteps { return Double(step) / Double(max(1, warmupSteps)) }
            let progress = Double(step - warmupSteps) / Double(max(1, totalSteps - warmupSteps))
            return max(0, 0.5 * (1 + cos(Double.pi * progress)))
        case let .warmupCosineToFloor(warmupSteps, floor):
            if step < warmupSteps { return warmupSteps == 1 ? 0 : Double(step) / Double(warmupSteps - 1) }
            let position = Double(step - warmupSteps), length = Double(max(1, totalSteps - warmupSteps))
            return floor + 0.5 * (1 - floor) * (1 + cos(Double.pi * position / length))
        }
    }
}
