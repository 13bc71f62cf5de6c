// The small data set and models the training tests train.
import Foundation
import TensorCore
import TestSupport

/// A synthetic classification set: `count` inputs of `width` features, labels from a fixed
/// random linear rule so that there is something to learn.
struct ToyClassification {
    let inputs: Tensor
    let labels: [Int]
    let width: Int

    init(count: Int, width: Int, classes: Int, seed: UInt64) {
        self.width = width
        inputs = randomTensor([count, width], seed: seed)
        let rule = randomTensor([classes, width], seed: seed + 1)
        let scores = linear(inputs, weight: rule)
        labels = (0..<count).map { row in
            (0..<classes).max { scores.pointer[row * classes + $0] < scores.pointer[row * classes + $1] }!
        }
    }

    /// The inputs and labels of `indices`.
    func batch(_ indices: [Int]) -> (inputs: Tensor, labels: [Int]) {
        let x = Tensor(uninitializedShape: [indices.count, width])
        for (row, index) in indices.enumerated() {
            (x.pointer + row * width).update(from: inputs.pointer + index * width, count: width)
        }
        return (x, indices.map { labels[$0] })
    }
}

/// A two-block MLP named as a Hugging Face ViT is (embeddings, encoder.layer.N, layernorm,
/// classifier), so that the name rules, freezing and layer decay apply to it.
final class ToyEncoder {
    let parameters: [(name: String, tensor: Tensor)]

    init(width: Int, classes: Int, seed: UInt64) {
        var list: [(name: String, tensor: Tensor)] = [
            ("vit.embeddings.patch_embeddings.projection.weight", randomTensor([width, width], seed: seed, scale: 0.5)),
            ("vit.embeddings.position_embeddings", randomTensor([width], seed: seed + 1, scale: 0.1)),
        ]
        for block in 0..<2 {
            list.append(("vit.encoder.layer.\(block).output.dense.weight", randomTensor([width, width], seed: seed + 2 + UInt64(block), scale: 0.5)))
            list.append(("vit.encoder.layer.\(block).output.dense.bias", randomTensor([width], seed: seed + 4 + UInt64(block), scale: 0.1)))
        }
        list.append(("vit.layernorm.weight", Tensor(repeating: 1, shape: [width])))
        list.append(("vit.layernorm.bias", Tensor(zeros: [width])))
        list.append(("classifier.weight", randomTensor([classes, width], seed: seed + 6, scale: 0.5)))
        list.append(("classifier.bias", Tensor(zeros: [classes])))
        parameters = list
    }

    subscript(_ name: String) -> Tensor { parameters.first { $0.name == name }!.tensor }

    /// Everything up to the last block: what a feature cache would hold.
    func frozenPart(_ x: Tensor) -> Tensor {
        let embedded = linear(x, weight: self["vit.embeddings.patch_embeddings.projection.weight"]) + self["vit.embeddings.position_embeddings"]
        return block(0, embedded)
    }

    /// The last block and the head.
    func trainedPart(_ features: Tensor) -> Tensor {
        let hidden = layerNorm(block(1, features), weight: self["vit.layernorm.weight"], bias: self["vit.layernorm.bias"], eps: 1e-12)
        return linear(hidden, weight: self["classifier.weight"], bias: self["classifier.bias"])
    }

    func logits(_ x: Tensor) -> Tensor { trainedPart(frozenPart(x)) }

    private func block(_ index: Int, _ x: Tensor) -> Tensor {
        x + gelu(linear(x, weight: self["vit.encoder.layer.\(index).output.dense.weight"], bias: self["vit.encoder.layer.\(index).output.dense.bias"]))
    }
}

func snapshot(_ parameters: [(name: String, tensor: Tensor)]) -> [String: [Float]] {
    Dictionary(uniqueKeysWithValues: parameters.map { ($0.name, $0.tensor.scalars) })
}
