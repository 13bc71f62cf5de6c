// The similarity table's counts, recomputed here from the data and settings they stand for.
import Common
import Datasets
import Foundation
import Results
import Training
import TensorCore
import Testing
@testable import Recipes

@Suite struct MiniSimilarityTests {
    let mini = MiniFood(seed: 4, sizes: .quick)

    private func row(_ rows: [SimilarityRow], _ id: String) -> SimilarityRow? { rows.first { $0.id == id } }

    @Test func miniTableCountsFromTheData() throws {
        let rows = ScaleModelSimilarity.miniPreset(mini, quick: true, seed: 4)
        #expect(row(rows, "images_per_trained_class")?.thisRun == Double(mini.train.count) / 91)
        #expect(row(rows, "images_per_trained_class")?.paper == 800)
        #expect(row(rows, "clip_pretraining_pairs_per_finetuning_image")?.thisRun
            == Double(MiniCLIPRecipe.quick(seed: 4).data.captionPairs) / Double(mini.train.count))
        #expect(row(rows, "vit_tokens_per_clip_tokens")?.thisRun == 17.0 / 5)
        #expect(row(rows, "vit_tokens_per_clip_tokens")?.paper == 197.0 / 50)

        // Names counted word by word in the CLIP's own corpus (the quick recipe's 256 pairs).
        let corpus = MiniFood(seed: 4, sizes: MiniCLIPRecipe.quick(seed: 4).data).pretrainCaptions
        var seen = Set<String>()
        for index in 0..<corpus.count {
            for word in corpus.caption(at: index).split(separator: " ") { seen.insert(word.trimmingCharacters(in: .punctuationCharacters)) }
        }
        let names = mini.world.classes.map(mini.world.name(of:))
        #expect(row(rows, "downstream_names_in_pretraining_captions")?.thisRun == Double(names.filter(seen.contains).count) / 101)
        #expect(row(rows, "downstream_names_in_pretraining_captions")?.paper == nil
            && row(rows, "downstream_names_in_pretraining_captions")?.paperNote != nil)

        // Held-out near neighbours, counted pair by pair.
        let heldOut = mini.world.heldOut
        var pairs = 0
        for a in heldOut {
            for b in heldOut where a != b {
                if [a.colour == b.colour, a.pattern == b.pattern, a.base == b.base].filter({ $0 }).count == 2 { pairs += 1 }
            }
        }
        let share = try #require(row(rows, "held_out_near_neighbour_share")?.thisRun)
        #expect(abs(share - Double(pairs) / 10 / 9) < 1e-12)
    }

    @Test func stepsAndReachFollowTheSettings() throws {
        let standard = MiniFood(seed: 0, sizes: .standard)
        let rows = ScaleModelSimilarity.miniPreset(standard, quick: false, seed: 0)
        // 7,280 images in batches of 256, 10 epochs; the head at 1e-4 x 768/128, width 128.
        #expect(standard.train.count == 7_280)
        let steps = try #require(row(rows, "clip_finetuning_steps")?.thisRun)
        #expect(steps == Double(10 * 29))
        #expect(abs(try #require(row(rows, "fresh_head_logit_reach")?.thisRun) - 1e-4 * 6 * steps * 128) < 1e-9)
        #expect(try #require(row(rows, "fresh_head_logit_reach")?.thisRun) >= 10)
        #expect(row(rows, "vit_finetuning_steps")?.thisRun == Double(10 * (7_280 / 26 + (7_280 % 26 == 0 ? 0 : 1))))
        #expect(row(rows, "downstream_names_in_pretraining_captions")?.thisRun ?? 0 > 0.5)
        // The paper's side: Tables 1 and 2 over 72,800 images.
        #expect(row(rows, "clip_finetuning_steps")?.paper == Double(10 * 36))
        #expect(row(rows, "vit_finetuning_steps")?.paper == Double(10 * 285))
        #expect(abs(try #require(row(rows, "fresh_head_logit_reach")?.paper) - 1e-4 * 360 * 768) < 1e-9)
        // The paper preset counts the same rows from Food-101's split.
        let paper = ScaleModelSimilarity.paperPreset(trainImages: 72_800, trainedClasses: 91, quick: false, seed: 0)
        #expect(paper.map(\.id) == rows.map(\.id))
        #expect(paper.allSatisfy { $0.paper == nil || $0.thisRun == $0.paper })
    }

    @Test func miniModelCacheKeysChangeWithTheWorld() throws {
        #expect(MiniFoodWorld(arrangement: 101).fingerprint == MiniFoodWorld.standard.fingerprint)
        var clip = MiniCLIPRecipe.quick(seed: 0), vit = MiniViTRecipe.quick(seed: 0), timm = MiniTimmRecipe.quick(.caitS24, seed: 0)
        let keys = try [runKey(clip), runKey(vit), runKey(timm)]
        let other = MiniFoodWorld(arrangement: 7).fingerprint
        (clip.world, vit.world, timm.world) = (other, other, other)
        let changed = try [runKey(clip), runKey(vit), runKey(timm)]
        #expect(zip(keys, changed).allSatisfy { $0 != $1 })
    }

    @Test func theFreshHeadsRateIsScaledByThePapersWidthOverTheMiniModels() {
        let clip = CLIPFineTuningPlan.training(preset: .mini, quick: false, seed: 0, layerDecay: nil)
        let vit = ViTFineTuningPlan.mini(trainingImages: 7_280, quick: false, schedule: .constant, seed: 0).training
        #expect(clip.headLearningRateScale == 6 && vit.headLearningRateScale == 6 && clip.optimizer.learningRate == 1e-4)
        #expect(CLIPFineTuningPlan.training(preset: .paper, quick: false, seed: 0, layerDecay: nil).headLearningRateScale == nil)
        #expect(clip.hyperParameters["head_lr_scale"] == .number(6))
        let optimizer = AdamW([("classifier.weight", Tensor(zeros: [2, 2])), ("vision_model.encoder.layers.0.mlp.fc1.weight", Tensor(zeros: [2, 2]))],
                              hyperparameters: clip.optimizer, exemptNormsBiasesAndEmbeddings: true, layerDecay: 0.5, headLearningRateScale: 6)
        #expect(optimizer.parameters.map(\.learningRateScale) == [6, 0.5])
    }
}
