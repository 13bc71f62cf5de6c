// `download.json`, written beside a downloaded checkpoint's files: which repository, revision
// and commit they came from, and each file's size and sha256 as verified on arrival. A run that
// later reads the directory can say the weights are the hub's, at that commit, if their
// hashes still match.
import Foundation

public struct DownloadRecord: Codable, Sendable, Equatable {
    public static let fileName = "download.json"

    public var repo: String
    public var revision: String
    public var commit: String
    public var endpoint: String
    public var files: [File]

    public struct File: Codable, Sendable, Equatable {
        public var name: String
        public var size: Int
        public var sha256: String
        /// True when the hub advertised this sha256 (a large file's `X-Linked-Etag`); false when
        /// the hub gave a git blob id, which was checked, and the sha256 was computed here.
        public var advertised: Bool

        public init(name: String, size: Int, sha256: String, advertised: Bool) {
            (self.name, self.size, self.sha256, self.advertised) = (name, size, sha256, advertised)
        }
    }

    public init(repo: String, revision: String, commit: String, endpoint: String, files: [File]) {
        (self.repo, self.revision, self.commit, self.endpoint, self.files) = (repo, revision, commit, endpoint, files)
    }

    /// The record in `directory`, nil when it has none; an unreadable one is an error naming it.
    public static func read(in directory: URL) throws -> DownloadRecord? {
        let url = directory.appendingPathComponent(fileName)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        do {
            return try JSONDecoder().decode(DownloadRecord.self, from: Data(contentsOf: url))
        } catch {
            throw ChapterError("\(url.path): not a download record (\(error.localizedDescription))")
        }
    }

    public func write(in directory: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try writeAtomically(try encoder.encode(self), to: directory.appendingPathComponent(Self.fileName))
    }

    /// Whether `repo` is the checkpoint `standsFor` names: the same repository
    /// ("google/vit-base-patch16-224"), or a timm repository of that architecture
    /// ("timm/deit_base_distilled_patch16_224.fb_in1k" for "deit_base_distilled_patch16_224").
    public func isRepository(of standsFor: String) -> Bool {
        repo == standsFor || (repo.hasPrefix("timm/") && repo.dropFirst(5).split(separator: ".").first.map(String.init) == standsFor)
    }
}
