// What every test target shares: where the fixtures and ../shared are, scratch directories, and
// the error measure the golden tests state their tolerances in.
import Foundation
import TensorCore

public enum Fixtures {
    /// The repository root, found from this source file so tests run from any directory.
    public static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Tests/Fixtures/<path>.
    public static func url(_ path: String) -> URL {
        repository.appendingPathComponent("Tests/Fixtures").appendingPathComponent(path)
    }

    /// ../shared/<path> beside the repository, or nil (with a notice) when it is absent: tests
    /// that need it skip then.
    public static func shared(_ path: String) -> URL? {
        let url = repository.deletingLastPathComponent().appendingPathComponent("shared").appendingPathComponent(path)
        guard FileManager.default.fileExists(atPath: url.path) else {
            print("notice: \(url.path) is absent; skipping the checks that need it")
            return nil
        }
        return url
    }
}

/// A fresh directory under the system's temporary directory, removed when released.
public final class ScratchDirectory {
    public let url: URL

    public init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("vitclip-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }
}

/// max |actual − expected| / max |expected|: the error relative to the reference tensor's scale.
/// Infinite when either side has a NaN or an infinity, so that such values can never pass.
public func relativeError(_ actual: [Float], _ expected: [Float]) -> Float {
    precondition(actual.count == expected.count, "comparing \(actual.count) values with \(expected.count)")
    guard (actual + expected).allSatisfy(\.isFinite) else { return .infinity }
    let scale = expected.reduce(Float(0)) { max($0, abs($1)) }
    let worst = zip(actual, expected).reduce(Float(0)) { max($0, abs($1.0 - $1.1)) }
    return worst / max(scale, .leastNormalMagnitude)
}

public func relativeError(_ actual: Tensor, _ expected: Tensor) -> Float {
    precondition(actual.shape == expected.shape, "comparing shape \(actual.shape) with \(expected.shape)")
    return relativeError(actual.scalars, expected.scalars)
}

/// What a finished process printed, and how it exited.
public struct ProcessOutcome: Sendable {
    public let status: Int32
    public let stdout: String
    public let stderr: String
}

public struct MissingProduct: Error, CustomStringConvertible {
    public let description: String
}

/// The executable `name` of this package: `swift test` builds every product beside the test
/// bundle. A product that is not there is an error, never a skip.
public func productURL(_ name: String) throws -> URL {
    let products = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    let candidates = [products.appendingPathComponent(name), Bundle.main.bundleURL.appendingPathComponent(name)]
    guard let binary = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
        throw MissingProduct(description: "\(name) is not built beside the tests (swift build --product \(name))")
    }
    return binary
}

/// Runs `name`, an executable of this package, as a user would. With `fileSizeLimit` (bytes,
/// a multiple of 1024) it runs under that RLIMIT_FSIZE with SIGXFSZ ignored, so that a write
/// past the limit fails with EFBIG, as on a full disk, instead of killing the process.
public func runProduct(_ name: String, _ arguments: [String], in directory: URL? = nil, fileSizeLimit: Int? = nil) throws -> ProcessOutcome {
    let process = try productProcess(name, arguments, in: directory, fileSizeLimit: fileSizeLimit)
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    // Read both pipes to the end before waiting, so a chatty child cannot block on a full pipe.
    let stdout = out.fileHandleForReading.readDataToEndOfFile(), stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return ProcessOutcome(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                          stderr: String(decoding: stderr, as: UTF8.self))
}

/// The product `name` with `arguments`, not yet started (wrapped in bash for a file size limit).
func productProcess(_ name: String, _ arguments: [String], in directory: URL?, fileSizeLimit: Int? = nil) throws -> Process {
    let binary = try productURL(name)
    let process = Process()
    if let fileSizeLimit {
        precondition(fileSizeLimit > 0 && fileSizeLimit % 1024 == 0, "runProduct: the file size limit is in whole KiB")
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", "trap '' XFSZ; ulimit -f \(fileSizeLimit / 1024) && exec \"$0\" \"$@\"", binary.path] + arguments
    } else {
        process.executableURL = binary
        process.arguments = arguments
    }
    if let directory { process.currentDirectoryURL = directory }
    return process
}
