// How reproduce runs the chapters on a cluster. A chapter is a child process of reproduce, and
// an MPI world cannot be handed to a child: so reproduce itself stays one process and starts
// each data-parallel chapter under the launcher it is given (`--mpirun "mpirun -np 8 --hostfile
// hosts"`, or `srun` inside a Slurm allocation). Launched under mpirun itself, reproduce says
// so, rank 0 alone runs the chapters (with the --mpirun prefix when given) and the other ranks
// end at once; the chapters it starts never inherit the launcher's environment.
import Cluster
import Foundation

public struct ChapterLauncher: Sendable, Equatable {
    /// The chapters that train or score across ranks; the others run as one process.
    public static let dataParallelChapters: Set<String> = ["clip", "vit", "clip-finetune", "lit", "cifar", "scaling"]

    /// The launcher's command words, e.g. ["mpirun", "-np", "4"].
    public let command: [String]

    public init?(_ commandLine: String?) {
        guard let words = commandLine?.split(whereSeparator: \.isWhitespace).map(String.init), !words.isEmpty else { return nil }
        command = words
    }

    /// `step` started through the launcher when it is a data-parallel chapter.
    public func wrapping(_ step: ReproductionStep, executables: URL) -> ReproductionStep {
        guard Self.dataParallelChapters.contains(step.executable) else { return step }
        return ReproductionStep(executable: command[0],
                                arguments: command.dropFirst() + [executables.appendingPathComponent(step.executable).path] + step.arguments)
    }
}

extension Reproduction {
    /// This process's environment without the launcher's rank variables (`MPIWorld.outsideAnyJob`).
    static var chapterEnvironment: [String: String] { MPIWorld.outsideAnyJob(ProcessInfo.processInfo.environment) }
}
