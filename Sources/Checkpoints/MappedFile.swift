// A read-only memory map of a whole file: checkpoints run to hundreds of megabytes, and a tensor
// is copied straight out of the page cache into its Float32 storage without an intermediate Data.
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

final class MappedFile: @unchecked Sendable {
    let bytes: UnsafeRawPointer
    let size: Int

    init(path: String) throws {
        // Non-blocking, so that a FIFO does not hang the open; it is refused by fstat below.
        let descriptor = open(path, O_RDONLY | O_NONBLOCK)
        guard descriptor >= 0 else { throw CheckpointError.cannotOpen(file: path, reason: Self.lastError()) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw CheckpointError.cannotOpen(file: path, reason: Self.lastError()) }
        guard (status.st_mode & S_IFMT) == S_IFREG else { throw CheckpointError.cannotOpen(file: path, reason: "not a regular file") }
        size = Int(status.st_size)
        if size == 0 {
            // mmap refuses empty lengths; an empty file is reported as truncated by the reader.
            bytes = UnsafeRawPointer(bitPattern: 1)!
            return
        }
        let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0)
        guard let mapped, mapped != MAP_FAILED else { throw CheckpointError.cannotOpen(file: path, reason: Self.lastError()) }
        bytes = UnsafeRawPointer(mapped)
    }

    deinit {
        if size > 0 { munmap(UnsafeMutableRawPointer(mutating: bytes), size) }
    }

    /// Throws unless `path` is a regular file (or a link to one), before anything opens it: a
    /// FIFO or a device would block or stream forever.
    static func requireRegularFile(_ path: String) throws {
        var status = stat()
        guard stat(path, &status) == 0 else { throw CheckpointError.cannotOpen(file: path, reason: lastError()) }
        guard (status.st_mode & S_IFMT) == S_IFREG else { throw CheckpointError.cannotOpen(file: path, reason: "not a regular file") }
    }

    private static func lastError() -> String { String(cString: strerror(errno)) }
}
