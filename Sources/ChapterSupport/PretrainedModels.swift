// Which pretrained model a chapter starts from: on the paper preset the checkpoint directory the
// user names (`--checkpoint`), on the mini preset the project's own mini model, pretrained on
// first use and cached.
import Common
import Foundation
import Recipes
import Results

public enum PretrainedModels {
    /// CLIP ViT-B/32 (`openai/clip-vit-base-patch32`), or the mini CLIP.
    public static func clip(_ options: ChapterOptions, run: ChapterRun) throws -> URL {
        switch options.preset {
        case .paper: return try identified(paperCheckpoint(options, clipName), clipName, .userSupplied, run: run)
        case .mini: return try identified(MiniModels.clip(cache: options.cacheDirectory, seed: options.seed, quick: options.quick) { run.say($0) },
                                          "mini CLIP", .projectMade, run: run)
        }
    }

    /// ViT-B/16 (`google/vit-base-patch16-224`), or the mini ViT.
    public static func vit(_ options: ChapterOptions, run: ChapterRun) throws -> URL {
        switch options.preset {
        case .paper: return try identified(paperCheckpoint(options, vitName), vitName, .userSupplied, run: run)
        case .mini: return try identified(MiniModels.vit(cache: options.cacheDirectory, seed: options.seed, quick: options.quick) { run.say($0) },
                                          "mini ViT", .projectMade, run: run)
        }
    }

    public static let clipName = "openai/clip-vit-base-patch32"
    public static let vitName = "google/vit-base-patch16-224"

    /// `directory`, its identity recorded in the run's results and said once.
    @discardableResult
    public static func identified(_ directory: URL, _ standsFor: String, _ origin: CheckpointIdentity.Origin, run: ChapterRun) throws -> URL {
        let identity = try CheckpointIdentity.read(directory, standsFor: standsFor, origin: origin)
        run.used(identity)
        let hashes = identity.weightFiles.map { "\($0.name) sha256 \($0.sha256.prefix(16))…" }.joined(separator: ", ")
        let standing = try PublishedRegistry.bundled().standing(of: identity)
        let hub = standing == .published ? identity.hub : nil
        let words = hub.map { "published (hub sha256 at commit \($0.commit) of \($0.repo))" } ?? standing.summary
        run.say("checkpoint \(standsFor): \(identity.architecture); \(hashes); \(words)")
        return directory
    }

    /// The paper preset's `--checkpoint` directory, or an error naming the checkpoint it should hold.
    public static func paperCheckpoint(_ options: ChapterOptions, _ what: String) throws -> URL {
        guard let checkpoint = options.checkpoint else { throw ChapterError("the paper preset needs --checkpoint DIR (\(what))") }
        return URL(fileURLWithPath: checkpoint)
    }
}
