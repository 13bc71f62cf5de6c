// A real SIGKILL of a child process at a moment its own output chooses: the way a user's run
// dies to the OOM killer or a pulled plug, for the tests that check nothing is lost.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// How a product run that a test may have killed ended.
public struct KillableRun: Sendable {
    /// True when the test sent SIGKILL (the child may have exited on its own otherwise).
    public let killed: Bool
    /// The line that triggered the kill.
    public let killedAfter: String?
    /// stdout and stderr, merged, as far as the child got.
    public let output: String
    /// The exit status, or the signal number when a signal ended it.
    public let status: Int32
    public let endedBySignal: Bool
}

/// Runs the product `name`, reading its stdout and stderr (merged) line by line as they come,
/// and sends it SIGKILL right after the first line for which `killWhen` is true.
public func runProduct(_ name: String, _ arguments: [String], in directory: URL? = nil,
                       killWhen: (String) -> Bool) throws -> KillableRun {
    let process = try productProcess(name, arguments, in: directory)
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let reader = pipe.fileHandleForReading
    var output = Data(), pending = Data(), trigger: String?
    while true {
        let chunk = reader.availableData
        if chunk.isEmpty { break }  // end of file: the child and its pipe are gone
        output += chunk
        guard trigger == nil else { continue }
        pending += chunk
        while let newline = pending.firstIndex(of: 0x0A) {
            let line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
            pending = Data(pending[pending.index(after: newline)...])
            if killWhen(line) {
                kill(process.processIdentifier, SIGKILL)
                trigger = line
                break
            }
        }
    }
    process.waitUntilExit()
    return KillableRun(killed: trigger != nil, killedAfter: trigger, output: String(decoding: output, as: UTF8.self),
                       status: process.terminationStatus, endedBySignal: process.terminationReason == .uncaughtSignal)
}
