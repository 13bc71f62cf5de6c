// A checkpoint directory from the hub, as `save_pretrained` (or timm's `push_to_hf_hub`) left it:
// config.json, the safetensors weights (one file, or a sharded index and its shards), and where
// the repository has them the image processor's and CLIP tokenizer's files. Each file is fetched
// at the revision's commit and verified (a large file against the sha256 the hub advertises, a
// small one against its git blob id); download.json then records what arrived.
import Common
import Foundation

public enum CheckpointDownload {
    /// The files a checkpoint directory uses, beside its weights, when the repository has them.
    static let companions = ["config.json", "preprocessor_config.json", "vocab.json", "merges.txt",
                             "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"]
    static let weights = "model.safetensors"
    static let weightsIndex = "model.safetensors.index.json"

    /// Downloads `repo` at `revision` into `directory` and writes its download.json. A directory
    /// whose download.json names the same repository and revision, with every file present at
    /// its recorded size and sha256, is complete: nothing is asked of the hub.
    @discardableResult
    public static func run(_ repo: String, revision: String = "main", to directory: URL, client: HubClient = HubClient(),
                           settings: TransferSettings = TransferSettings()) throws -> DownloadRecord {
        if let record = try DownloadRecord.read(in: directory), record.repo == repo, record.revision == revision,
           try record.files.allSatisfy({ try isComplete(directory.appendingPathComponent($0.name), $0) }) {
            if !settings.quiet { ProgressLine.emit("\(repo): complete in \(directory.path) (commit \(record.commit))\n") }
            return record
        }
        let listing = try client.revision(repo, revision)
        let names = Set(listing.siblings.map(\.rfilename))
        guard names.contains("config.json") else { throw ChapterError("\(repo) at \(revision) has no config.json: not a checkpoint this project reads") }
        var files: [DownloadRecord.File] = []
        func fetch(_ name: String) throws {
            files.append(try file(name, of: repo, commit: listing.sha, listing: listing, to: directory, client: client, settings: settings))
        }
        for name in companions where names.contains(name) { try fetch(name) }
        if names.contains(weights) {
            try fetch(weights)
        } else if names.contains(weightsIndex) {
            try fetch(weightsIndex)
            for shard in try shards(directory.appendingPathComponent(weightsIndex)) {
                guard names.contains(shard) else { throw ChapterError("\(repo)/\(weightsIndex) names \(shard), which the repository does not hold") }
                try fetch(shard)
            }
        } else {
            throw ChapterError("\(repo) at \(revision) has no \(weights) or \(weightsIndex) (this project reads safetensors weights only)")
        }
        let record = DownloadRecord(repo: repo, revision: revision, commit: listing.sha, endpoint: client.endpoint, files: files)
        try record.write(in: directory)
        if !settings.quiet { ProgressLine.emit("\(repo): \(files.count) files verified in \(directory.path) (commit \(listing.sha))\n") }
        return record
    }

    private static func file(_ name: String, of repo: String, commit: String, listing: HubClient.Revision, to directory: URL,
                             client: HubClient, settings: TransferSettings) throws -> DownloadRecord.File {
        let metadata = try client.metadata(repo, commit: commit, file: name)
        if let served = metadata.commit, served != commit {
            throw ChapterError("\(repo)/\(name): the hub served commit \(served) for commit \(commit)")
        }
        let listed = listing.siblings.first { $0.rfilename == name }?.lfs?.sha256
        if metadata.isLinked, let listed, listed != metadata.etag {
            throw ChapterError("\(repo)/\(name): the hub lists sha256 \(listed) but its X-Linked-Etag is \(metadata.etag)")
        }
        let expected = ExpectedFile(name: "\(repo)/\(name)", size: metadata.size, algorithm: metadata.isLinked ? .sha256 : .gitBlob,
                                    digest: metadata.etag, advertisedBy: "the hub advertised")
        let target = directory.appendingPathComponent(name)
        try VerifiedTransfer.fetch(metadata.location, to: target, expected: expected, credential: client.credential, settings: settings)
        return DownloadRecord.File(name: name, size: fileSize(target) ?? 0,
                                   sha256: metadata.isLinked ? metadata.etag : try FileDigest.hex(.sha256, of: target), advertised: metadata.isLinked)
    }

    private static func isComplete(_ url: URL, _ file: DownloadRecord.File) throws -> Bool {
        try VerifiedTransfer.isComplete(url, ExpectedFile(name: file.name, size: file.size, algorithm: .sha256, digest: file.sha256, advertisedBy: ""))
    }

    /// The shard files a sharded checkpoint's index names (its `weight_map`'s values).
    static func shards(_ index: URL) throws -> [String] {
        struct Index: Decodable { let weight_map: [String: String] }
        guard let data = try? Data(contentsOf: index), let parsed = try? JSONDecoder().decode(Index.self, from: data) else {
            throw ChapterError("\(index.path): not a safetensors index (no weight_map)")
        }
        let shards = Set(parsed.weight_map.values).sorted()
        if let bad = shards.first(where: { $0.contains("/") || $0.hasPrefix(".") }) {
            throw ChapterError("\(index.path): shard name '\(bad)' is not a file of the checkpoint directory")
        }
        return shards
    }
}
