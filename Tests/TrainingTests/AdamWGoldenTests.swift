// AdamW, its parameter groups, the warm-up + cosine schedule and gradient clipping against
// PyTorch (scripts/goldens/optim.py): the same initial parameters and gradients must give the
// same parameters after every step and the same moments at the end, within 1e-6 of each
// tensor's scale (TestSupport's relativeError). The update mirrors ATen's arithmetic, so most
// cases agree to the bit; ATen's vectorised square root (Sleef's) can differ from the exact one
// by an ulp.
import Foundation
import Testing
import TensorCore
import TestSupport
@testable import Training

struct OptimizerGolden: Decodable {
    struct Parameter: Decodable {
        let name: String
        let shape: [Int]
        let initial: [Float]
        let grads: [[Float]]
    }

    struct Trajectory: Decodable {
        let name: String
        let after: [[Float]]
        let exp_avg: [Float]
        let exp_avg_sq: [Float]
    }

    struct Case: Decodable {
        let name: String
        let learning_rate: Double
        let betas: [Double]
        let eps: Double
        let weight_decay: Double
        let exempt_norms_biases_embeddings: Bool
        let layer_decay: Double?
        let warmup_steps: Int?
        let max_grad_norm: Double?
        let learning_rates: [Double]
        let parameters: [Trajectory]
    }

    struct Schedule: Decodable {
        let warmup_steps: Int
        let total_steps: Int
        let multipliers: [Double]
    }

    let steps: Int
    let parameters: [Parameter]
    let cases: [Case]
    let schedules: [Schedule]

    static let shared: OptimizerGolden = {
        let url = Fixtures.url("training/optim.json")
        return try! JSONDecoder().decode(OptimizerGolden.self, from: Data(contentsOf: url))
    }()
}

@Suite struct AdamWAgainstPyTorch {
    static let caseNames = OptimizerGolden.shared.cases.map(\.name)

    @Test(arguments: caseNames)
    func trajectoryMatches(caseName: String) {
        let golden = OptimizerGolden.shared
        let reference = golden.cases.first { $0.name == caseName }!
        let named = golden.parameters.map { (name: $0.name, tensor: Tensor(shape: $0.shape, scalars: $0.initial)) }
        let optimizer = AdamW(named, hyperparameters: AdamWHyperparameters(
                                  learningRate: reference.learning_rate, beta1: reference.betas[0], beta2: reference.betas[1],
                                  epsilon: reference.eps, weightDecay: reference.weight_decay),
                              exemptNormsBiasesAndEmbeddings: reference.exempt_norms_biases_embeddings, layerDecay: reference.layer_decay)
        let schedule: LearningRateSchedule = reference.warmup_steps.map { .warmupCosine(warmupSteps: $0) } ?? .constant

        var parameterError: Float = 0
        for step in 0..<golden.steps {
            for (index, parameter) in golden.parameters.enumerated() {
                named[index].tensor.grad = Tensor(shape: parameter.shape, scalars: parameter.grads[step])
            }
            if let maxNorm = reference.max_grad_norm { clipGradientNorm(named.map(\.tensor), maxNorm: maxNorm) }
            let learningRate = reference.learning_rate * schedule.multiplier(step: step, totalSteps: golden.steps)
            #expect(abs(learningRate - reference.learning_rates[step]) <= 1e-15, "\(caseName) step \(step) learning rate")
            optimizer.step(learningRate: learningRate)
            optimizer.zeroGrad()
            for (index, trajectory) in reference.parameters.enumerated() {
                parameterError = max(parameterError, relativeError(named[index].tensor.scalars, trajectory.after[step]))
            }
        }
        var momentError: Float = 0
        for (index, trajectory) in reference.parameters.enumerated() {
            momentError = max(momentError, relativeError(optimizer.firstMoments[index].scalars, trajectory.exp_avg))
            momentError = max(momentError, relativeError(optimizer.secondMoments[index].scalars, trajectory.exp_avg_sq))
        }
        print("AdamW vs PyTorch [\(caseName)]: max relative error parameters \(parameterError), moments \(momentError)")
        #expect(parameterError <= 1e-6, "\(caseName): parameters")
        #expect(momentError <= 1e-6, "\(caseName): moments")
    }

    @Test func cosineWithWarmupMatchesTransformers() {
        for table in OptimizerGolden.shared.schedules {
            let schedule = LearningRateSchedule.warmupCosine(warmupSteps: table.warmup_steps)
            for (step, expected) in table.multipliers.enumerated() {
                let value = schedule.multiplier(step: step, totalSteps: table.total_steps)
                #expect(abs(value - expected) <= 1e-15, "warm-up \(table.warmup_steps) of \(table.total_steps), step \(step): \(value) vs \(expected)")
            }
        }
        #expect(LearningRateSchedule.constant.multiplier(step: 17, totalSteps: 20) == 1)
    }
}
