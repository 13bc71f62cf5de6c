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
    /// The width of the paper's models (ViT-B/16 and CLIP ViT-B/32's image tower).
    public static let paperWidth = 768

    /// The fresh head's learning-rate factor for a mini model `width` wide: 768 / width. AdamW
    /// moves each weight by about the rate a step, so a head's logits move by about rate x steps
    /// x width; muP's rule for Adam (Yang et al. 2022, Tensor Programs V, Table 3: the output
    /// layer's rate scales as 1 / fan-in) restores the paper's reach in a narrower model. The
    /// rest of the network keeps the published rate.
    public static func headLearningRateScale(width: Int) -> Double {
        Double(paperWidth) / Double(width)
    }

    /// The image-caption pairs the mini CLIP was pretrained on (same seed and size): every
    /// composition, the downstream dishes under their names, in images no other part shows.
    public static func clipPretrainingPairs(seed: UInt64, quick: Bool) -> MiniFoodDataset {
        MiniFood(seed: seed, sizes: (quick ? MiniCLIPRecipe.quick(seed: seed) : MiniCLIPRecipe.standard(seed: seed)).data).pretrainCaptions
    }
}
