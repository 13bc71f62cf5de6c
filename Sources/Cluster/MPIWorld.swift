// The ranks of a data-parallel job, through Open MPI. A process started by a launcher (`mpirun`,
// `srun`) joins the job's world; a plain process is a world of one and never calls MPI_Init, so
// the chapters need no `mpirun` to run alone.
//
// Every MPI call returns its code (the world's error handler is MPI_ERRORS_RETURN) and a failed
// call throws `ClusterError`; a rank that fails calls `abort`, which takes the whole job down
// with one message instead of leaving the other ranks waiting in a collective.
import CMPI
import Foundation

public struct ClusterError: Error, CustomStringConvertible, Sendable {
    public let description: String
}

public final class MPIWorld: @unchecked Sendable {
    /// This process's world: joined on first use when a launcher started the process.
    public static let current = MPIWorld()

    public let rank: Int
    public let size: Int
    /// What started the ranks ("mpirun", "srun"), nil for a plain process.
    public let launcher: String?
    /// Examples per second of each rank's last training run (set by the trainer, rank order).
    public var trainingThroughput: [Double]?

    public var isDistributed: Bool { launcher != nil }
    /// Rank 0, the one that writes checkpoints, logs and results.
    public var isLeader: Bool { rank == 0 }

    private init() {
        guard let launcher = Self.launcher(ProcessInfo.processInfo.environment) else {
            (rank, size, self.launcher) = (0, 1, nil)
            return
        }
        self.launcher = launcher
        guard MPI_Init(nil, nil) == cmpi_success() else {
            FileHandle.standardError.write(Data("error: MPI_Init failed under \(launcher)\n".utf8))
            exit(1)
        }
        atexit { _ = MPI_Finalize() }
        var rank: Int32 = 0, size: Int32 = 0
        let checked = MPI_Comm_set_errhandler(cmpi_comm_world(), cmpi_errors_return()) == cmpi_success()
            && MPI_Comm_rank(cmpi_comm_world(), &rank) == cmpi_success()
            && MPI_Comm_size(cmpi_comm_world(), &size) == cmpi_success()
        (self.rank, self.size) = (Int(rank), Int(size))
        if !checked { abort("could not set up the MPI world") }
    }

    /// The launcher named by the environment: Open MPI's mpirun sets OMPI_COMM_WORLD_SIZE, PMI
    /// and PMIx launchers (srun among them) PMI_SIZE or PMIX_RANK, and a Slurm job step
    /// SLURM_STEP_NUM_TASKS.
    static func launcher(_ environment: [String: String]) -> String? {
        if environment["OMPI_COMM_WORLD_SIZE"] != nil { return "mpirun" }
        if environment["SLURM_STEP_NUM_TASKS"] != nil { return "srun" }
        if environment["PMI_SIZE"] != nil || environment["PMIX_RANK"] != nil { return "mpirun" }
        return nil
    }

    /// Open MPI's launcher on the PATH, or nil.
    public static var mpirunOnPath: URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { URL(fileURLWithPath: String($0)).appendingPathComponent("mpirun") }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    /// `mpirun`'s options for ranks on this machine alone: allowed to run as root when this process
    /// is root (Open MPI refuses it otherwise), allowed to outnumber the cores, and not pinned to one
    /// core each, so that every rank runs the thread count a single process would.
    public static var localRankOptions: [String] {
        (geteuid() == 0 ? ["--allow-run-as-root"] : []) + ["--oversubscribe", "--bind-to", "none"]
    }

    /// `environment` without the variables by which a launcher tells a process it is a rank: a
    /// process started from a rank (a chapter, or an `mpirun` of its own) must not believe it
    /// belongs to this job.
    public static func outsideAnyJob(_ environment: [String: String]) -> [String: String] {
        environment.filter { name, _ in !["OMPI_", "PMIX_", "PMI_", "SLURM_STEP_", "SLURM_PROCID"].contains { name.hasPrefix($0) } }
    }

    /// Prints `message` (with this rank) on stderr and ends every rank of the job with status 1;
    /// a plain process just exits.
    public func abort(_ message: String) -> Never {
        let prefix = isDistributed ? "rank \(rank) of \(size): " : ""
        FileHandle.standardError.write(Data("\(prefix)\(message)\n".utf8))
        if isDistributed { _ = MPI_Abort(cmpi_comm_world(), 1) }
        exit(1)
    }

    // MARK: Collectives (no-ops in a world of one)

    /// Sums `buffer` over the ranks, in place; every rank gets the same sum.
    public func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) throws {
        guard size > 1, let base = buffer.baseAddress else { return }
        for (start, count) in Self.chunks(buffer.count) {
            try check(MPI_Allreduce(cmpi_in_place(), base + start, count, cmpi_float(), cmpi_sum(), cmpi_comm_world()), "MPI_Allreduce")
        }
    }

    public func allreduceSum(_ values: [Double]) throws -> [Double] {
        guard size > 1 else { return values }
        var sums = values
        try sums.withUnsafeMutableBufferPointer { buffer in
            try check(MPI_Allreduce(cmpi_in_place(), buffer.baseAddress, Int32(buffer.count), cmpi_double(), cmpi_sum(), cmpi_comm_world()),
                      "MPI_Allreduce")
        }
        return sums
    }

    /// The mean of `buffer` over the ranks, in place.
    public func allreduceAverage(_ buffer: UnsafeMutableBufferPointer<Float>) throws {
        guard size > 1 else { return }
        try allreduceSum(buffer)
        let scale = 1 / Float(size)
        for i in buffer.indices { buffer[i] *= scale }
    }

    /// Copies rank `root`'s bytes into every rank's `buffer`.
    public func broadcast(_ buffer: UnsafeMutableRawBufferPointer, from root: Int = 0) throws {
        guard size > 1, let base = buffer.baseAddress else { return }
        for (start, count) in Self.chunks(buffer.count) {
            try check(MPI_Bcast(base + start, count, cmpi_byte(), Int32(root), cmpi_comm_world()), "MPI_Bcast")
        }
    }

    /// Rank `root`'s `value` on every rank (sent as JSON).
    public func broadcast<Value: Codable>(_ value: Value, from root: Int = 0) throws -> Value {
        guard size > 1 else { return value }
        var bytes = rank == root ? [UInt8](try JSONEncoder().encode(value)) : []
        var count = [Double(bytes.count)]
        try count.withUnsafeMutableBytes { try broadcast($0, from: root) }
        if rank != root { bytes = [UInt8](repeating: 0, count: Int(count[0])) }
        try bytes.withUnsafeMutableBytes { try broadcast($0, from: root) }
        return try JSONDecoder().decode(Value.self, from: Data(bytes))
    }

    public func barrier() throws {
        guard size > 1 else { return }
        try check(MPI_Barrier(cmpi_comm_world()), "MPI_Barrier")
    }

    /// Every rank's `values`, concatenated in rank order, on every rank.
    public func allgather(_ values: [Float]) throws -> [Float] {
        guard size > 1 else { return values }
        let counts = try allgatherCounts(values.count)
        let offsets = counts.indices.map { counts[..<$0].reduce(0, +) }
        var gathered = [Float](repeating: 0, count: Int(counts.reduce(0, +)))
        try values.withUnsafeBufferPointer { sent in
            try gathered.withUnsafeMutableBufferPointer { received in
                try check(MPI_Allgatherv(sent.baseAddress, Int32(sent.count), cmpi_float(), received.baseAddress, counts, offsets,
                                         cmpi_float(), cmpi_comm_world()), "MPI_Allgatherv")
            }
        }
        return gathered
    }

    /// Every rank's `values`, concatenated in rank order, on rank `root`; the other ranks get none.
    public func gather(_ values: [Float], to root: Int = 0) throws -> [Float] {
        guard size > 1 else { return values }
        let counts = try allgatherCounts(values.count)
        let offsets = counts.indices.map { counts[..<$0].reduce(0, +) }
        var gathered = [Float](repeating: 0, count: rank == root ? Int(counts.reduce(0, +)) : 0)
        try values.withUnsafeBufferPointer { sent in
            try gathered.withUnsafeMutableBufferPointer { received in
                try check(MPI_Gatherv(sent.baseAddress, Int32(sent.count), cmpi_float(), received.baseAddress, counts, offsets,
                                      cmpi_float(), Int32(root), cmpi_comm_world()), "MPI_Gatherv")
            }
        }
        return gathered
    }

    private func allgatherCounts(_ count: Int) throws -> [Int32] {
        var counts = [Int32](repeating: 0, count: size)
        var mine = Int32(count)
        try check(MPI_Allgather(&mine, 1, cmpi_int(), &counts, 1, cmpi_int(), cmpi_comm_world()), "MPI_Allgather")
        return counts
    }

    /// The share of `count` items that rank `rank` takes: a contiguous slice, the first
    /// `count % size` ranks one item more.
    public func share(of count: Int) -> Range<Int> {
        Self.share(of: count, rank: rank, size: size)
    }

    /// Rank `rank`'s share of `count` items in a world of `size`.
    public static func share(of count: Int, rank: Int, size: Int) -> Range<Int> {
        let base = count / size, extra = count % size
        let start = rank * base + min(rank, extra)
        return start..<(start + base + (rank < extra ? 1 : 0))
    }

    /// The batches of `batchSize` over `examples` items that this rank computes (a contiguous
    /// block of a single process's batches, the same boundaries), as item ranges.
    public func shareOfBatches(examples: Int, batchSize: Int) -> [Range<Int>] {
        let starts = Array(stride(from: 0, to: examples, by: batchSize))
        return starts[share(of: starts.count)].map { $0..<min(examples, $0 + batchSize) }
    }

    private func check(_ code: Int32, _ call: String) throws {
        guard code != cmpi_success() else { return }
        var text = [CChar](repeating: 0, count: Int(cmpi_max_error_string()) + 1)
        var length: Int32 = 0
        _ = MPI_Error_string(code, &text, &length)
        throw ClusterError(description: "\(call) failed on rank \(rank) of \(size): \(String(cString: text))")
    }

    /// `count` split into pieces MPI's 32-bit counts can hold.
    private static func chunks(_ count: Int) -> [(start: Int, count: Int32)] {
        stride(from: 0, to: count, by: Int(Int32.max)).map { ($0, Int32(min(Int(Int32.max), count - $0))) }
    }
}
