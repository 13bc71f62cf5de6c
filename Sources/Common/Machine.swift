import Foundation

/// Where a result was made: timings in a results file mean little without it.
public struct Machine: Codable, Sendable {
    public let cores: Int
    public let memoryBytes: UInt64
    public let os: String
    /// The processor's model name; absent from files written before it was recorded.
    public let processor: String?
    /// What else the machine was doing while a run was timed; absent from files written before
    /// it was recorded, and from a description taken outside a run.
    public let loadAverage: LoadAverage?

    /// The 1-minute load average when a run started and when it ended.
    public struct LoadAverage: Codable, Sendable, Equatable {
        public let atStart: Double
        public let atEnd: Double

        public init(atStart: Double, atEnd: Double) {
            (self.atStart, self.atEnd) = (atStart, atEnd)
        }
    }

    public init(cores: Int, memoryBytes: UInt64, os: String, processor: String? = nil, loadAverage: LoadAverage? = nil) {
        (self.cores, self.memoryBytes, self.os, self.processor, self.loadAverage) = (cores, memoryBytes, os, processor, loadAverage)
    }

    public static var current: Machine { current(loadAverageSince: nil) }

    /// This machine, with the load average from `atStart` (taken when a run started) to now.
    public static func current(loadAverageSince atStart: Double?) -> Machine {
        let info = ProcessInfo.processInfo
        var load: LoadAverage?
        if let atStart, let atEnd = oneMinuteLoadAverage() { load = LoadAverage(atStart: atStart, atEnd: atEnd) }
        return Machine(cores: info.activeProcessorCount, memoryBytes: info.physicalMemory, os: operatingSystemName(),
                       processor: processorName(), loadAverage: load)
    }

    /// The 1-minute load average now, or nil where the system does not say.
    public static func oneMinuteLoadAverage() -> Double? {
        var loads = [Double](repeating: 0, count: 3)
        return getloadavg(&loads, 3) > 0 ? loads[0] : nil
    }

    /// The first "model name" of /proc/cpuinfo, or nil.
    private static func processorName() -> String? {
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = info.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
              let colon = line.firstIndex(of: ":") else { return nil }
        return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
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
