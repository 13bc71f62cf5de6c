// How a chapter ran across the ranks of an MPI job (the envelope's `cluster`).
public struct ClusterRecord: Codable, Sendable, Equatable {
    /// What started the ranks: "mpirun" or "srun".
    public var launcher: String
    public var worldSize: Int
    /// Each rank's training examples per second (rank order), when the chapter trained.
    public var trainingExamplesPerSecond: [Double]?

    public init(launcher: String, worldSize: Int, trainingExamplesPerSecond: [Double]?) {
        (self.launcher, self.worldSize, self.trainingExamplesPerSecond) = (launcher, worldSize, trainingExamplesPerSecond)
    }
}
