// Which pretrained model a chapter starts from: on the paper preset the checkpoint directory the
// user names (`--checkpoint`), on the mini preset the project's own mini model, pretrained on
// first use and cached.
import Common
import Foundation
import Recipes

public enum PretrainedModels {
    /// CLIP ViT-B/32 (`openai/clip-vit-base-patch32`), or the mini CLIP.
    public static func clip(_ options: ChapterOptions, run: ChapterRun) throws -> URL {
        switch options.preset {
        case .paper: return try paperCheckpoint(options, "openai/clip-vit-base-patch32")
        case .mini: return try MiniModels.clip(cache: options.cacheDirectory, seed: options.seed, quick: options.quick) { run.say($0) }
        }
    }

    /// ViT-B/16 (`google/vit-base-patch16-224`), or the mini ViT.
    public static func vit(_ options: ChapterOptions, run: ChapterRun) throws -> URL {
        switch options.preset {
        case .paper: return try paperCheckpoint(options, "google/vit-base-patch16-224")
        case .mini: return try MiniModels.vit(cache: options.cacheDirectory, seed: options.seed, quick: options.quick) { run.say($0) }
        }
    }

    /// The paper preset's `--checkpoint` directory, or an error naming the checkpoint it should hold.
    public static func paperCheckpoint(_ options: ChapterOptions, _ what: String) throws -> URL {
        guard let checkpoint = options.checkpoint else { throw ChapterError("the paper preset needs --checkpoint DIR (\(what))") }
        return URL(fileURLWithPath: checkpoint)
    }
}
