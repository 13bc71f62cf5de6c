import Foundation

/// Where a result was made: timings in a results file mean little without it.
public struct Machine: Codable, Sendable {
    public let cores: Int
    public let memoryBytes: UInt64
    public let os: String

    public static var current: Machine {
        let info = ProcessInfo.processInfo
        return Machine(cores: info.activeProcessorCount, memoryBytes: info.physicalMemory, os: operatingSystemName())
    }

    /// The distribution's name when /etc/os-release has one, else the kernel's version string.
    private static func operatingSystemName() -> String {
        if let release = try? String(contentsOfFile: "/etc/os-release", encoding: .utf8),
           let line = release.split(separator: "\n").first(where: { $0.hasPrefix("PRETTY_NAME=") }) {
            return line.dropFirst("PRETTY_NAME=".count).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }
        return ProcessInfo.processInfo.operatingSystemVersionString
    }
}

/// The commit the results were made from, or "unknown" outside a git checkout.
public func currentGitCommit() -> String {
    let git = Process()
    git.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    git.arguments = ["git", "rev-parse", "HEAD"]
    let output = Pipe()
    git.standardOutput = output
    git.standardError = FileHandle.nullDevice
    do {
        try git.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        git.waitUntilExit()
        guard git.terminationStatus == 0 else { return "unknown" }
        let commit = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return commit.isEmpty ? "unknown" : commit
    } catch {
        return "unknown"
    }
}
