import Foundation
import Imaging

/// How thoroughly a chapter checks that a dataset's images can be read before training on them.
public enum ImageCheck: String, Sendable {
    /// Decode every image, on the worker pool: exactly the test the training loader will
    /// apply, so nothing unreadable is met hours into a run. About 1 ms of CPU per Food-101 photo.
    case decode
    /// Only that each file starts with a JPEG's start-of-image marker and ends with its
    /// end-of-image marker: catches missing, foreign and truncated files while reading a few
    /// bytes of each, but not corrupt data in between.
    case markers
}

/// A file that failed the check, and why (the message names the file).
public struct UnreadableImage: Sendable {
    public let index: Int
    public let reason: String
}

/// Checks `files`, returning those that fail in index order. `progress` is called with the
/// number checked so far, every `progressEvery` files.
public func findUnreadableImages(_ files: [URL], check: ImageCheck, workers: Int = 2,
                                 progressEvery: Int = 10_000, progress: (Int) -> Void = { _ in }) -> [UnreadableImage] {
    findUnreadableImages(files.map(RawPath.init), check: check, workers: workers, progressEvery: progressEvery, progress: progress)
}

/// `findUnreadableImages` of files named by their paths' bytes (`Food101.file(of:)`).
public func findUnreadableImages(_ files: [RawPath], check: ImageCheck, workers: Int = 2,
                                 progressEvery: Int = 10_000, progress: (Int) -> Void = { _ in }) -> [UnreadableImage] {
    let counter = NSLock()
    var done = 0
    let failures = concurrentMap(files.count, workers: workers) { index -> String? in
        defer {
            counter.lock()
            done += 1
            if done % progressEvery == 0 { progress(done) }
            counter.unlock()
        }
        do {
            switch check {
            case .decode: _ = try Image(contentsOf: files[index])
            case .markers: try checkJPEGMarkers(files[index])
            }
            return nil
        } catch {
            return (error as? LocalizedError)?.errorDescription ?? String(describing: error)
        }
    }
    return failures.enumerated().compactMap { index, reason in reason.map { UnreadableImage(index: index, reason: $0) } }
}

/// The JPEG start-of-image marker (FF D8 FF) at the start and end-of-image (FF D9) in the last
/// kilobyte (some encoders pad after it). Opened by the path's bytes, without blocking: a FIFO or
/// a device is refused before anything is read.
func checkJPEGMarkers(_ file: RawPath) throws {
    let descriptor = file.withCString { open($0, O_RDONLY | O_NONBLOCK | O_CLOEXEC) }
    guard descriptor >= 0 else { throw DatasetError.missingFile(file.description) }
    defer { close(descriptor) }
    var status = stat()
    guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
        throw DatasetError.corruptImage(file: file.description, reason: "not a regular file")
    }
    func bytes(_ count: Int, at offset: Int) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        let read = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, count, off_t(offset)) }
        return Array(buffer.prefix(max(read, 0)))
    }
    guard bytes(3, at: 0) == [0xFF, 0xD8, 0xFF] else {
        throw DatasetError.corruptImage(file: file.description, reason: "not a JPEG (no start-of-image marker)")
    }
    let size = Int(status.st_size)
    let tail = bytes(min(size, 1024), at: max(size - 1024, 0))
    guard zip(tail, tail.dropFirst()).contains(where: { $0 == 0xFF && $1 == 0xD9 }) else {
        throw DatasetError.corruptImage(file: file.description, reason: "truncated JPEG (no end-of-image marker)")
    }
}
