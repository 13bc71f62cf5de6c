// The partial file a transfer appends to: opened at its current length, so that a `Range`
// request resumes it; a 200 answer to a resumed request (a server that ignores `Range`) starts
// it again from nothing, and a 206 must continue exactly where it ends.
import Common
import Foundation

final class PartialFile: BodySink {
    private let url: URL
    private let descriptor: Int32
    private let limit: Int?
    private let progress: TransferProgress
    /// Where the request resumes: the file's length when opened.
    private(set) var offset: Int
    private var written: Int
    /// Why the body was refused, when it was (a reason that retrying would not cure).
    private(set) var refusal: String?

    init(_ url: URL, limit: Int?, progress: TransferProgress) throws {
        descriptor = open(url.path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw ChapterError("\(url.path): cannot be written (\(String(cString: strerror(errno))))") }
        (self.url, self.limit, self.progress) = (url, limit, progress)
        offset = Int(lseek(descriptor, 0, SEEK_END))
        written = offset
    }

    func begin(status: Int, headers: [String: String]) -> Bool {
        if status == 200, offset > 0 {
            truncate()
        } else if status == 206 {
            // "bytes 1000-1999/2000": the body must start where the file ends.
            let range = headers["content-range"] ?? ""
            guard range.hasPrefix("bytes \(offset)-") else {
                truncate()  // not a continuation of this file: retry from the start
                return false
            }
        }
        if progress.total == nil, let length = headers["content-length"].flatMap({ Int($0) }) { progress.total = offset + length }
        return true
    }

    func write(_ bytes: UnsafeRawBufferPointer) -> Bool {
        if let limit, written + bytes.count > limit {
            refusal = "the server sent more than the \(limit) bytes advertised"
            return false
        }
        var remaining = bytes
        while !remaining.isEmpty {
            let count = Foundation.write(descriptor, remaining.baseAddress, remaining.count)
            if count <= 0 {
                refusal = "\(url.path): cannot be written (\(String(cString: strerror(errno))))"
                return false
            }
            remaining = UnsafeRawBufferPointer(rebasing: remaining[count...])
        }
        written += bytes.count
        progress.update(written)
        return true
    }

    /// Empties the file (the next attempt starts from byte 0).
    func truncate() {
        _ = ftruncate(descriptor, 0)
        (offset, written) = (0, 0)
    }

    func close() { _ = Foundation.close(descriptor) }
}
