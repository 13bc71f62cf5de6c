// Hugging Face config.json files decode with HF's defaults and encode back.
import Foundation
import Testing
@testable import Checkpoints

@Suite struct ConfigTests {
    static let foodLabels = ["apple pie", "baby back ribs", "baklava", "beef carpaccio", "beef tartare"]

    func decode<Config: HuggingFaceConfig>(_ type: Config.Type, _ json: String) throws -> Config {
        try JSONDecoder().decode(type, from: Data(json.utf8))
    }

    @Test func namedConstructorsEqualThePublishedConfigs() throws {
        #expect(try CLIPConfig(contentsOf: Fixtures.model("configs/clip-vit-base-patch32.json")) == .vitBasePatch32)
        #expect(try ViTConfig(contentsOf: Fixtures.model("configs/vit-base-patch16-224.json")) == .basePatch16_224)
    }

    @Test func publishedGeometries() {
        let clip = CLIPConfig.vitBasePatch32
        #expect(clip.visionConfig.hiddenSize == 768)
        #expect(clip.visionConfig.patchSize == 32)
        #expect(clip.visionConfig.numHiddenLayers == 12)
        #expect(clip.textConfig.hiddenSize == 512)
        #expect(clip.textConfig.numAttentionHeads == 8)
        #expect(clip.textConfig.eosTokenId == 2)
        #expect(clip.projectionDim == 512)
        #expect(clip.logitScaleInitValue == 2.6592)
        let vit = ViTConfig.basePatch16_224
        #expect(vit.hiddenSize == 768)
        #expect(vit.patchSize == 16)
        #expect(vit.layerNormEps == 1e-12)
        #expect(vit.labels.count == 1000)
    }

    @Test func tinyCLIPFixtureDecodesWithDefaultsForAbsentKeys() throws {
        let config = try CLIPConfig(contentsOf: Fixtures.model("clip/config.json"))
        let text = config.textConfig
        #expect([text.vocabSize, text.hiddenSize, text.intermediateSize, text.numHiddenLayers, text.numAttentionHeads] == [49408, 16, 32, 2, 2] as [Int])
        #expect(text.maxPositionEmbeddings == 77)
        #expect(text.projectionDim == 16)
        #expect(text.hiddenAct == "quick_gelu")
        #expect(text.layerNormEps == 1e-5)
        // HF leaves pad_token_id out of the file: it equals the class default.
        #expect([text.padTokenId, text.bosTokenId, text.eosTokenId] == [1, 0, 2] as [Int])
        let vision = config.visionConfig
        #expect([vision.hiddenSize, vision.intermediateSize, vision.numHiddenLayers, vision.numAttentionHeads] == [32, 64, 2, 4] as [Int])
        #expect([vision.imageSize, vision.patchSize, vision.numChannels, vision.projectionDim] == [224, 32, 3, 16] as [Int])
        #expect(config.projectionDim == 16)
        #expect(config.architectures == ["CLIPModel"])
    }

    @Test func tinyViTFixtureDecodesItsLabelsInOrder() throws {
        let config = try ViTConfig(contentsOf: Fixtures.model("vit/config.json"))
        #expect(config.labels == Self.foodLabels)
        #expect([config.hiddenSize, config.numHiddenLayers, config.numAttentionHeads, config.intermediateSize] == [32, 2, 4, 64] as [Int])
        #expect(config.imageSize == 224)
        #expect(config.patchSize == 16)
        #expect(config.qkvBias)
        #expect(config.layerNormEps == 1e-12)
        #expect(config.hiddenAct == "gelu")
        let grad = try ViTConfig(contentsOf: Fixtures.model("vit-grad/config.json"))
        #expect(grad.imageSize == 32)
        #expect(grad.patchSize == 8)
    }

    @Test func emptyConfigsAreHFDefaults() throws {
        #expect(try decode(CLIPConfig.self, "{}") == CLIPConfig())
        #expect(try decode(CLIPConfig.self, "{}").textConfig.eosTokenId == 49407)
        #expect(try decode(ViTConfig.self, #"{"model_type": "vit"}"#) == ViTConfig())
        #expect(try decode(ViTConfig.self, "{}").labels == ["LABEL_0", "LABEL_1"])
        #expect(try decode(ViTConfig.self, #"{"num_labels": 3}"#).labels == ["LABEL_0", "LABEL_1", "LABEL_2"])
        #expect(try decode(ViTConfig.self, #"{"hidden_dropout_prob": null}"#).hiddenDropoutProb == 0)
    }

    @Test func legacyConfigDictsWinOverConfigs() throws {
        let config = try decode(CLIPConfig.self, #"{"text_config": {"hidden_size": 8}, "text_config_dict": {"hidden_size": 24}, "vision_config_dict": null}"#)
        #expect(config.textConfig.hiddenSize == 24)
        #expect(config.visionConfig == CLIPVisionConfig())
    }

    @Test func configsRoundTripThroughConfigJSON() throws {
        let scratch = try ScratchDirectory()
        var vit = ViTConfig(hiddenSize: 64, numAttentionHeads: 4, labels: Self.foodLabels)
        vit.hiddenDropoutProb = 0.1
        let clip = CLIPConfig(textConfig: CLIPTextConfig(hiddenSize: 8, eosTokenId: 2), projectionDim: 4, logitScaleInitValue: 3)
        try vit.write(to: scratch.file("vit.json"))
        try clip.write(to: scratch.file("clip.json"))
        #expect(try ViTConfig(contentsOf: scratch.file("vit.json")) == vit)
        #expect(try CLIPConfig(contentsOf: scratch.file("clip.json")) == clip)
        let json = try String(contentsOf: scratch.file("vit.json"), encoding: .utf8)
        #expect(json.contains(#""model_type" : "vit""#) && json.contains(#""2" : "baklava""#) && json.contains(#""baklava" : 2"#))
        #expect(json.contains(#""layer_norm_eps" : 1e-12"#))
    }

    @Test func mismatchedModelTypeIsRefused() throws {
        let url = Fixtures.model("vit/config.json")
        let error = #expect(throws: CheckpointError.self) { try CLIPConfig(contentsOf: url) }
        #expect(error?.description == "\(url.path) is not a valid config: 'model_type': model_type is 'vit', expected clip")
    }

    @Test func wrongTypesNameTheKey() throws {
        let scratch = try ScratchDirectory()
        let url = scratch.file("config.json")
        try Data(#"{"model_type": "clip", "text_config": {"hidden_size": "wide"}}"#.utf8).write(to: url)
        let error = #expect(throws: CheckpointError.self) { try CLIPConfig(contentsOf: url) }
        #expect(error?.description.contains("'text_config.hidden_size' should be Int") == true, "\(String(describing: error))")
    }

    @Test("bytes decode as the file does, and errors name the file given")
    func decodesFromBytes() throws {
        let url = Fixtures.model("vit/config.json")
        #expect(try ViTConfig(jsonData: Data(contentsOf: url), file: "in memory") == ViTConfig(contentsOf: url))
        #expect(throws: CheckpointError.badConfig(file: "in memory", reason: "'hidden_size' should be Int")) {
            try ViTConfig(jsonData: Data(#"{"hidden_size": [32]}"#.utf8), file: "in memory")
        }
    }

    @Test func labelsMustBeIndexedFromZero() throws {
        #expect(throws: DecodingError.self) { try decode(ViTConfig.self, #"{"id2label": {"0": "a", "2": "b"}}"#) }
        #expect(throws: DecodingError.self) { try decode(ViTConfig.self, #"{"id2label": {"0": "a", "00": "b"}}"#) }
        #expect(try decode(ViTConfig.self, #"{"id2label": {"1": "b", "0": "a"}}"#).labels == ["a", "b"])
    }
}
