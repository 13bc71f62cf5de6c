// A real file system of a few kilobytes (a tmpfs mounted for the test): a disk that fills up, for
// the tests of what a run does when a write meets ENOSPC. Mounting needs root (CAP_SYS_ADMIN);
// where it is refused the test says so and skips.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

public final class SmallFileSystem {
    public let url: URL
    private var mounted = true

    /// A tmpfs of `bytes` mounted on `directory` (created if need be), read-only if asked, or
    /// nil with a printed notice where this process may not mount.
    public init?(at directory: URL, bytes: Int, readOnly: Bool = false) throws {
        url = directory
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let flags: UInt = readOnly ? 1 /* MS_RDONLY */ : 0
        let status = "size=\(bytes),mode=0755".withCString { options in mount("tmpfs", directory.path, "tmpfs", flags, options) }
        guard status == 0 else {
            print("notice: cannot mount a tmpfs on \(directory.path) (\(String(cString: strerror(errno)))); skipping the full-disk checks")
            return nil
        }
    }

    private var filler: URL { url.appendingPathComponent(".filler") }

    /// Writes one file until the file system has no room left (ENOSPC).
    public func fill() throws {
        let descriptor = open(filler.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard descriptor >= 0 else { throw SmallFileSystemError(description: "cannot create \(filler.path)") }
        defer { close(descriptor) }
        let block = [UInt8](repeating: 0xAB, count: 4096)
        while block.withUnsafeBytes({ write(descriptor, $0.baseAddress, $0.count) }) > 0 {}
        guard errno == ENOSPC else { throw SmallFileSystemError(description: "filling \(url.path) ended with \(String(cString: strerror(errno)))") }
    }

    /// Frees what `fill` took.
    public func empty() throws { try FileManager.default.removeItem(at: filler) }

    /// Bytes free, as statvfs reports them.
    public var freeBytes: Int {
        var status = statvfs()
        guard statvfs(url.path, &status) == 0 else { return -1 }
        return Int(status.f_bavail) * Int(status.f_frsize)
    }

    /// Unmounts (lazily, so an open file cannot keep it); the directory stays.
    public func unmount() {
        guard mounted else { return }
        mounted = false
        umount2(url.path, 2 /* MNT_DETACH */)
    }

    deinit { unmount() }
}

public struct SmallFileSystemError: Error, CustomStringConvertible {
    public let description: String
}
