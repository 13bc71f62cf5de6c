// A path as the bytes the file system stores. Linux file names are bytes, not text: a name that
// is not UTF-8 (an old Latin-1 camera folder) decodes to a String with U+FFFD in it, and a URL or
// String made from that names a file that does not exist. A RawPath keeps the bytes, so such a
// file opens as it is; its description shows the invalid bytes as U+FFFD, for messages.
import Foundation

public struct RawPath: Hashable, Sendable, CustomStringConvertible {
    /// The path's bytes, without a terminating NUL.
    public let bytes: [UInt8]

    public init(bytes: [UInt8]) { self.bytes = bytes }

    /// The path a URL names (as `url.path` spells it).
    public init(_ url: URL) { bytes = Array(url.path.utf8) }

    /// The path, for messages: bytes that are not UTF-8 shown as U+FFFD.
    public var description: String { String(decoding: bytes, as: UTF8.self) }

    /// `self` followed by `/` and `component`'s bytes.
    public func appending(_ component: [UInt8]) -> RawPath {
        RawPath(bytes: bytes.last == UInt8(ascii: "/") ? bytes + component : bytes + [UInt8(ascii: "/")] + component)
    }

    /// Calls `body` with the path as a NUL-terminated C string.
    public func withCString<Result>(_ body: (UnsafePointer<CChar>) throws -> Result) rethrows -> Result {
        try (bytes.map { CChar(bitPattern: $0) } + [0]).withUnsafeBufferPointer { try body($0.baseAddress!) }
    }
}

/// Why a file could not be read: the reason an `ImagingError.unreadable` gives.
public enum RawFileError: Error, Equatable {
    case missing, notRegular, unreadable(String)

    public var reason: String {
        switch self {
        case .missing: return "no such file"
        case .notRegular: return "not a regular file"
        case let .unreadable(why): return "not a readable file (\(why))"
        }
    }
}

extension RawPath {
    /// The whole contents of the regular file at this path. Opened without blocking and checked
    /// with `fstat` before a byte is read: a FIFO or a device is refused rather than waited on.
    public func readRegularFile() throws(RawFileError) -> Data {
        let descriptor = withCString { open($0, O_RDONLY | O_NONBLOCK | O_CLOEXEC) }
        guard descriptor >= 0 else {
            throw errno == ENOENT || errno == ENOTDIR ? .missing : .unreadable(String(cString: strerror(errno)))
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw .unreadable(String(cString: strerror(errno))) }
        guard (status.st_mode & S_IFMT) == S_IFREG else { throw .notRegular }
        var contents = Data(capacity: Int(status.st_size))
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count == 0 { return contents }
            if count < 0 {
                if errno == EINTR { continue }
                throw .unreadable(String(cString: strerror(errno)))
            }
            contents.append(chunk, count: count)
        }
    }
}
