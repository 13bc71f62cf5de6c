// Files are written to a temporary sibling and renamed over the destination, so that a reader (or
// a run killed mid-write) never sees half a checkpoint.
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct FileSink {
    fileprivate let descriptor: Int32
    let path: String

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let written = systemWrite(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw CheckpointError.writeFailed(file: path, reason: String(cString: strerror(errno)))
            }
            offset += written
        }
    }

    func write(_ data: Data) throws {
        try data.withUnsafeBytes { try write($0) }
    }
}

/// Calls `fill` with a sink on a temporary file next to `url`, then renames it to `url`.
func writeAtomically(to url: URL, _ fill: (FileSink) throws -> Void) throws {
    let directory = url.deletingLastPathComponent().path
    let temporary = directory + "/." + url.lastPathComponent + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o644)
    guard descriptor >= 0 else { throw CheckpointError.writeFailed(file: url.path, reason: String(cString: strerror(errno))) }
    var isOpen = true
    do {
        try fill(FileSink(descriptor: descriptor, path: url.path))
        guard fsync(descriptor) == 0 else { throw CheckpointError.writeFailed(file: url.path, reason: String(cString: strerror(errno))) }
        close(descriptor)
        isOpen = false
        guard rename(temporary, url.path) == 0 else { throw CheckpointError.writeFailed(file: url.path, reason: String(cString: strerror(errno))) }
    } catch {
        if isOpen { close(descriptor) }
        unlink(temporary)
        throw error
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
