// One file from an address to its place on disk, verified: the bytes arrive in a partial file
// beside the target (`<name>.partial`), a cut or stalled connection resumes from it with a
// `Range` request, 429 and 5xx answers are retried with exponential backoff (or after the
// server's `Retry-After`), and the file is renamed into place only once its size and digest are
// the advertised ones. A mismatch removes the partial file and names the file and both digests.
import Common
import Foundation

/// What a downloaded file must be.
public struct ExpectedFile: Sendable {
    /// How errors name the file ("google/vit-base-patch16-224/model.safetensors").
    public var name: String
    public var size: Int?
    public var algorithm: DigestAlgorithm
    public var digest: String
    /// Who gave the digest, as the mismatch message says it ("the hub advertised", "--md5 gave").
    public var advertisedBy: String

    public init(name: String, size: Int?, algorithm: DigestAlgorithm, digest: String, advertisedBy: String) {
        (self.name, self.size, self.algorithm, self.digest, self.advertisedBy) = (name, size, algorithm, digest.lowercased(), advertisedBy)
    }
}

/// How hard a transfer tries.
public struct TransferSettings: Sendable {
    /// Attempts per file, the first included.
    public var attempts = 8
    /// The first retry's wait; each later one doubles it, up to `maximumDelay`.
    public var firstDelay = 1.0
    public var maximumDelay = 60.0
    /// Seconds without a byte before a connection is abandoned (and resumed).
    public var stallSeconds = 30
    /// No progress display (tests).
    public var quiet = false

    public init(attempts: Int = 8, firstDelay: Double = 1, stallSeconds: Int = 30, quiet: Bool = false) {
        (self.attempts, self.firstDelay, self.stallSeconds, self.quiet) = (attempts, firstDelay, stallSeconds, quiet)
    }
}

/// Who may receive the token: requests to this host and port carry it, no other.
struct Credential {
    let token: String
    let hostAndPort: String

    func headers(for url: String) -> [String: String] {
        URLComponents(string: url).map(Self.hostAndPort) == hostAndPort ? ["Authorization": "Bearer \(token)"] : [:]
    }

    static func hostAndPort(_ url: URLComponents) -> String {
        (url.host ?? "").lowercased() + ":" + String(url.port ?? (url.scheme == "https" ? 443 : 80))
    }
}

enum VerifiedTransfer {
    /// Whether `target` already holds the expected file (size, then digest checked).
    static func isComplete(_ target: URL, _ expected: ExpectedFile) throws -> Bool {
        guard let size = fileSize(target) else { return false }
        if let expectedSize = expected.size, size != expectedSize { return false }
        return try FileDigest.hex(expected.algorithm, of: target) == expected.digest
    }

    /// Fetches `url` into `target` unless it is already complete. Returns true when it downloaded.
    @discardableResult
    static func fetch(_ url: String, to target: URL, expected: ExpectedFile, credential: Credential?, settings: TransferSettings) throws -> Bool {
        if try isComplete(target, expected) { return false }
        try createWritableDirectory(target.deletingLastPathComponent())
        let partial = target.deletingLastPathComponent().appendingPathComponent(target.lastPathComponent + ".partial")
        let progress = TransferProgress(name: expected.name, total: expected.size, quiet: settings.quiet)
        defer { progress.finish() }
        if let size = fileSize(partial), let expectedSize = expected.size, size >= expectedSize {
            if size == expectedSize, try FileDigest.hex(expected.algorithm, of: partial) == expected.digest {
                return try moveIntoPlace(partial, target)
            }
            try FileManager.default.removeItem(at: partial)  // complete but wrong, or too long: start again
        }
        var attempt = 1
        while true {
            do {
                try getFollowingRedirects(url, into: partial, expected: expected, credential: credential, settings: settings, progress: progress)
                break
            } catch let failure as RetryableFailure {
                guard attempt < settings.attempts else {
                    throw ChapterError("\(expected.name): \(failure.reason), still after \(attempt) attempts; the partial download is kept in \(partial.path)")
                }
                let delay = failure.retryAfter ?? min(settings.maximumDelay, settings.firstDelay * pow(2, Double(attempt - 1)))
                progress.line("\(expected.name): \(failure.reason); retrying in \(String(format: "%.0f", delay.rounded(.up))) s (attempt \(attempt + 1) of \(settings.attempts))")
                Thread.sleep(forTimeInterval: delay)
                attempt += 1
            }
        }
        let size = fileSize(partial) ?? 0
        if let expectedSize = expected.size, size != expectedSize {
            try? FileManager.default.removeItem(at: partial)
            throw ChapterError("\(expected.name): \(size) bytes arrived but \(expectedSize) were advertised; nothing kept")
        }
        let digest = try FileDigest.hex(expected.algorithm, of: partial)
        guard digest == expected.digest else {
            try? FileManager.default.removeItem(at: partial)
            throw ChapterError("\(expected.name): \(expected.algorithm.rawValue) \(digest) of the bytes received, but \(expected.advertisedBy) \(expected.digest); nothing kept")
        }
        return try moveIntoPlace(partial, target)
    }

    private static func moveIntoPlace(_ partial: URL, _ target: URL) throws -> Bool {
        guard rename(partial.path, target.path) == 0 else {
            throw ChapterError("\(target.path): cannot be put in place (\(String(cString: strerror(errno))))")
        }
        return true
    }

    /// One GET, appending to `partial` from its current length, following up to 10 redirects
    /// (the token goes only to the credential's host). 429, 5xx and transport failures are retryable.
    private static func getFollowingRedirects(_ start: String, into partial: URL, expected: ExpectedFile, credential: Credential?,
                                              settings: TransferSettings, progress: TransferProgress) throws {
        var url = start
        for _ in 0..<10 {
            let sink = try PartialFile(partial, limit: expected.size, progress: progress)
            defer { sink.close() }
            progress.begin(at: sink.offset)
            var request = HTTPRequest(url: url, headers: credential?.headers(for: url) ?? [:], resumeFrom: sink.offset, stallSeconds: settings.stallSeconds)
            request.headers["Accept-Encoding"] = "identity"
            let response: HTTPResponse
            do {
                response = try HTTP.perform(request, sink: sink)
            } catch let error as TransportError {
                if let refusal = sink.refusal { throw ChapterError("\(expected.name): \(refusal)") }
                throw RetryableFailure(reason: "the connection failed (\(error.message))", retryAfter: nil)
            }
            switch response.status {
            case 200, 206: return
            case _ where response.isRedirect:
                guard let location = response.header("location"), let next = URL(string: location, relativeTo: URL(string: url))?.absoluteString else {
                    throw ChapterError("\(expected.name): \(url) redirected without a usable Location")
                }
                url = next
            case 416:
                sink.truncate()  // the partial file is not a prefix the server recognises: start again
                throw RetryableFailure(reason: "the server refused to resume (HTTP 416)", retryAfter: 0)
            case 429, 500...599:
                throw RetryableFailure(reason: "\(url) answered HTTP \(response.status)", retryAfter: response.header("retry-after").flatMap(retryAfterSeconds))
            case 404:
                throw ChapterError("\(expected.name): not found at \(url) (HTTP 404)")
            default:
                throw ChapterError("\(expected.name): \(url) answered HTTP \(response.status)")
            }
        }
        throw ChapterError("\(expected.name): more than 10 redirects from \(start)")
    }

    /// `Retry-After` as seconds or an HTTP date, at most five minutes.
    static func retryAfterSeconds(_ value: String) -> Double? {
        if let seconds = Double(value.trimmingCharacters(in: .whitespaces)) { return min(max(seconds, 0), 300) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: value).map { min(max($0.timeIntervalSinceNow, 0), 300) }
    }
}

struct RetryableFailure: Error {
    let reason: String
    let retryAfter: Double?
}

func fileSize(_ url: URL) -> Int? {
    (try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? Int
}
