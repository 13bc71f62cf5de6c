// Every file the project writes (results, figures, checkpoints, configs) goes through a
// temporary file beside its target and a rename(2) over it: a reader, or a run killed mid-write,
// sees the old file or the new one, never half of one.
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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

/// Where bytes go while `writeAtomically(to:)` writes a file: its temporary, flushed to disk
/// before the rename.
public struct FileSink {
    fileprivate let descriptor: Int32
    /// The file being written (its final name, for messages).
    public let path: String

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let written = systemWrite(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw cannotWrite(path)
            }
            offset += written
        }
    }

    public func write(_ data: Data) throws {
        try data.withUnsafeBytes { try write($0) }
    }
}

/// Calls `fill` with a sink on a temporary file beside `url`, syncs it to disk, then renames it to `url`.
public func writeAtomically(to url: URL, _ fill: (FileSink) throws -> Void) throws {
    try writeAtomically(url) { temporary in
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw cannotWrite(url.path) }
        defer { close(descriptor) }
        try fill(FileSink(descriptor: descriptor, path: url.path))
        guard fsync(descriptor) == 0 else { throw cannotWrite(url.path) }
    }
}

/// `write(2)`, named apart from `FileSink.write`.
private func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.write(descriptor, buffer, count)
    #else
    return Darwin.write(descriptor, buffer, count)
    #endif
}

/// Writes `data` to `file` atomically, creating its directory.
public func writeAtomically(_ data: Data, to file: URL) throws {
    try createWritableDirectory(file.deletingLastPathComponent())
    try writeAtomically(to: file) { try $0.write(data) }
}

/// The error of a failed write to `path`, with the system's reason ("No space left on device").
private func cannotWrite(_ path: String) -> ChapterError {
    ChapterError("\(path): cannot be written (\(String(cString: strerror(errno))))")
}

/// Creates `directory` (and its parents) when absent, after `checkWritableDirectory`.
public func createWritableDirectory(_ directory: URL) throws {
    try checkWritableDirectory(directory)
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
}

/// Checks, without creating anything, that `directory` exists and can be written to, or can be
/// created: its nearest existing ancestor is a writable directory. Otherwise one error naming it.
public func checkWritableDirectory(_ directory: URL) throws {
    var existing = directory.standardizedFileURL
    while !FileManager.default.fileExists(atPath: existing.path), existing.path != "/" {
        existing = existing.deletingLastPathComponent()
    }
    var isDirectory: ObjCBool = false
    _ = FileManager.default.fileExists(atPath: existing.path, isDirectory: &isDirectory)
    guard isDirectory.boolValue else {
        throw ChapterError("\(directory.path): cannot be created (\(existing.path) is not a directory)")
    }
    guard FileManager.default.isWritableFile(atPath: existing.path) else {
        throw ChapterError("\(directory.path): cannot be written to (\(existing.path) is not writable)")
    }
}

/// Throws a plain message unless the file system that holds (or will hold) `directory` has
/// about `bytes` free: checked before hours of training rather than at the first checkpoint.
public func requireFreeSpace(in directory: URL, for purpose: String, bytes: Int) throws {
    var existing = directory.standardizedFileURL
    while !FileManager.default.fileExists(atPath: existing.path), existing.path != "/" {
        existing = existing.deletingLastPathComponent()
    }
    guard let free = (try? FileManager.default.attributesOfFileSystem(forPath: existing.path))?[.systemFreeSize] as? NSNumber else { return }
    guard free.int64Value >= Int64(bytes) else {
        // GB for a run's checkpoints; MB when the amounts are smaller than a tenth of that.
        let gigabytes = Double(max(Int64(bytes), free.int64Value)) >= 1e8
        let amount = { (count: Int64) in String(format: gigabytes ? "%.1f GB" : "%.1f MB", Double(count) / (gigabytes ? 1e9 : 1e6)) }
        throw ChapterError("\(directory.path): \(purpose) need about \(amount(Int64(bytes))), but only \(amount(free.int64Value)) is free there")
    }
}
