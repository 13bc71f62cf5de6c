// Our ViT and CLIP against transformers 4.57.1 on the fixture checkpoints (real geometry: 224 px,
// patch 32 CLIP and patch 16 ViT; tiny widths), layer by layer, the way llm.c's test_gpt2 checks
// GPT-2: every intermediate the reference dumped, with a stated tolerance.
import Checkpoints
import Models
import TensorCore
import TestSupport
import Testing

/// Activations agree to 1e-5 of the reference tensor's scale (float32 throughout, same weights).
let forwardTolerance: Float = 1e-5

/// Token ids and attention mask as the reference stored them (integers as floats).
func tokenBatch(_ reference: SafeTensorsFile, ids: String = "input_ids", mask: String = "attention_mask") throws -> TokenBatch {
    let ids = try reference.tensor(ids).rows.map { $0.map { Int($0) } }
    let mask = try reference.tensor(mask).rows.map { $0.map { $0 != 0 } }
    return TokenBatch(ids: ids, isToken: mask)
}

@Suite struct CLIPForwardParity {
    let checkpoint: Checkpoint
    let model: CLIPModel
    let reference: SafeTensorsFile

    init() throws {
        checkpoint = try Checkpoint(directory: Fixtures.url("models/clip"))
        model = try CLIPModel(try checkpoint.config(CLIPConfig.self))
        try model.load(from: checkpoint)
        reference = try SafeTensorsFile(contentsOf: Fixtures.url("models/reference-clip.safetensors"))
    }

    @Test func visionTowerLayerByLayer() throws {
        let pixels = try reference.tensor("pixel_values")
        let vision = model.visionModel
        let embedded = vision.embeddings(pixels)
        #expect(relativeError(embedded, try reference.tensor("vision.embeddings")) < forwardTolerance)
        let states = vision.encoder.hiddenStates(vision.preLayrnorm(embedded))
        for (index, state) in states.enumerated() {
            let error = relativeError(state, try reference.tensor("vision.hidden_states.\(index + 1)"))
            #expect(error < forwardTolerance, "layer \(index)")
        }
        #expect(relativeError(vision.pooled(states.last!), try reference.tensor("vision.pooler_output")) < forwardTolerance)
        #expect(relativeError(model.imageEmbeddings(pixels), try reference.tensor("image_embeds")) < forwardTolerance)
    }

    @Test func textTowerLayerByLayer() throws {
        let tokens = try tokenBatch(reference)
        let last = model.textModel.lastHiddenState(tokens)
        #expect(relativeError(last, try reference.tensor("text.last_hidden_state")) < forwardTolerance)
        #expect(relativeError(model.textModel.pooled(last, tokens), try reference.tensor("text.pooler_output")) < forwardTolerance)
        #expect(relativeError(model.textEmbeddings(tokens), try reference.tensor("text_embeds")) < forwardTolerance)
    }

    @Test func logitsPerImage() throws {
        let logits = model.logitsPerImage(
            imageEmbeddings: model.imageEmbeddings(try reference.tensor("pixel_values")),
            textEmbeddings: model.textEmbeddings(try tokenBatch(reference)))
        #expect(relativeError(logits, try reference.tensor("logits_per_image")) < forwardTolerance)
    }
}

@Suite struct ViTForwardParity {
    @Test func layerByLayerToLogits() throws {
        let checkpoint = try Checkpoint(directory: Fixtures.url("models/vit"))
        let model = try ViTForImageClassification(try checkpoint.config(ViTConfig.self))
        try model.load(from: checkpoint)
        let reference = try SafeTensorsFile(contentsOf: Fixtures.url("models/reference-vit.safetensors"))
        let pixels = try reference.tensor("pixel_values")

        let embedded = model.embeddings(pixels)
        #expect(relativeError(embedded, try reference.tensor("hidden_states.0")) < forwardTolerance)
        let states = model.encoder.hiddenStates(embedded)
        for (index, state) in states.enumerated() {
            let error = relativeError(state, try reference.tensor("hidden_states.\(index + 1)"))
            #expect(error < forwardTolerance, "layer \(index)")
        }
        #expect(relativeError(model.layernorm(states.last!), try reference.tensor("layernorm")) < forwardTolerance)
        #expect(relativeError(model(pixels), try reference.tensor("logits")) < forwardTolerance)
    }

    /// LiT's image embedding: the pre-logits, `layernorm[:, 0]`, what HF's classifier reads.
    @Test func preLogitsAreTheFinalLayerNormsClassToken() throws {
        let checkpoint = try Checkpoint(directory: Fixtures.url("models/vit"))
        let model = try ViTForImageClassification(try checkpoint.config(ViTConfig.self))
        try model.load(from: checkpoint)
        let reference = try SafeTensorsFile(contentsOf: Fixtures.url("models/reference-vit.safetensors"))
        let layernorm = try reference.tensor("layernorm")
        let (images, tokens, width) = (layernorm.shape[0], layernorm.shape[1], layernorm.shape[2])
        let classTokens = Tensor(uninitializedShape: [images, width])
        for image in 0..<images {
            (classTokens.pointer + image * width).update(from: layernorm.pointer + image * tokens * width, count: width)
        }
        let features = model.features(try reference.tensor("pixel_values"))
        #expect(features.shape == [images, width])
        #expect(relativeError(features, classTokens) < forwardTolerance)
    }
}
