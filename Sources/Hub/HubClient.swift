// The Hugging Face Hub as huggingface_hub speaks to it: the endpoint from `HF_ENDPOINT` (default
// https://huggingface.co), the token from `HF_TOKEN` or the token file huggingface_hub's login
// writes; `GET {endpoint}/api/models/{repo}/revision/{rev}` for the commit and the file list;
// `HEAD {endpoint}/{repo}/resolve/{commit}/{file}` for a file's metadata (`X-Repo-Commit`,
// `X-Linked-Etag` or `ETag`, `X-Linked-Size` or `Content-Length`, and for a large file the
// redirect to its storage host), following relative redirects only; then the file itself from
// where the redirect points. The token goes to the endpoint's host alone.
import Common
import Foundation

public struct HubClient: Sendable {
    public let endpoint: String
    let token: String?

    public init(endpoint: String? = nil, token: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.endpoint = (endpoint ?? environment["HF_ENDPOINT"] ?? "https://huggingface.co").trimmingSuffix("/")
        self.token = token ?? Self.token(environment)
    }

    /// `HF_TOKEN`, else the file at `HF_TOKEN_PATH` or `$HF_HOME/token` (default ~/.cache/huggingface/token).
    static func token(_ environment: [String: String]) -> String? {
        if let token = environment["HF_TOKEN"], !token.isEmpty { return token }
        let home = environment["HF_HOME"] ?? ((environment["XDG_CACHE_HOME"] ?? NSHomeDirectory() + "/.cache") + "/huggingface")
        let path = environment["HF_TOKEN_PATH"] ?? home + "/token"
        let token = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        return token?.isEmpty == false ? token : nil
    }

    var credential: Credential? {
        guard let token, let url = URLComponents(string: endpoint) else { return nil }
        return Credential(token: token, hostAndPort: Credential.hostAndPort(url))
    }

    /// A file of the revision's listing, with what the API says of it.
    public struct Sibling: Decodable, Sendable {
        public let rfilename: String
        public let size: Int?
        public let lfs: LFS?
        public struct LFS: Decodable, Sendable { public let sha256: String; public let size: Int }
    }

    public struct Revision: Decodable, Sendable {
        /// The commit the revision points at.
        public let sha: String
        public let siblings: [Sibling]
    }

    /// The commit and files of `repo` at `revision` (a branch, tag or commit).
    public func revision(_ repo: String, _ revision: String) throws -> Revision {
        let url = "\(endpoint)/api/models/\(repo)/revision/\(Self.escaped(revision))?blobs=true"
        let request = HTTPRequest(url: url, headers: credential?.headers(for: url) ?? [:])
        let response = try retrying(repo) { try HTTP.perform(request) }
        try Self.check(response, url: url, what: "\(repo) at revision \(revision)")
        do {
            return try JSONDecoder().decode(Revision.self, from: response.body)
        } catch {
            throw ChapterError("\(url): not the hub's revision listing (\(error.localizedDescription))")
        }
    }

    /// What huggingface_hub's `get_hf_file_metadata` reads.
    public struct FileMetadata: Sendable {
        public let commit: String?
        /// `X-Linked-Etag` (a large file's sha256) or `ETag` (a small file's git blob id), unquoted.
        public let etag: String
        /// True when the etag came from `X-Linked-Etag`.
        public let isLinked: Bool
        public let size: Int?
        /// Where to get the bytes: the redirect's target, or the resolve address itself.
        public let location: String
    }

    public func resolveURL(_ repo: String, commit: String, file: String) -> String {
        "\(endpoint)/\(repo)/resolve/\(commit)/\(file.split(separator: "/").map { Self.escaped(String($0)) }.joined(separator: "/"))"
    }

    public func metadata(_ repo: String, commit: String, file: String) throws -> FileMetadata {
        var url = resolveURL(repo, commit: commit, file: file)
        for _ in 0..<10 {
            var request = HTTPRequest(url: url, method: .head, headers: credential?.headers(for: url) ?? [:])
            request.headers["Accept-Encoding"] = "identity"
            let response = try retrying("\(repo)/\(file)") { try HTTP.perform(request) }
            if response.isRedirect, let location = response.header("location"), URLComponents(string: location)?.host == nil {
                url = URL(string: location, relativeTo: URL(string: url))?.absoluteString ?? url  // relative: the same host, followed
                continue
            }
            if !response.isRedirect { try Self.check(response, url: url, what: "\(repo)/\(file)") }
            let linked = response.header("x-linked-etag")
            guard let etag = (linked ?? response.header("etag")).map(Self.normalizedETag) else {
                throw ChapterError("\(repo)/\(file): \(url) gave no ETag, so the file cannot be verified")
            }
            return FileMetadata(commit: response.header("x-repo-commit"), etag: etag, isLinked: linked != nil,
                                size: (response.header("x-linked-size") ?? response.header("content-length")).flatMap { Int($0) },
                                location: response.header("location").flatMap { URL(string: $0, relativeTo: URL(string: url))?.absoluteString } ?? url)
        }
        throw ChapterError("\(repo)/\(file): more than 10 redirects from \(resolveURL(repo, commit: commit, file: file))")
    }

    /// `W/"abc"` and `"abc"` as `abc`, as huggingface_hub's `_normalize_etag`.
    static func normalizedETag(_ etag: String) -> String {
        var value = etag
        if value.hasPrefix("W/") { value.removeFirst(2) }
        return value.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
    }

    static func escaped(_ component: String) -> String {
        component.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? component
    }

    /// One line for a hub answer that is not a success.
    static func check(_ response: HTTPResponse, url: String, what: String) throws {
        switch response.status {
        case 200..<300: return
        case 401, 403: throw ChapterError("\(what): \(url) answered HTTP \(response.status) (a gated or private repository needs HF_TOKEN)")
        case 404: throw ChapterError("\(what): not found on the hub (HTTP 404 for \(url))")
        default: throw ChapterError("\(what): \(url) answered HTTP \(response.status)")
        }
    }

    /// The API calls' retries: a few, on transport failures, 429 and 5xx.
    private func retrying(_ what: String, _ body: () throws -> HTTPResponse) throws -> HTTPResponse {
        var delay = 1.0
        for attempt in 1...5 {
            do {
                let response = try body()
                guard [429, 500, 502, 503, 504].contains(response.status), attempt < 5 else { return response }
                Thread.sleep(forTimeInterval: response.header("retry-after").flatMap(VerifiedTransfer.retryAfterSeconds) ?? delay)
            } catch let error as TransportError {
                if attempt == 5 { throw ChapterError("\(what): \(error.message)") }
                Thread.sleep(forTimeInterval: delay)
            }
            delay *= 2
        }
        throw ChapterError("\(what): no answer")
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String {
        var value = self
        while value.hasSuffix(suffix) { value.removeLast(suffix.count) }
        return value
    }
}
