// Forward passes of the tiny timm checkpoints against timm's, stage by stage.
import Checkpoints
import Models
import TensorCore
import TestSupport
import Testing

@Suite struct ForwardParity {
    @Test func distilledVisionTransformer() throws {
        let model = try #require(try fixtureCheckpoint("deit").loadModel() as? DistilledVisionTransformer)
        let golden = try reference("reference-deit")
        let pixels = try golden.tensor("pixel_values")
        var log = ErrorLog()
        log.compare("patch_embed", model.patchEmbed(pixels), try golden.tensor("patch_embed"))
        var x = model.embeddings(pixels)
        log.compare("embeddings", x, try golden.tensor("embeddings"))
        for (i, block) in model.blocks.enumerated() {
            x = block(x)
            log.compare("blocks.\(i)", x, try golden.tensor("blocks.\(i)"))
        }
        log.compare("norm", model.norm(x), try golden.tensor("norm"))
        log.compare("logits", model(pixels), try golden.tensor("logits"))
        #expect(log.worst < forwardTolerance, "\(log.summary)")
    }

    @Test func cait() throws {
        let model = try #require(try fixtureCheckpoint("cait").loadModel() as? Cait)
        let golden = try reference("reference-cait")
        let pixels = try golden.tensor("pixel_values")
        var log = ErrorLog()
        log.compare("patch_embed", model.patchEmbed(pixels), try golden.tensor("patch_embed"))
        var x = model.embeddings(pixels)
        log.compare("embeddings", x, try golden.tensor("embeddings"))
        for (i, block) in model.blocks.enumerated() {
            x = block(x)
            log.compare("blocks.\(i)", x, try golden.tensor("blocks.\(i)"))
        }
        var cls = Tensor(zeros: [2, 1, 16]) + model.clsToken.reshaped([1, 16])
        for (i, block) in model.blocksTokenOnly.enumerated() {
            cls = block(x, classToken: cls)
            log.compare("blocks_token_only.\(i)", cls, try golden.tensor("blocks_token_only.\(i)"))
        }
        log.compare("norm", model.norm(concatenated([cls, x], axis: 1)), try golden.tensor("norm"))
        log.compare("logits", model(pixels), try golden.tensor("logits"))
        #expect(log.worst < forwardTolerance, "\(log.summary)")
    }

    @Test func denseNet() throws {
        let model = try #require(try fixtureCheckpoint("densenet").loadModel() as? DenseNet)
        let golden = try reference("reference-densenet")
        let pixels = try golden.tensor("pixel_values")
        var log = ErrorLog()
        var x = model.stem(pixels)
        log.compare("pool0", x, try golden.tensor("features.pool0"))
        for (i, block) in model.denseBlocks.enumerated() {
            x = block.reduce(x) { x, layer in layer(x) }
            log.compare("denseblock\(i + 1)", x, try golden.tensor("features.denseblock\(i + 1)"))
            if i < model.transitions.count {
                x = model.transitions[i](x)
                log.compare("transition\(i + 1)", x, try golden.tensor("features.transition\(i + 1)"))
            }
        }
        x = model.norm5(x)
        log.compare("norm5", x, try golden.tensor("features.norm5"))
        log.compare("pooled", globalAveragePool(x), try golden.tensor("pooled"))
        log.compare("logits", model(pixels), try golden.tensor("logits"))
        #expect(log.worst < forwardTolerance, "\(log.summary)")
    }
}
