// The pieces ft-clip-code adds to Table 2 against the reference's own code
// (scripts/goldens/ftclip_pieces.py → Tests/Fixtures/training/ftclip.json): FT-CLIP's layer-wise
// decay groups and per-step cosine schedule, timm's label-smoothing cross-entropy, drop path
// (timm's, with the mask it drew) and ModelEma. Tolerances: exact for group settings, 1e-12
// relative for the schedule (both in double), 1e-6 of scale for Float32 arithmetic.
import Foundation
import Testing
import Common
import TensorCore
import TestSupport
@testable import Training

struct FTCLIPGolden: Decodable {
    struct LayerDecay: Decodable {
        struct Row: Decodable { let name: String; let trained: Bool; let lrScale: Double?; let weightDecay: Double? }
        let decay: Double
        let depth: Int
        let weightDecay: Double
        let parameters: [Row]
    }
    struct Schedule: Decodable {
        let base, final: Double
        let epochs, stepsPerEpoch, warmupEpochs: Int
        let values: [Double]
    }
    struct LabelSmoothing: Decodable {
        let smoothing: Float
        let logits: [Float]
        let shape: [Int]
        let labels: [Int]
        let loss: Float
        let gradient: [Float]
    }
    struct DropPath: Decodable {
        let probability: Double
        let shapeLnd: [Int]
        let input, output: [Float]
        let kept: [Int]
        let depth: Int
        let rate: Double
        let rates: [Double]
    }
    struct EMA: Decodable {
        struct Step: Decodable { let model, ema: [String: [Float]] }
        let decay: Double
        let initial: [String: [Float]]
        let steps: [Step]
    }
    let layerDecay: LayerDecay
    let schedules: [Schedule]
    let labelSmoothing: LabelSmoothing
    let dropPath: DropPath
    let ema: EMA

    static let shared: FTCLIPGolden = {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try! decoder.decode(FTCLIPGolden.self, from: Data(contentsOf: Fixtures.url("training/ftclip.json")))
    }()
}

private func maxRelativeError(_ a: [Float], _ b: [Float]) -> Float {
    let scale = max(b.map(abs).max() ?? 1, 1e-30)
    return zip(a, b).map { abs($0 - $1) }.max().map { $0 / scale } ?? 0
}

@Suite struct FTCLIPPiecesAgainstReference {
    let golden = FTCLIPGolden.shared

    @Test func layerDecayGroupsMatchFTCLIPsOptimFactory() {
        let reference = golden.layerDecay
        let trained = reference.parameters.filter(\.trained)
        let optimizer = AdamW(trained.map { ($0.name, Tensor(zeros: [1])) },
                              hyperparameters: AdamWHyperparameters(learningRate: 1e-4, weightDecay: reference.weightDecay),
                              exemptNormsBiasesAndEmbeddings: true, layerDecay: reference.decay, depth: reference.depth)
        for (row, parameter) in zip(trained, optimizer.parameters) {
            #expect(abs(parameter.learningRateScale - row.lrScale!) < 1e-12, "\(row.name): lr scale")
            #expect(parameter.weightDecay == row.weightDecay!, "\(row.name): weight decay")
        }
    }

    @Test func scheduleMatchesFTCLIPsCosineScheduler() {
        for reference in golden.schedules {
            let steps = reference.epochs * reference.stepsPerEpoch
            #expect(reference.values.count == steps)
            let schedule = LearningRateSchedule.warmupCosineToFloor(warmupSteps: reference.warmupEpochs * reference.stepsPerEpoch,
                                                                    floor: reference.final / reference.base)
            for (step, value) in reference.values.enumerated() {
                let ours = reference.base * schedule.multiplier(step: step, totalSteps: steps)
                #expect(abs(ours - value) <= 1e-12 * reference.base, "step \(step) of \(reference.values.count): \(ours) vs \(value)")
            }
        }
    }

    @Test func labelSmoothingMatchesTimm() {
        let reference = golden.labelSmoothing
        let logits = Tensor(shape: reference.shape, scalars: reference.logits)
        logits.requiresGrad = true
        GradMode.with(enabled: true) {
            let loss = crossEntropy(logits, labels: reference.labels, labelSmoothing: reference.smoothing)
            #expect(abs(loss.item - reference.loss) <= 1e-6 * reference.loss)
            loss.backward(Tensor(shape: loss.shape, scalars: [1]))
        }
        #expect(maxRelativeError(logits.grad!.scalars, reference.gradient) < 1e-6)
    }

    @Test func dropPathMatchesTimmOnFTCLIPsLayout() {
        let reference = golden.dropPath
        let (positions, batch, width) = (reference.shapeLnd[0], reference.shapeLnd[1], reference.shapeLnd[2])
        // [L, N, D] → [N, L, D], the project's layout.
        func batchFirst(_ values: [Float]) -> [Float] {
            (0..<batch).flatMap { n in (0..<positions).flatMap { l in (0..<width).map { values[(l * batch + n) * width + $0] } } }
        }
        let mask = StochasticDepth.branchMask(pattern: reference.kept.map(Float.init), width: width, dropProbability: reference.probability)
        let out = Tensor(shape: [batch, positions, width], scalars: batchFirst(reference.input)) * mask
        #expect(maxRelativeError(out.scalars, batchFirst(reference.output)) < 1e-6)
        #expect(reference.kept.contains(0) && reference.kept.contains(1), "the case should drop some positions and keep others")
        let rates = StochasticDepth(rate: reference.rate).rates(depth: reference.depth)
        #expect(zip(rates, reference.rates).allSatisfy { abs($0 - $1) < 1e-7 })
    }

    @Test func keepPatternDropsAtTheGivenRate() {
        var generator = SeededGenerator(seed: 1)
        let pattern = StochasticDepth.keepPattern(positions: 20000, dropProbability: 0.25, generator: &generator)
        let dropped = Double(pattern.filter { $0 == 0 }.count) / 20000
        #expect(abs(dropped - 0.25) < 0.015)
    }

    @Test func emaMatchesTimmModelEma() {
        let reference = golden.ema
        let names = reference.initial.keys.sorted()
        let tensors = names.map { Tensor(shape: [reference.initial[$0]!.count], scalars: reference.initial[$0]!) }
        let ema = ModelEMA(Array(zip(names, tensors)), decay: reference.decay)
        for step in reference.steps {
            for (name, tensor) in zip(names, tensors) { tensor.pointer.update(from: step.model[name]!, count: tensor.count) }
            ema.update()
            for (name, average) in zip(names, ema.averages.map(\.tensor)) {
                #expect(maxRelativeError(average.scalars, step.ema[name]!) < 1e-6, "\(name)")
            }
        }
        ema.copyAveragesIntoModel()
        #expect(tensors[0].scalars == ema.averages[0].tensor.scalars)
    }
}
