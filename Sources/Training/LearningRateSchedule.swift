// Learning-rate schedules, as multipliers of the base rate at each optimiser step (0-based):
// the step-t update uses base · multiplier(t), as torch's LambdaLR does before its t-th step().
import Foundation

public enum LearningRateSchedule: Codable, Equatable, Sendable {
    case constant
    /// Linear warm-up from 0 over `warmupSteps`, then half a cosine down to 0 at the last step:
    /// transformers' get_cosine_schedule_with_warmup.
    case warmupCosine(warmupSteps: Int)

    /// "constant" or "cosine", as results files and logs name the schedule.
    public var name: String {
        switch self {
        case .constant: "constant"
        case .warmupCosine: "cosine"
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
        }
    }
}
