// A trainer checkpoint is a directory holding
//   trainer-step-NNNNNNNN.safetensors  every parameter under its own name (so the file loads as
//                                     model weights) and AdamW's moments under
//                                     optimizer.exp_avg.<name> / optimizer.exp_avg_sq.<name>;
//   trainer-state.json               the step, the configuration, the generator, AdamW's step
//                                     counts, the history, and the name of the weights file.
// Both are written to temporary files and renamed; the JSON goes last and is the commit point,
// so a run killed at any moment leaves the previous checkpoint whole. Older weight files are
// removed once the new JSON is in place. One trainer writes to a directory at a time.
import Checkpoints
import Common
import Foundation
import TensorCore

struct TrainerState: Codable {
    static let fileName = "trainer-state.json"
    static let format = "vitclip-trainer-checkpoint-1"

    var format: String
    var step: Int
    var examplesPerEpoch: Int
    var configuration: TrainingConfiguration
    var generator: SeededGenerator
    /// The trained parameters, in the optimiser's order, with AdamW's step count for each.
    var trainedParameters: [String]
    var optimizerStepCounts: [Int]
    var history: TrainingHistory
    var weightsFile: String
}

extension Trainer {
    static let weightsFilePrefix = "trainer-step-"
    static let firstMomentPrefix = "optimizer.exp_avg."
    static let secondMomentPrefix = "optimizer.exp_avg_sq."

    /// True when `directory` holds a trainer checkpoint to resume from.
    public static func hasCheckpoint(in directory: URL) -> Bool {
        FileManager.default.fileExists(atPath: directory.appendingPathComponent(TrainerState.fileName).path)
    }

    /// Writes the checkpoint of the current step, unless a parameter has become NaN or infinite:
    /// then it throws and the directory keeps the last good one.
    public func saveCheckpoint(to directory: URL) throws {
        guard world.isLeader else { return }
        if let broken = parameters.first(where: { !UnsafeBufferPointer(start: $0.tensor.pointer, count: $0.tensor.count).allSatisfy(\.isFinite) }) {
            throw TrainingError.nonFiniteParameter(step: step, name: broken.name)
        }
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw TrainingError.writeFailed(file: directory.path, reason: error.localizedDescription)
        }
        let weightsFile = Self.weightsFilePrefix + String(format: "%08d", step) + ".safetensors"
        var tensors = Dictionary(uniqueKeysWithValues: parameters.map { ($0.name, $0.tensor) })
        for (index, parameter) in optimizer.parameters.enumerated() {
            tensors[Self.firstMomentPrefix + parameter.name] = optimizer.firstMoments[index]
            tensors[Self.secondMomentPrefix + parameter.name] = optimizer.secondMoments[index]
        }
        try writeSafeTensors(tensors, metadata: ["format": TrainerState.format, "step": String(step)],
                             to: directory.appendingPathComponent(weightsFile))

        let state = TrainerState(format: TrainerState.format, step: step, examplesPerEpoch: examplesPerEpoch,
                                 configuration: configuration, generator: generator,
                                 trainedParameters: optimizer.parameters.map(\.name), optimizerStepCounts: optimizer.stepCounts,
                                 history: history, weightsFile: weightsFile)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let stateURL = directory.appendingPathComponent(TrainerState.fileName)
        do {
            try encoder.encode(state).write(to: stateURL, options: .atomic)
        } catch {
            throw TrainingError.writeFailed(file: stateURL.path, reason: error.localizedDescription)
        }
        // Earlier weight files, and temporary ones a killed run left half-written.
        for stale in (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        where (stale.hasPrefix(Self.weightsFilePrefix) && stale.hasSuffix(".safetensors") && stale != weightsFile)
            || stale.hasPrefix("." + Self.weightsFilePrefix) {
            try? FileManager.default.removeItem(at: directory.appendingPathComponent(stale))
        }
    }

    /// Loads the checkpoint in `directory` into this trainer's parameters (in place, so the
    /// model sees them), optimiser, generator, step and history. The checkpoint must come from
    /// a run with the same configuration, examples and trained parameters.
    public func restore(from directory: URL) throws {
        let stateURL = directory.appendingPathComponent(TrainerState.fileName)
        guard Self.hasCheckpoint(in: directory) else { throw TrainingError.noCheckpoint(directory: directory.path) }
        let state: TrainerState
        do {
            state = try JSONDecoder().decode(TrainerState.self, from: Data(contentsOf: stateURL))
        } catch {
            throw TrainingError.badCheckpoint(file: stateURL.path, reason: "\(error)")
        }
        func incompatible(_ reason: String) -> TrainingError { .incompatibleCheckpoint(file: stateURL.path, reason: reason) }
        guard state.format == TrainerState.format else { throw incompatible("format '\(state.format)', expected '\(TrainerState.format)'") }
        guard state.configuration == configuration else {
            throw incompatible("it was written with a different training configuration (\(state.configuration)), this run has \(configuration)")
        }
        guard state.examplesPerEpoch == examplesPerEpoch else {
            throw incompatible("it was written for \(state.examplesPerEpoch) examples per epoch, this run has \(examplesPerEpoch)")
        }
        guard state.trainedParameters == optimizer.parameters.map(\.name), state.optimizerStepCounts.count == optimizer.parameters.count else {
            throw incompatible("it trains other parameters than this run")
        }
        guard (0...totalSteps).contains(state.step) else { throw incompatible("its step \(state.step) is outside 0...\(totalSteps)") }

        // A file beside the state, as `saveCheckpoint` names it: never a path leading elsewhere.
        guard state.weightsFile.hasPrefix(Self.weightsFilePrefix), !state.weightsFile.contains("/") else {
            throw incompatible("weightsFile '\(state.weightsFile)' is not a \(Self.weightsFilePrefix)*.safetensors file in \(directory.path)")
        }
        let weights = try SafeTensorsFile(contentsOf: directory.appendingPathComponent(state.weightsFile))
        func load(_ name: String, into tensor: Tensor) throws {
            let stored = try weights.tensor(name, shape: tensor.shape)
            tensor.pointer.update(from: stored.pointer, count: tensor.count)
        }
        for (name, tensor) in parameters { try load(name, into: tensor) }
        for (index, parameter) in optimizer.parameters.enumerated() {
            try load(Self.firstMomentPrefix + parameter.name, into: optimizer.firstMoments[index])
            try load(Self.secondMomentPrefix + parameter.name, into: optimizer.secondMoments[index])
        }
        optimizer.stepCounts = state.optimizerStepCounts
        optimizer.zeroGrad()
        step = state.step
        generator = state.generator
        history = state.history
    }
}
