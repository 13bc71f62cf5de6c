// The all-reduce measured on this machine: two ranks started by Open MPI's mpirun sum the
// gradient of the paper's ViT-B/16 with the trainer's own bucketed call
// (`GradientAllreduce.sum`), once untimed, then several times under the clock. Two ranks on one
// machine talk through shared memory, so the figure bounds from above what a network gives; it
// is printed beside the network the projection assumes, not put in its place.
import Checkpoints
import Cluster
import Common
import Foundation
import Models
import Results
import TensorCore
import Training

/// Why the local all-reduce has no figure: mpirun missing, or how it failed.
public struct AllreduceNotMeasured: Error, Sendable, Equatable {
    public let reason: String

    public init(_ reason: String) { self.reason = reason }
}

public enum AllreduceMeasurement {
    /// How rank 0 hands its figure to the process that started mpirun: one line of its output.
    static let marker = "allreduce-measurement: "
    static let ranks = 2

    /// The gradient timed: ViT-B/16's with a 91-way head; at --quick, that of one of its 12
    /// encoder layers (with its embeddings and head), a few seconds' worth.
    static func gradientModel(quick: Bool) -> ViTConfig {
        var config = CostStudy.paperConfigurations(classes: 91).vit
        if quick { config.numHiddenLayers = 1 }
        return config
    }

    // MARK: The process that launches the ranks

    /// Runs this executable with `rankArguments` (which must bring it to `serveAsRank`) as two
    /// local ranks under `mpirun` and returns rank 0's figure.
    public static func launch(rankArguments: [String], mpirun: URL? = MPIWorld.mpirunOnPath) -> Result<AllreduceBandwidth, AllreduceNotMeasured> {
        guard let mpirun else {
            return .failure(AllreduceNotMeasured("mpirun is not on the PATH (Debian: apt-get install openmpi-bin)"))
        }
        guard let executable = Bundle.main.executableURL else { return .failure(AllreduceNotMeasured("this executable's path is unknown")) }
        let process = Process()
        process.executableURL = mpirun
        // A rank that hangs ends the job after 10 minutes.
        process.arguments = MPIWorld.localRankOptions + ["--timeout", "600", "-np", String(ranks), executable.path] + rankArguments
        process.environment = MPIWorld.outsideAnyJob(ProcessInfo.processInfo.environment)
        let output = Pipe()
        (process.standardOutput, process.standardError) = (output, output)
        do {
            try process.run()
        } catch {
            return .failure(AllreduceNotMeasured("mpirun could not be started: \(error.localizedDescription)"))
        }
        let lines = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(separator: "\n")
        process.waitUntilExit()
        let figure = lines.last { $0.hasPrefix(marker) }.flatMap { try? JSONDecoder().decode(AllreduceBandwidth.self, from: Data($0.dropFirst(marker.count).utf8)) }
        guard process.terminationStatus == 0, let figure else {
            let last = lines.last { !$0.trimmingCharacters(in: .whitespaces).isEmpty }.map { ": " + $0.prefix(300) } ?? ""
            let outcome = process.terminationStatus == 0 ? "gave no figure" : "exited with status \(process.terminationStatus)"
            return .failure(AllreduceNotMeasured("mpirun -np \(ranks) \(outcome)\(last)"))
        }
        return .success(figure)
    }

    // MARK: Each rank

    /// Times the all-reduce as one rank of the job mpirun started, prints rank 0's figure, and
    /// ends the process; any failure ends every rank with one line.
    public static func serveAsRank(quick: Bool) -> Never {
        let world = MPIWorld.current
        guard world.size >= 2 else { world.abort("the all-reduce is timed between ranks: this process was not started by mpirun -np \(ranks)") }
        do {
            let figure = try measure(in: world, config: gradientModel(quick: quick), repetitions: quick ? 3 : 10)
            if world.isLeader {
                print(marker + String(decoding: try JSONEncoder().encode(figure), as: UTF8.self))
                fflush(stdout)
            }
        } catch {
            world.abort("timing the all-reduce: \(error)")
        }
        exit(0)
    }

    /// One untimed all-reduce of the gradient, checked (each rank contributes rank + 1 to every
    /// element, so every element must come back as 1 + 2 + ... + size), then `repetitions` timed
    /// between two barriers.
    static func measure(in world: MPIWorld, config: ViTConfig, repetitions: Int) throws -> AllreduceBandwidth {
        let parameters = try ViTForImageClassification(config).parameters
        for tensor in parameters { tensor.grad = Tensor(repeating: Float(world.rank + 1), shape: tensor.shape) }
        try GradientAllreduce.sum(gradientsOf: parameters, over: world)
        let expected = Float(world.size * (world.size + 1) / 2)
        for tensor in parameters where !UnsafeBufferPointer(start: tensor.grad!.pointer, count: tensor.count).allSatisfy({ $0 == expected }) {
            throw ChapterError("the all-reduce did not sum the ranks' gradients (expected \(expected) everywhere)")
        }
        try world.barrier()
        let clock = ContinuousClock()
        let elapsed = try clock.measure {
            for _ in 0..<repetitions { try GradientAllreduce.sum(gradientsOf: parameters, over: world) }
            try world.barrier()
        }
        let count = parameters.reduce(0) { $0 + $1.count }
        let layers = config.numHiddenLayers == 12 ? "" : " with \(config.numHiddenLayers) of its 12 encoder layers"
        return AllreduceBandwidth(gradient: "ViT-B/16\(layers) (\(count.formatted()) parameters)", ranks: world.size,
                                  bytes: count * MemoryLayout<Float>.size, buckets: GradientAllreduce.buckets(parameters.map(\.count)).count,
                                  repetitions: repetitions, secondsPerAllreduce: elapsed.inSeconds / Double(repetitions))
    }
}
