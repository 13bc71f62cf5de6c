// Runs chapter executables as ranks of an Open MPI job.
import Cluster
import Foundation

/// `mpirun` on the PATH, or nil (the MPI tests then skip with a notice).
public var mpirunURL: URL? { MPIWorld.mpirunOnPath }

/// One `mpirun` job of the product `name`, one rank per argument list (Open MPI's
/// `-np 1 program args : -np 1 program args` form, so that ranks may be given different
/// arguments), with `MPIWorld.localRankOptions`: the ranks are not bound to cores, so each runs
/// as many threads as the single process it is compared with (on some processors, Zen's OpenBLAS
/// kernels, a product's last bits follow how its rows are split over the threads).
public func runUnderMPI(_ name: String, rankArguments: [[String]], in directory: URL? = nil) throws -> ProcessOutcome {
    guard let mpirun = mpirunURL else { throw MissingProduct(description: "mpirun is not installed") }
    let binary = try productURL(name).path
    let ranks = rankArguments.map { ["-np", "1", binary] + $0 }.joined(separator: [":"])
    let process = Process()
    process.executableURL = mpirun
    process.arguments = MPIWorld.localRankOptions + ranks
    if let directory { process.currentDirectoryURL = directory }
    let out = Pipe(), err = Pipe()
    (process.standardOutput, process.standardError) = (out, err)
    try process.run()
    let stdout = out.fileHandleForReading.readDataToEndOfFile(), stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return ProcessOutcome(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                          stderr: String(decoding: stderr, as: UTF8.self))
}
