// The ft-clip and flyp recipes on the random-weight CLIP fixture: FT-CLIP's classifier as its
// code defines it (fc_norm on each patch token, then the mean, a tiny fresh head, the patch
// embedding frozen), and FLYP's contrastive step that moves both towers.
import Datasets
import Foundation
import Models
import Recipes
import TensorCore
import TestSupport
import Testing
import Training

@Suite struct CLIPFineTuningRecipesTests {
    @Test func ftCLIPNormalisesEachPatchTokenThenAveragesIntoATinyFreshHead() throws {
        let run = try fineTuning(recipe: .ftCLIP)
        let clip = run.zeroShot.model, head = try #require(run.classifier.head), norm = try #require(run.classifier.fcNorm)
        let width = clip.config.visionConfig.hiddenSize
        #expect(head.weight.shape == [91, width] && head.bias?.shape == [91])
        // trunc_normal(0.02) × 0.001 and uniform(±width^-1/2) × 0.001.
        let weights = head.weight.scalars.map(Double.init)
        let std = (weights.map { $0 * $0 }.reduce(0, +) / Double(weights.count)).squareRoot()
        #expect(abs(std - 0.02 * 0.001) < 0.1 * 0.02 * 0.001)
        #expect(head.bias!.scalars.allSatisfy { abs(Double($0)) <= 0.001 / Double(width).squareRoot() })
        #expect(head.bias!.scalars.contains { $0 != 0 })

        // Logits: LayerNorm over each patch token (not the class token), then their mean, then the head.
        let pixels = try DatasetPixels(quickData.test, processor: run.zeroShot.processor).pixels(Array(0..<2))
        let logits = GradMode.with(enabled: false) { run.classifier(pixels) }
        let hidden = GradMode.with(enabled: false) { clip.visionModel.lastHiddenState(pixels) }
        let length = hidden.shape[1]
        for item in 0..<2 {
            var mean = [Float](repeating: 0, count: width)
            for position in 1..<length {
                let start = (item * length + position) * width
                let token = Array(hidden.scalars[start..<(start + width)])
                let mu = token.reduce(0, +) / Float(width)
                let variance = token.map { ($0 - mu) * ($0 - mu) }.reduce(0, +) / Float(width)
                for d in 0..<width { mean[d] += (token[d] - mu) / (variance + norm.eps).squareRoot() / Float(length - 1) }
            }
            let expected = (0..<91).map { c in zip(head.weight.rows[c], mean).map(*).reduce(0, +) + head.bias!.scalars[c] }
            #expect(relativeError(logits.rows[item], expected) < 1e-4)
        }

        // Trained: the encoder, fc_norm and head; not the patch embedding, post-LayerNorm or projection.
        let names = run.classifier.namedParameters.map(\.name)
        #expect(names.contains("fc_norm.weight") && names.contains("classifier.bias"))
        #expect(!names.contains { $0.contains("patch_embedding") || $0.contains("post_layernorm") || $0.hasPrefix("visual_projection") })
        let frozen = [clip.visionModel.patchEmbedding.weight, clip.visionModel.postLayernorm.weight, clip.visualProjection.weight].map(\.scalars)
        let layer = clip.visionModel.encoder.namedParameters[0].tensor.scalars
        try run.train(stoppingAfter: 1)
        #expect([clip.visionModel.patchEmbedding.weight, clip.visionModel.postLayernorm.weight, clip.visualProjection.weight].map(\.scalars) == frozen)
        #expect(clip.visionModel.encoder.namedParameters[0].tensor.scalars != layer)
        #expect(run.hyperParameters["recipe"] == .text("ft-clip") && run.hyperParameters["frozen"] == .text("patch embedding"))
    }

    @Test func flypTrainsBothTowersContrastivelyAndClassifiesZeroShot() throws {
        let run = try fineTuning(quickConfiguration(learningRate: 1e-3), recipe: .flyp)
        let clip = run.zeroShot.model
        #expect(run.classifier.head == nil && run.classifier.fcNorm == nil)
        #expect(run.trainableParameters == clip.parameterCount)

        // The loss of a batch is CLIP's contrastive loss between its images and their classes' prompts.
        let pixels = try DatasetPixels(quickData.train, processor: run.zeroShot.processor)
        let indices = Array(0..<8), batch = try pixels.pixels(indices), labels = pixels.labels(indices)
        let prompts = labels.map { run.zeroShot.tokenizer.encode(PromptTemplates.fill(run.prompts.templates[0], with: quickData.train.classNames[$0])) }
        let expected = GradMode.with(enabled: false) { clip.contrastiveLoss(batch, TokenBatch(prompts, padding: run.zeroShot.tokenizer.padding)).item }
        #expect(GradMode.with(enabled: false) { run.loss(pixels: batch, labels: labels).item } == expected)

        let text = clip.textModel.encoder.namedParameters[0].tensor.scalars, image = clip.visionModel.encoder.namedParameters[0].tensor.scalars
        try run.train(stoppingAfter: 1)
        #expect(clip.textModel.encoder.namedParameters[0].tensor.scalars != text)
        #expect(clip.visionModel.encoder.namedParameters[0].tensor.scalars != image)

        // Test accuracy is zero-shot against the fine-tuned text tower.
        let score = try run.score(quickData.test)
        #expect(score == (try run.zeroShot.zeroShotScores(quickData.test, promptSets: [run.prompts])[0]))
    }
}
