// The envelope's record of this process's MPI job.
import Cluster
import Results

extension ClusterRecord {
    /// This job's launcher, world size and training throughput; nil for a plain process.
    static var current: ClusterRecord? {
        let world = MPIWorld.current
        return world.launcher.map { ClusterRecord(launcher: $0, worldSize: world.size, trainingExamplesPerSecond: world.trainingThroughput) }
    }
}
