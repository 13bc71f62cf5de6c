// How far fine-tuning moved what zero-shot reads: the held-out images' embeddings before and
// after (class token → post-LayerNorm → visual projection, normalised), and each image-encoder
// block's weights before and after. The pretrained model is loaded again from its checkpoint,
// so a resumed run measures the same thing as an uninterrupted one.
import Foundation
import Models
import Results
import TensorCore

extension CLIPFineTuning {
    /// `fineTuned` are the held-out images' embeddings through the fine-tuned image tower, in
    /// the dataset's order.
    public func drift(fineTuned: EmbeddedImages, batchSize: Int = 64) throws -> CLIPDrift {
        let pretrained = try ZeroShotClassifier(checkpoint: source)
        let before = try pretrained.embedImages(data.heldOut, batchSize: batchSize).embeddings
        return CLIPDrift(embeddingCosine: Self.meanRowCosine(before, fineTuned.embeddings),
                         relativeWeightChange: Self.relativeBlockChange(from: pretrained.model, to: zeroShot.model))
    }

    /// The mean over rows of the cosine between `a`'s and `b`'s rows, [N, P] each.
    static func meanRowCosine(_ a: Tensor, _ b: Tensor) -> Double {
        precondition(a.shape == b.shape && a.rank == 2, "meanRowCosine: shapes \(a.shape) and \(b.shape)")
        let (rows, width) = (a.shape[0], a.shape[1])
        var total = 0.0
        for row in 0..<rows {
            var (dot, aa, bb) = (0.0, 0.0, 0.0)
            for i in 0..<width {
                let (x, y) = (Double(a.pointer[row * width + i]), Double(b.pointer[row * width + i]))
                (dot, aa, bb) = (dot + x * y, aa + x * x, bb + y * y)
            }
            total += dot / max((aa * bb).squareRoot(), .leastNormalMagnitude)
        }
        return total / Double(max(rows, 1))
    }

    /// ‖W_ft − W_0‖ / ‖W_0‖ per image-encoder block, over all of the block's tensors together.
    static func relativeBlockChange(from original: CLIPModel, to tuned: CLIPModel) -> [Double] {
        let before = Dictionary(uniqueKeysWithValues: original.namedParameters.map { ($0.name, $0.tensor) })
        return (0..<original.config.visionConfig.numHiddenLayers).map { block in
            let prefix = "vision_model.encoder.layers.\(block)."
            var (change, size) = (0.0, 0.0)
            for (name, tensor) in tuned.namedParameters where name.hasPrefix(prefix) {
                guard let start = before[name] else { continue }
                for i in 0..<tensor.count {
                    let (x0, x1) = (Double(start.pointer[i]), Double(tensor.pointer[i]))
                    (change, size) = (change + (x1 - x0) * (x1 - x0), size + x0 * x0)
                }
            }
            return (change / max(size, .leastNormalMagnitude)).squareRoot()
        }
    }
}
