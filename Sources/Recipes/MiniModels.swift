// The mini preset's pretrained models: what `openai/clip-vit-base-patch32` and
// `google/vit-base-patch16-224-in21k` are to the paper preset, made here from MiniFood's
// pretraining corpora (see MiniPretraining.swift for the recipes and what they reach) and kept
// in a cache directory, one entry per recipe.
import Datasets
import Training
import Foundation

public enum MiniModels {
    /// The mini CLIP, in Hugging Face layout (config.json, model.safetensors, preprocessor_config.json,
    /// vocab.json, merges.txt), pretrained contrastively on MiniFood's caption corpus; built and
    /// cached under `cache` (keyed by a hash of everything that determines it) when absent.
    public static func clip(cache: URL, seed: UInt64, quick: Bool, say: (String) -> Void) throws -> URL {
        try MiniModelCache(root: cache).checkpoint(for: quick ? MiniCLIPRecipe.quick(seed: seed) : MiniCLIPRecipe.standard(seed: seed), say: say)
    }

    /// The mini ViT (ViTForImageClassification, HF layout), pretrained supervised on MiniFood's labelled
    /// corpus (the 283 pretraining compositions: the analogue of ImageNet-21k pretraining); same caching.
    public static func vit(cache: URL, seed: UInt64, quick: Bool, say: (String) -> Void) throws -> URL {
        try MiniModelCache(root: cache).checkpoint(for: quick ? MiniViTRecipe.quick(seed: seed) : MiniViTRecipe.standard(seed: seed), say: say)
    }
}

extension MiniModels {
    /// The image-caption pairs the mini CLIP was pretrained on (same seed and size): MiniFood's
    /// pretraining compositions only, none of the downstream classes.
    public static func clipPretrainingPairs(seed: UInt64, quick: Bool) -> MiniFoodDataset {
        MiniFood(seed: seed, sizes: (quick ? MiniCLIPRecipe.quick(seed: seed) : MiniCLIPRecipe.standard(seed: seed)).data).pretrainCaptions
    }
}
