import Foundation

// Everything the report writes goes through a temporary file beside its target and a
// rename(2) over it: a reader sees the old file or the new one, never half of one.

/// Runs `write` on a temporary path beside `file`, then renames it over `file`.
public func writeAtomically(_ file: URL, _ write: (String) throws -> Void) throws {
    let temporary = file.deletingLastPathComponent()
        .appendingPathComponent(".\(file.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp")
    do {
        try write(temporary.path)
        guard rename(temporary.path, file.path) == 0 else {
            throw ChapterError("\(file.path): cannot be replaced (\(String(cString: strerror(errno))))")
        }
    } catch {
        try? FileManager.default.removeItem(at: temporary)
        throw error
    }
}

/// Writes `data` to `file` atomically, creating its directory.
public func writeAtomically(_ data: Data, to file: URL) throws {
    try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
    try writeAtomically(file) { path in
        guard FileManager.default.createFile(atPath: path, contents: data) else {
            throw ChapterError("\(file.path): cannot be written")
        }
    }
}
