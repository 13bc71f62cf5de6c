// What a parameter's Hugging Face name says about how to train it: whether weight decay applies,
// and how deep in the encoder it sits (for layer-wise learning-rate decay and for freezing).
import Foundation

public enum ParameterNames {
    /// Name fragments of the learned tokens and lookup tables that, like norms and biases, are
    /// not weight-decayed (FT-CLIP, after BEiT). The patch projection is a convolution kernel
    /// and keeps its decay, as in timm and FT-CLIP.
    static let embeddingFragments = ["cls_token", "class_embedding", "position_embedding", "token_embedding", "logit_scale"]

    /// True for norms, biases, embeddings and CLIP's temperature.
    public static func isExemptFromWeightDecay(_ name: String) -> Bool {
        name.hasSuffix("bias")
            || name.lowercased().contains("norm")  // layernorm, layer_norm, LayerNorm, pre_layrnorm
            || name.hasSuffix("gamma_1") || name.hasSuffix("gamma_2")  // LayerScale (CaiT), 1-D like a norm's scale
            || embeddingFragments.contains { name.contains($0) }
    }

    /// N for names inside `encoder.layer.N.` (ViT) or `encoder.layers.N.` (CLIP), else nil.
    public static func encoderBlock(of name: String) -> Int? {
        for marker in ["encoder.layer.", "encoder.layers."] {
            guard let range = name.range(of: marker) else { continue }
            let digits = name[range.upperBound...].prefix { $0.isASCII && $0.isNumber }
            if let block = Int(digits), name[range.upperBound...].dropFirst(digits.count).first == "." { return block }
        }
        return nil
    }

    /// The number of encoder blocks the names mention (the deepest tower's, for CLIP).
    public static func encoderDepth(_ names: [String]) -> Int {
        names.compactMap(encoderBlock).max().map { $0 + 1 } ?? 0
    }

    /// The BEiT/FT-CLIP layer id: 0 for the embeddings and what precedes the encoder (CLIP's
    /// pre_layrnorm), N + 1 for block N, and depth + 1 for everything after the encoder.
    public static func layerIndex(of name: String, depth: Int) -> Int {
        if let block = encoderBlock(of: name) { return block + 1 }
        if name.contains("embeddings.") || name.contains("pre_layrnorm") { return 0 }
        return depth + 1
    }

    /// decay^(depth + 1 − layer): 1 for the head, decay^(depth + 1) for the embeddings.
    public static func layerDecayScale(of name: String, depth: Int, decay: Double) -> Double {
        pow(decay, Double(depth + 1 - layerIndex(of: name, depth: depth)))
    }
}
