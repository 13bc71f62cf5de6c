// One process at a time in a run directory (a trainer's checkpoints, a fine-tuned model's
// cache): an flock(2) on `.lock` inside it, which the kernel releases when the process ends,
// however it ends. A second run waits for the first, saying which process it waits for, and
// then clears what killed runs left behind.
import Foundation

public final class RunDirectoryLock {
    public static let fileName = ".lock"
    private let descriptor: Int32

    /// Locks `directory` (created when absent), waiting for the process that holds it; `say`
    /// hears once who that is. Then removes the leftovers of killed runs from it.
    public init(_ directory: URL, say: (String) -> Void) throws {
        try createWritableDirectory(directory)
        let file = directory.appendingPathComponent(Self.fileName)
        descriptor = open(file.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw ChapterError("\(file.path): cannot be opened (\(String(cString: strerror(errno))))") }
        if flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            let holder = (try? String(contentsOf: file, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "?"
            say("waiting for process \(holder), which is running in \(directory.path)")
            while flock(descriptor, LOCK_EX) != 0 {
                guard errno == EINTR else {
                    close(descriptor)
                    throw ChapterError("\(file.path): cannot be locked (\(String(cString: strerror(errno))))")
                }
            }
        }
        let pid = Data("\(getpid())\n".utf8)
        _ = ftruncate(descriptor, 0)
        _ = pid.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, pid.count, 0) }
        removeLeftovers(in: directory, ownedByThisRun: true)
    }

    deinit { close(descriptor) }
}

/// Removes what killed processes left in `directory`: temporary files `.NAME.PID.tmp`
/// (`writeAtomically`) and staging directories `.NAME.PID.partial` of processes that no longer
/// run, a replacement's old directory (`recoverReplacedDirectories`), and, when this run owns the
/// directory (it holds its `RunDirectoryLock`), Foundation's atomic-write temporaries `.dat.nosync*`.
public func removeLeftovers(in directory: URL, ownedByThisRun: Bool) {
    let manager = FileManager.default
    recoverReplacedDirectories(in: directory)
    for name in (try? manager.contentsOfDirectory(atPath: directory.path)) ?? [] where name.hasPrefix(".") {
        let parts = name.split(separator: ".")
        let leftover: Bool
        if name.hasSuffix(".tmp") || name.hasSuffix(".partial"), parts.count >= 3, let pid = Int32(parts[parts.count - 2]) {
            leftover = !isRunning(pid)
        } else {
            leftover = ownedByThisRun && name.hasPrefix(".dat.nosync")
        }
        if leftover { try? manager.removeItem(at: directory.appendingPathComponent(name)) }
    }
}

/// Whether a process `pid` exists (kill(pid, 0) fails with ESRCH when it does not).
private func isRunning(_ pid: Int32) -> Bool {
    pid == getpid() || kill(pid, 0) == 0 || errno != ESRCH
}

/// A staging directory for `target` beside it, named for this process: `.NAME.PID.partial`.
public func stagingURL(for target: URL) -> URL {
    target.deletingLastPathComponent().appendingPathComponent(".\(target.lastPathComponent).\(getpid()).partial")
}
