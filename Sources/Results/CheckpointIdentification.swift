// A checkpoint's identity, read when a chapter loads it: the sha256 of every weight file
// (streamed, so a 600 MB checkpoint never sits in memory twice), the architecture its config.json
// states, and whether the hashes are the published files' (from the published registry, or, for a
// directory `vitclip download` fetched, the sha256 the hub published at the commit its
// download.json records).
import Common
import Foundation

extension CheckpointIdentity {
    /// The identity of the checkpoint in `directory`, which stands for `standsFor` (a published
    /// checkpoint's name, or a mini model's).
    public static func read(_ directory: URL, standsFor: String, origin: Origin) throws -> CheckpointIdentity {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".safetensors") }.sorted()
        guard !names.isEmpty else { throw ChapterError("\(directory.path): no .safetensors weight file to identify the checkpoint by") }
        let files = try names.map { name in try weightFile(directory.appendingPathComponent(name)) }
        let architecture = try describeArchitecture(directory.appendingPathComponent("config.json"))
        let hub = origin == .userSupplied ? try hubOrigin(directory, files, standsFor: standsFor) : nil
        let published = origin == .userSupplied && (hub != nil || (try? PublishedRegistry.bundled().isPublished(files, standsFor: standsFor)) == true)
        return CheckpointIdentity(standsFor: standsFor, origin: origin, path: directory.recordedPath, architecture: architecture,
                                  weightFiles: files, published: published, hub: hub)
    }

    /// The repository and commit of `directory`'s download.json, when it is the repository of
    /// `standsFor` and records every weight file with the sha256 it has now.
    static func hubOrigin(_ directory: URL, _ files: [WeightFile], standsFor: String) throws -> HubOrigin? {
        guard let record = try DownloadRecord.read(in: directory), record.isRepository(of: standsFor) else { return nil }
        let recorded = Dictionary(record.files.map { ($0.name, $0.sha256) }, uniquingKeysWith: { first, _ in first })
        return files.allSatisfy({ recorded[$0.name] == $0.sha256 }) ? HubOrigin(repo: record.repo, commit: record.commit) : nil
    }

    private static func weightFile(_ url: URL) throws -> WeightFile {
        guard let handle = try? FileHandle(forReadingFrom: url) else { throw ChapterError("\(url.path): cannot be read to hash it") }
        defer { try? handle.close() }
        var hasher = SHA256()
        var bytes = 0
        while let chunk = try handle.read(upToCount: 1 << 22), !chunk.isEmpty {
            hasher.update(chunk)
            bytes += chunk.count
        }
        return WeightFile(name: url.lastPathComponent, bytes: bytes, sha256: hasher.hexDigest())
    }

    /// The class config.json names and the sizes that make one architecture another: "CLIPModel
    /// (projection_dim 512; text_config: hidden_size 512, ...; vision_config: ...)". The published
    /// registry states the published checkpoints' architectures the same way.
    static func describeArchitecture(_ config: URL) throws -> String {
        guard let data = try? Data(contentsOf: config), case .object(let object)? = try? JSONDecoder().decode(JSONValue.self, from: data) else {
            throw ChapterError("\(config.path): missing or not a JSON object, so the checkpoint's architecture is unknown")
        }
        let name = object["architectures"]?.array?.first?.string ?? object["architecture"]?.string ?? object["model_type"]?.string ?? "unknown"
        func sizes(_ object: [String: JSONValue], _ keys: [String]) -> String {
            keys.compactMap { key in object[key]?.int.map { "\(key) \($0)" } }.joined(separator: ", ")
        }
        let shape = ["hidden_size", "num_hidden_layers", "num_attention_heads", "intermediate_size", "patch_size", "image_size"]
        var parts = [sizes(object, shape + ["projection_dim", "num_classes"])]
        for key in object.keys.sorted() where key.hasSuffix("_config") {
            if case .object(let nested)? = object[key] { parts.append("\(key): \(sizes(nested, shape))") }
        }
        let described = parts.filter { !$0.isEmpty && !$0.hasSuffix(": ") }
        return described.isEmpty ? name : "\(name) (\(described.joined(separator: "; ")))"
    }
}
