// The Hugging Face name rules: which parameters escape weight decay, which layer each sits in,
// and what each freezing choice trains.
import Foundation
import Testing
import TensorCore
@testable import Training

@Suite struct ParameterNameRules {
    @Test func weightDecayExemptions() {
        let exempt = [
            "vit.embeddings.cls_token", "vit.embeddings.position_embeddings", "vit.encoder.layer.3.attention.attention.query.bias",
            "vit.encoder.layer.3.layernorm_before.weight", "vit.layernorm.weight", "classifier.bias",
            "vision_model.embeddings.class_embedding", "vision_model.embeddings.position_embedding.weight",
            "vision_model.pre_layrnorm.weight", "vision_model.encoder.layers.11.layer_norm1.weight", "vision_model.post_layernorm.bias",
            "text_model.embeddings.token_embedding.weight", "text_model.final_layer_norm.weight", "logit_scale",
            "blocks.23.gamma_1", "blocks_token_only.1.gamma_2",
        ]
        let decayed = [
            "vit.embeddings.patch_embeddings.projection.weight", "vit.encoder.layer.3.attention.attention.query.weight",
            "vit.encoder.layer.3.output.dense.weight", "classifier.weight", "vision_model.encoder.layers.11.mlp.fc1.weight",
            "vision_model.embeddings.patch_embedding.weight", "visual_projection.weight", "text_projection.weight",
            "blocks.23.attn.proj_l.weight",
        ]
        for name in exempt { #expect(ParameterNames.isExemptFromWeightDecay(name), "\(name) should not be decayed") }
        for name in decayed { #expect(!ParameterNames.isExemptFromWeightDecay(name), "\(name) should be decayed") }
    }

    @Test func layerIndicesFollowBEiT() {
        let vit = ["vit.embeddings.cls_token", "vit.encoder.layer.0.output.dense.weight", "vit.encoder.layer.11.output.dense.weight",
                   "vit.layernorm.weight", "classifier.weight"]
        #expect(ParameterNames.encoderDepth(vit) == 12)
        #expect(vit.map { ParameterNames.layerIndex(of: $0, depth: 12) } == [0, 1, 12, 13, 13])
        #expect(ParameterNames.layerDecayScale(of: "classifier.weight", depth: 12, decay: 0.65) == 1)
        #expect(abs(ParameterNames.layerDecayScale(of: "vit.embeddings.cls_token", depth: 12, decay: 0.65) - pow(0.65, 13)) < 1e-15)

        let clip = ["vision_model.embeddings.patch_embedding.weight", "vision_model.pre_layrnorm.bias",
                    "vision_model.encoder.layers.4.self_attn.k_proj.weight", "vision_model.post_layernorm.weight", "visual_projection.weight",
                    "logit_scale"]
        #expect(clip.map { ParameterNames.layerIndex(of: $0, depth: 12) } == [0, 0, 5, 13, 13, 13])
        #expect(ParameterNames.encoderBlock(of: "vit.encoder.layer.7x.bias") == nil)
        #expect(ParameterNames.encoderBlock(of: "text_model.encoder.layers.10.mlp.fc2.bias") == 10)
    }

    @Test func selections() {
        let model = ToyEncoder(width: 4, classes: 3, seed: 1)
        let names = { (selection: ParameterSelection) in selection.select(model.parameters).map(\.name) }
        #expect(names(.all).count == model.parameters.count)
        #expect(names(.head) == ["vit.layernorm.weight", "vit.layernorm.bias", "classifier.weight", "classifier.bias"])
        #expect(names(.lastBlocks(1)) == ["vit.encoder.layer.1.output.dense.weight", "vit.encoder.layer.1.output.dense.bias",
                                          "vit.layernorm.weight", "vit.layernorm.bias", "classifier.weight", "classifier.bias"])
        #expect(names(.matching { $0.hasPrefix("classifier") }) == ["classifier.weight", "classifier.bias"])
    }
}
