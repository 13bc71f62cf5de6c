// The cost recipe's arithmetic: FLOPs against a hand count and against the figures commonly
// published for ViT-B/16 and CLIP ViT-B/32, the projection, and the tier rule.
import Checkpoints
import Common
import Results
import Training
import Testing
@testable import Recipes

@Suite struct CostTests {
    @Test func vitFLOPsMatchAHandCount() {
        // 4 x 4 pixels in 2 x 2 patches: 4 patches + [CLS] = 5 tokens of width 4; MLP 8; 3 classes.
        let config = ViTConfig(hiddenSize: 4, numHiddenLayers: 1, numAttentionHeads: 1, intermediateSize: 8, imageSize: 4, patchSize: 2,
                               numChannels: 3, labels: ["a", "b", "c"])
        let patchEmbedding = 2 * 4 * (3 * 2 * 2) * 4  // 4 patches, 12 values each, to width 4: 384
        let projections = 4 * (2 * 5 * 4 * 4)           // q, k, v, output: 640
        let attention = 2 * (2 * 5 * 5 * 4)             // scores and weighted values: 400
        let mlp = 2 * (2 * 5 * 4 * 8)                   // expand and contract: 640
        let head = 2 * 4 * 3                            // 24
        #expect(ForwardFLOPs.vit(config) == Double(patchEmbedding + projections + attention + mlp + head))
        #expect(ForwardFLOPs.vit(config) == 2088)
    }

    @Test func clipFLOPsMatchAHandCount() {
        let config = CLIPConfig(textConfig: CLIPTextConfig(hiddenSize: 2, intermediateSize: 4, projectionDim: 3, numHiddenLayers: 2),
                                visionConfig: CLIPVisionConfig(hiddenSize: 4, intermediateSize: 8, projectionDim: 3, numHiddenLayers: 1,
                                                               imageSize: 4, patchSize: 2),
                                projectionDim: 3)
        // The vision tower is the ViT above without its head, then a 4 -> 3 projection.
        let vision: Double = 384 + 640 + 400 + 640 + 24
        #expect(ForwardFLOPs.clipImage(config) == vision)
        #expect(ForwardFLOPs.similarities(config, classes: 10) == 60)
    }

    @Test func paperModelsCostWhatIsCommonlyPublished() {
        // ViT-B/16 at 224: 17.6 GMACs; CLIP ViT-B/32's image tower: 4.4 GMACs (2 FLOPs per MAC).
        let paper = CostStudy.paperConfigurations(classes: 1000)
        #expect(abs(ForwardFLOPs.vit(paper.vit) / 2 / 17.6e9 - 1) < 0.01)
        #expect(abs(ForwardFLOPs.clipImage(paper.clip) / 2 / 4.4e9 - 1) < 0.01)
    }

    @Test func projectionDividesByTheStatedRates() {
        let figures = ApproachFigures(approach: .vit, name: "v", trainableParameters: 1, forwardFLOPs: 1e10, trainingFLOPsPerImage: 3e10,
                                      throughput: Throughput(inferenceImagesPerSecond: 10, trainingImagesPerSecond: 2))
        let projection = PaperProjection.projection(figures)
        #expect(projection.trainingFlops == 3e10 * 72_800 * 10)
        #expect(abs(projection.trainingSecondsOnHardware - projection.trainingFlops / (2 * 82.6e12 * 0.4)) < 1e-6)
        #expect(projection.trainingSecondsHere == 72_800 * 10 / 2)
        #expect(projection.inferenceFlopsPerImage == 1e10)
    }

    @Test func tiersFollowTheRule() {
        #expect(CostTiers.grade(trainingFLOPs: [.vit: 8e16, .clipZeroShot: 0, .clipFineTune: 2e16])
            == [.vit: .high, .clipZeroShot: .low, .clipFineTune: .medium])
        #expect(CostTiers.grade(trainingFLOPs: [.vit: 3e16, .clipZeroShot: 0, .clipFineTune: 2e16])
            == [.vit: .medium, .clipZeroShot: .low, .clipFineTune: .medium])
        #expect(CostTiers.grade(trainingFLOPs: [.clipZeroShot: 0]) == [.clipZeroShot: .low])
    }
}
