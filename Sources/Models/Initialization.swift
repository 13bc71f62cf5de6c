// Random initialisation, as Hugging Face's `_init_weights` gives a model built from a config
// (transformers 4.57, modeling_vit.py and modeling_clip.py), for the models the mini preset
// pretrains from scratch.
//
// ViTPreTrainedModel: every Linear and the patch Conv2d ~ trunc_normal(0, initializer_range)
// with zero biases; LayerNorms at identity; cls_token and position_embeddings likewise
// trunc_normal(0, initializer_range). torch's trunc_normal_ cuts at a = -2, b = 2 in absolute
// units, i.e. a hundred standard deviations out at 0.02: the cut is kept, it never bites.
//
// CLIPPreTrainedModel, with f = initializer_factor and D, L each tower's width and depth:
//   token and position embeddings (text)       N(0, 0.02 f)
//   class_embedding (vision)                   N(0, D^-1/2 f)
//   patch_embedding, position_embedding        N(0, initializer_range f)
//   q_proj, k_proj, v_proj                     N(0, D^-1/2 (2L)^-1/2 f)
//   out_proj                                   N(0, D^-1/2 f)
//   mlp.fc1                                    N(0, (2D)^-1/2 f)
//   mlp.fc2                                    N(0, D^-1/2 (2L)^-1/2 f)
//   text_projection / visual_projection        N(0, D_text^-1/2 f) / N(0, D_vision^-1/2 f)
//   every Linear bias 0, LayerNorms identity, logit_scale = logit_scale_init_value.
// CLIPConfig here carries neither initializer_range nor initializer_factor; HF's defaults
// (0.02 and 1.0) are the arguments' defaults.
//
// Each tensor draws from its own stream, `SeededGenerator(seed).derived("init").derived(name)`,
// so the values of a tensor depend only on the seed and its Hugging Face name: the same
// for a seed on every machine, whatever else the model holds.
import Common
import Foundation
import TensorCore

extension ViTForImageClassification {
    /// Fills every parameter as `ViTForImageClassification(config)` in transformers does (with
    /// `initializer_range` from the config), deterministically for `seed`.
    public func initializeRandomly(seed: UInt64) {
        let range = config.initializerRange
        let filler = ParameterFiller(seed: seed)
        for (name, tensor) in namedParameters {
            if name.hasSuffix(".bias") {
                tensor.fill(0)
            } else if name.hasPrefix("vit.layernorm.") || name.contains(".layernorm_before.") || name.contains(".layernorm_after.") {
                tensor.fill(1)  // LayerNorm weights; their biases are zeroed above
            } else {
                // Linear and Conv2d weights, cls_token, position_embeddings.
                filler.truncatedNormal(tensor, name: name, std: range)
            }
        }
    }
}

extension CLIPModel {
    /// Fills every parameter as `CLIPModel(config)` in transformers does, deterministically for
    /// `seed`; `initializerRange` and `initializerFactor` are CLIP configs' `initializer_range`
    /// and `initializer_factor`.
    public func initializeRandomly(seed: UInt64, initializerRange: Double = 0.02, initializerFactor factor: Double = 1) {
        let filler = ParameterFiller(seed: seed)
        func fillEncoder(_ encoder: Encoder, prefix: String, width: Int) {
            let depth = Double(encoder.layers.count), d = Double(width)
            let inProjection = pow(d, -0.5) * pow(2 * depth, -0.5) * factor
            for (index, layer) in encoder.layers.enumerated() {
                let at = "\(prefix).encoder.layers.\(index)."
                for (name, linear) in [("self_attn.q_proj", layer.qProj), ("self_attn.k_proj", layer.kProj), ("self_attn.v_proj", layer.vProj)] {
                    filler.normal(linear.weight, name: at + name + ".weight", std: inProjection)
                }
                filler.normal(layer.outProj.weight, name: at + "self_attn.out_proj.weight", std: pow(d, -0.5) * factor)
                filler.normal(layer.fc1.weight, name: at + "mlp.fc1.weight", std: pow(2 * d, -0.5) * factor)
                filler.normal(layer.fc2.weight, name: at + "mlp.fc2.weight", std: inProjection)
                for linear in [layer.qProj, layer.kProj, layer.vProj, layer.outProj, layer.fc1, layer.fc2] {
                    linear.bias?.fill(0)
                }
                for norm in [layer.layerNorm1, layer.layerNorm2] { norm.reset() }
            }
        }

        let textWidth = config.textConfig.hiddenSize, visionWidth = config.visionConfig.hiddenSize
        filler.normal(textModel.tokenEmbedding, name: "text_model.embeddings.token_embedding.weight", std: 0.02 * factor)
        filler.normal(textModel.positionEmbedding, name: "text_model.embeddings.position_embedding.weight", std: 0.02 * factor)
        fillEncoder(textModel.encoder, prefix: "text_model", width: textWidth)
        textModel.finalLayerNorm.reset()

        filler.normal(visionModel.classEmbedding, name: "vision_model.embeddings.class_embedding", std: pow(Double(visionWidth), -0.5) * factor)
        filler.normal(visionModel.patchEmbedding.weight, name: "vision_model.embeddings.patch_embedding.weight", std: initializerRange * factor)
        filler.normal(visionModel.positionEmbedding, name: "vision_model.embeddings.position_embedding.weight", std: initializerRange * factor)
        fillEncoder(visionModel.encoder, prefix: "vision_model", width: visionWidth)
        visionModel.preLayrnorm.reset()
        visionModel.postLayernorm.reset()

        filler.normal(textProjection.weight, name: "text_projection.weight", std: pow(Double(textWidth), -0.5) * factor)
        filler.normal(visualProjection.weight, name: "visual_projection.weight", std: pow(Double(visionWidth), -0.5) * factor)
        logitScale.fill(Float(config.logitScaleInitValue))
    }
}

extension LayerNorm {
    /// Identity: weight 1, bias 0.
    func reset() {
        weight.fill(1)
        bias.fill(0)
    }
}

extension Tensor {
    func fill(_ value: Float) { pointer.update(repeating: value, count: count) }
}

/// Normal draws for named tensors, each from its own stream of the seed.
public struct ParameterFiller {
    let root: SeededGenerator

    public init(seed: UInt64) {
        root = SeededGenerator(seed: seed).derived("init")
    }

    /// N(0, std²) in every element.
    public func normal(_ tensor: Tensor, name: String, std: Double) {
        var generator = root.derived(name)
        let p = tensor.pointer
        for i in 0..<tensor.count { p[i] = Float(std * generator.standardNormal()) }
    }

    /// N(0, std²) cut to [low, high] (absolute values, torch's trunc_normal_ defaults), by
    /// drawing again whatever falls outside.
    public func truncatedNormal(_ tensor: Tensor, name: String, std: Double, low: Double = -2, high: Double = 2) {
        var generator = root.derived(name)
        let p = tensor.pointer
        for i in 0..<tensor.count {
            var value = std * generator.standardNormal()
            while value < low || value > high { value = std * generator.standardNormal() }
            p[i] = Float(value)
        }
    }

    /// U(-bound, bound) in every element (torch.nn.Linear's default bias).
    public func uniform(_ tensor: Tensor, name: String, bound: Double) {
        var generator = root.derived(name)
        let p = tensor.pointer
        for i in 0..<tensor.count { p[i] = Float(generator.uniform(-bound, bound)) }
    }
}
