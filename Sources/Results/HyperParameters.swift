import Foundation
import Training

// A training run's hyper-parameters, as results files record them.


/// A value that is a number or a word: a hyper-parameter (a rate; an optimizer's or schedule's
/// name), or a published table's cell (an accuracy; a cost tier).
public enum NumberOrText: Codable, Sendable, Equatable, CustomStringConvertible {
    case number(Double)
    case text(String)

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Double.self) {
            self = .number(number)
        } else {
            self = .text(try container.decode(String.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .number(let number): try container.encode(number)
        case .text(let text): try container.encode(text)
        }
    }

    public var description: String {
        switch self {
        case .number(let number): number.formatted(.number.grouping(.never))
        case .text(let text): text
        }
    }
}

/// Hyper-parameters by name. Dictionary keys are written as given (the snake_case strategy
/// does not touch them), so chapters use these names for the settings Tables 1 and 2 publish
/// and may add others (warm-up steps, image size) under names of their own.
public typealias HyperParameters = [String: HyperParameter]

public typealias HyperParameter = NumberOrText

public enum HyperParameterName {
    public static let learningRate = "learning_rate"
    public static let batchSize = "batch_size"
    public static let weightDecay = "weight_decay"
    public static let epochs = "epochs"
    public static let beta1 = "beta1"
    public static let beta2 = "beta2"
    public static let epsilon = "epsilon"
}

// MARK: - Chapter payloads

extension TrainingConfiguration {
    /// The rows Tables 1 and 2 publish under their names (learning rate, batch, weight decay,
    /// epochs, betas, epsilon), with the optimiser, micro-batch, schedule and head rate scale.
    public var tableRows: HyperParameters {
        var rows: HyperParameters = [
            HyperParameterName.learningRate: .number(optimizer.learningRate),
            HyperParameterName.batchSize: .number(Double(batchSize)),
            HyperParameterName.weightDecay: .number(optimizer.weightDecay),
            HyperParameterName.epochs: .number(Double(epochs)),
            HyperParameterName.beta1: .number(optimizer.beta1),
            HyperParameterName.beta2: .number(optimizer.beta2),
            HyperParameterName.epsilon: .number(optimizer.epsilon),
            "optimizer": .text("AdamW"),
            "micro_batch_size": .number(Double(microBatchSize)),
            "schedule": .text(schedule.detailedName),
        ]
        if let headLearningRateScale { rows["head_lr_scale"] = .number(headLearningRateScale) }
        return rows
    }

    /// `tableRows` with the settings CLIP's fine-tunings add: the weight-decay exemption, layer
    /// decay, seed and gradient clipping.
    public var hyperParameters: HyperParameters {
        var parameters = tableRows.merging([
            "weight_decay_exempt": .text(exemptNormsBiasesAndEmbeddings ? "norms, biases, embeddings" : "none"),
            "layer_decay": layerDecay.map { .number($0) } ?? .text("none"),
            "seed": .number(Double(seed)),
        ]) { $1 }
        if let maxGradientNorm { parameters["max_gradient_norm"] = .number(maxGradientNorm) }
        return parameters
    }
}
