// Random initialisation as timm gives these three architectures when built without pretrained
// weights (timm 1.0: vision_transformer.py, deit.py, cait.py, densenet.py), for the mini models
// the mini preset pretrains from scratch.
//
// DeiT (VisionTransformer.init_weights, mode ''): every Linear ~ trunc_normal(std 0.02) with a
//   zero bias; pos_embed and dist_token trunc_normal(0.02); cls_token normal(std 1e-6); the patch
//   projection keeps torch's Conv2d default (weight and bias uniform in ±1/√fan_in); LayerNorms
//   at identity.
// CaiT (Cait._init_weights): Linears and LayerNorms as above, pos_embed and cls_token
//   trunc_normal(0.02), LayerScale's gammas = init_values, the patch projection torch's default.
// DenseNet: every Conv2d kaiming_normal (fan_in, ReLU gain: std √(2/fan_in)), batch norm weight 1
//   and bias 0 (running statistics 0 and 1), the classifier's bias 0 and its weight torch's Linear
//   default (uniform in ±1/√fan_in).
// trunc_normal_ cuts at ±2 in absolute units, a hundred standard deviations out at 0.02: kept,
// it never bites. Each tensor draws from its own stream, SeededGenerator(seed).derived("init")
// .derived(name), so its values depend only on the seed and its timm name.
import Common
import Results
import Training
import Foundation
import Models
import TensorCore

/// Fills every parameter of `model` as timm initialises its architecture, deterministically for `seed`.
public func initializeLikeTimm(_ model: any TimmClassifier, seed: UInt64) {
    let root = SeededGenerator(seed: seed).derived("init")
    let cait = model as? Cait
    for (name, tensor) in model.namedParameters {
        var generator = root.derived(name)
        let leaf = name.split(separator: ".").last.map(String.init) ?? name
        if model is DenseNet {
            if tensor.rank == 4 {
                let fanIn = tensor.count / tensor.shape[0]
                fillNormal(tensor, std: (2 / Double(fanIn)).squareRoot(), using: &generator)
            } else if name == "classifier.weight" {
                fillUniform(tensor, bound: 1 / Double(tensor.shape[1]).squareRoot(), using: &generator)
            } else {
                // Batch norm weight and running variance 1; its bias, running mean and the classifier's bias 0.
                tensor.pointer.update(repeating: leaf == "weight" || leaf == "running_var" ? 1 : 0, count: tensor.count)
            }
        } else if name.hasPrefix("patch_embed.proj.") {
            let fanIn = model.namedParameters.first { $0.name == "patch_embed.proj.weight" }!.tensor
            fillUniform(tensor, bound: 1 / Double(fanIn.count / fanIn.shape[0]).squareRoot(), using: &generator)
        } else if name == "cls_token" && cait == nil {
            fillNormal(tensor, std: 1e-6, using: &generator)
        } else if ["cls_token", "dist_token", "pos_embed"].contains(name) {
            fillNormal(tensor, std: 0.02, using: &generator)
        } else if leaf == "gamma_1" || leaf == "gamma_2" {
            tensor.pointer.update(repeating: Float(cait?.config.modelArgs["init_values"]?.double ?? 1e-5), count: tensor.count)
        } else if name.split(separator: ".").contains(where: { $0.hasPrefix("norm") }) {
            tensor.pointer.update(repeating: leaf == "weight" ? 1 : 0, count: tensor.count)
        } else if leaf == "weight" {
            fillNormal(tensor, std: 0.02, using: &generator)  // every Linear
        } else {
            tensor.pointer.update(repeating: 0, count: tensor.count)  // their biases
        }
    }
}

private func fillNormal(_ tensor: Tensor, std: Double, using generator: inout SeededGenerator) {
    for i in 0..<tensor.count {
        var value = std * generator.standardNormal()
        while abs(value) > 2 { value = std * generator.standardNormal() }
        tensor.pointer[i] = Float(value)
    }
}

private func fillUniform(_ tensor: Tensor, bound: Double, using generator: inout SeededGenerator) {
    for i in 0..<tensor.count { tensor.pointer[i] = Float(generator.uniform(-bound, bound)) }
}

