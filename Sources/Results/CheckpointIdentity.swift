// Which checkpoint a chapter started from, by what it is rather than where it lay: the sha256 of
// each weight file, the architecture its config.json describes, and where it came from. The
// report compares the hashes with the published files' (Sources/Results/Resources/published.json)
// and claims the published checkpoint only when every one matches.

/// One checkpoint a chapter loaded.
public struct CheckpointIdentity: Codable, Sendable, Equatable {
    /// Where a checkpoint came from.
    public enum Origin: String, Codable, Sendable {
        /// A directory the user named (`--checkpoint`, `--deit`, ...): perhaps the published one.
        case userSupplied = "user-supplied"
        /// A mini model this project pretrained itself (mini preset).
        case projectMade = "project-made"
    }

    /// The published checkpoint it stands in for ("openai/clip-vit-base-patch32"), or the mini
    /// model's name.
    public var standsFor: String
    public var origin: Origin
    public var path: String
    /// The architecture as config.json states it, e.g. "CLIPModel (projection_dim 512; vision_config: hidden_size 768, ...)".
    public var architecture: String
    /// Each weight file (model.safetensors, or the shards) with its sha256, by file name.
    public var weightFiles: [WeightFile]
    /// Whether every weight file matched the published file's hash when the chapter ran
    /// (false when the published hash is unknown to the registry).
    public var published: Bool
    /// Where the hub published these weights, when the directory was downloaded (`vitclip
    /// download`) and every weight file still has the sha256 its download.json records.
    public var hub: HubOrigin?

    public init(standsFor: String, origin: Origin, path: String, architecture: String, weightFiles: [WeightFile], published: Bool,
                hub: HubOrigin? = nil) {
        (self.standsFor, self.origin, self.path, self.architecture, self.weightFiles, self.published, self.hub)
            = (standsFor, origin, path, architecture, weightFiles, published, hub)
    }

    /// A Hugging Face repository and the commit its files were downloaded at.
    public struct HubOrigin: Codable, Sendable, Equatable {
        public var repo: String
        public var commit: String

        public init(repo: String, commit: String) { (self.repo, self.commit) = (repo, commit) }
    }

    public struct WeightFile: Codable, Sendable, Equatable {
        public var name: String
        public var bytes: Int
        public var sha256: String

        public init(name: String, bytes: Int, sha256: String) {
            (self.name, self.bytes, self.sha256) = (name, bytes, sha256)
        }
    }
}
