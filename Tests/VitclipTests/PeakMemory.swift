// Running a built product inside an address-space limit (prlimit --as): an allocation past it fails,
// so a run that ends with its own message allocated no more. (The child's ru_maxrss cannot say
// this: Linux carries the forking test process's peak into it.)
import Foundation
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

struct SpawnFailure: Error, CustomStringConvertible {
    let description: String
}

struct LimitedRun {
    let status: Int32
    let stderr: String
}

func runWithinAddressSpace(bytes limit: Int, _ product: String, _ arguments: [String]) throws -> LimitedRun {
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

    let prlimit = "/usr/bin/prlimit"
    let argv = ([prlimit, "--as=\(limit)", "--", binary] + arguments).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var pid = pid_t()
    let spawned = posix_spawn(&pid, prlimit, &actions, nil, argv, environ)
    guard spawned == 0 else { throw SpawnFailure(description: "cannot start \(prlimit): \(String(cString: strerror(spawned)))") }

    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    let exitStatus = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
    return LimitedRun(status: exitStatus, stderr: try String(contentsOfFile: errorFile, encoding: .utf8))
}
