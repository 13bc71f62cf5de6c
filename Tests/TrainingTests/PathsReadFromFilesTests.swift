// Issue #28's row "a shard index naming ../../etc/passwd; a trainer state naming a weights file
// elsewhere": every path read from a file stays inside its directory, refused in one line naming
// the file and the path.
import Checkpoints
import Foundation
import TensorCore
import Testing
import TestSupport
@testable import Training

@Suite struct PathsReadFromFilesTests {
    @Test(arguments: ["../../etc/passwd", "/etc/passwd", "..", "sub/shard.safetensors", ""])
    func aShardIndexNamingAFileOutsideItsDirectoryIsRefused(_ shard: String) throws {
        let scratch = try ScratchDirectory()
        try Data(#"{"model_type": "vit"}"#.utf8).write(to: scratch.url.appendingPathComponent("config.json"))
        let index = scratch.url.appendingPathComponent(Checkpoint.shardIndexFileName)
        try JSONSerialization.data(withJSONObject: ["weight_map": ["a": shard]]).write(to: index)
        #expect(throws: CheckpointError.badConfig(file: index.path, reason: "'weight_map' names shard '\(shard)', which is not a file name in \(scratch.url.path)")) {
            try Checkpoint(directory: scratch.url)
        }
    }

    @Test(arguments: ["../elsewhere/trainer-step-00000003.safetensors", "/etc/passwd", "model.safetensors"])
    func aTrainerStateNamingAWeightsFileElsewhereIsRefused(_ weightsFile: String) throws {
        let scratch = try ScratchDirectory()
        let model = ToyEncoder(width: 6, classes: 3, seed: 5)
        let trainer = Trainer(parameters: model.parameters, configuration: ToyRun.configuration(), examplesPerEpoch: 40,
                              checkpoints: CheckpointPolicy(directory: scratch.url, everySteps: 3), progress: .none)
        try ToyRun.fit(trainer, model, stoppingAfter: 3)
        let stateFile = scratch.url.appendingPathComponent("trainer-state.json")
        var state = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: stateFile)) as? [String: Any])
        #expect(state["weightsFile"] as? String == "trainer-step-00000003.safetensors")
        state["weightsFile"] = weightsFile
        try JSONSerialization.data(withJSONObject: state).write(to: stateFile)

        let resumed = Trainer(parameters: model.parameters, configuration: ToyRun.configuration(), examplesPerEpoch: 40, progress: .none)
        let reason = "weightsFile '\(weightsFile)' is not a trainer-step-*.safetensors file in \(scratch.url.path)"
        #expect(throws: TrainingError.incompatibleCheckpoint(file: stateFile.path, reason: reason)) { try resumed.restore(from: scratch.url) }
    }
}
