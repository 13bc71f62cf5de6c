// Running a built product while measuring its peak resident memory: the kernel reports it in the
// rusage that wait4 returns for that one child (RUSAGE_CHILDREN would mix in other tests' children).
import Foundation
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

struct SpawnFailure: Error, CustomStringConvertible {
    let description: String
}

struct MeasuredRun {
    let status: Int32
    let stderr: String
    let peakResidentBytes: Int
}

func runMeasuringPeakMemory(_ product: String, _ arguments: [String]) throws -> MeasuredRun {
    let binary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        .deletingLastPathComponent().appendingPathComponent(product).path
    guard FileManager.default.isExecutableFile(atPath: binary) else {
        throw SpawnFailure(description: "\(product) is not built beside the tests (swift build --product \(product))")
    }
    let scratch = try ScratchDirectory()
    let errorFile = scratch.url.appendingPathComponent("stderr").path

    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 2, errorFile, O_WRONLY | O_CREAT | O_TRUNC, 0o600)

    let argv = ([binary] + arguments).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var pid = pid_t()
    let spawned = posix_spawn(&pid, binary, &actions, nil, argv, environ)
    guard spawned == 0 else { throw SpawnFailure(description: "cannot start \(binary): \(String(cString: strerror(spawned)))") }

    var status: Int32 = 0
    var usage = rusage()
    while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
    let exitStatus = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
    return MeasuredRun(status: exitStatus, stderr: try String(contentsOfFile: errorFile, encoding: .utf8),
                       peakResidentBytes: usage.ru_maxrss * 1024)  // Linux reports kilobytes
}
