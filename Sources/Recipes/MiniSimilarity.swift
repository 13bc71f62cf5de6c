// The similarity table (results/data.json's `similarity`): each quantity that decides one of
// the paper's findings, counted for the paper's experiment and for this run from its data and
// its settings (the fine-tuning configurations and model geometries the later chapters use).
// The paper's side comes from the paper and from the sources of its models: Radford et al.
// 2021 (CLIP: 400 million image-text pairs, ViT-B/32 at 224 px), Dosovitskiy et al. 2021
// (ViT-B/16 pretrained on ImageNet-21k, "14M images"), Fei 2024 (Tables 1 and 2, the split).
import Datasets
import Results
import Training
import Foundation

public enum ScaleModelSimilarity {
    /// The paper's split: 91 trained classes x 1,000 photos x 0.8.
    static let paperTrainingImages = ViTFineTuningPlan.paperTrainingImages
    static let paperImagesPerClass = 800.0
    static let clipPairs = 400_000_000.0
    static let imageNet21kImages = 14_000_000.0
    /// ViT-B/16 and CLIP ViT-B/32 at 224 px: 14 x 14 and 7 x 7 patches, each with a class token.
    static let paperViTTokens = tokens(image: 224, patch: 16)
    static let paperCLIPTokens = tokens(image: 224, patch: 32)

    static func tokens(image: Int, patch: Int) -> Int { (image / patch) * (image / patch) + 1 }

    /// Optimiser steps a configuration takes over `images`.
    static func steps(_ configuration: TrainingConfiguration, images: Int) -> Int {
        let batch = configuration.batchSize
        return configuration.epochs * (configuration.dropLastPartialBatch ? images / batch : (images + batch - 1) / batch)
    }

    /// How far a fresh head's logits can move: AdamW moves a weight by about its rate a step, so
    /// rate x head factor x steps x width.
    static func logitReach(_ configuration: TrainingConfiguration, images: Int, width: Int) -> Double {
        configuration.optimizer.learningRate * (configuration.headLearningRateScale ?? 1) * Double(steps(configuration, images: images) * width)
    }

    /// The rows every preset shares; `run` fills this run's side.
    struct RunSide {
        var trainImages: Int
        var trainedClasses: Int
        var clipPairs: Double?
        var vitImages: Double?
        var vitTokens: Int
        var clipTokens: Int
        var clip: TrainingConfiguration
        var vit: TrainingConfiguration
        var clipWidth: Int
        var namesInCaptions: Double?
        var heldOutNearNeighbours: Double?
        var trainedNearNeighbours: Double?
    }

    static func rows(_ run: RunSide, source: String) -> [SimilarityRow] {
        let paperCLIP = CLIPFineTuningPlan.training(preset: .paper, quick: false, seed: 0, layerDecay: nil)
        let paperViT = ViTFineTuningPlan.paper(schedule: .constant, seed: 0).training
        let perImage = { (count: Double?) in count.map { $0 / Double(run.trainImages) } }
        let noAttributes = "Food-101's dishes are not compositions of shared attributes, so near neighbours cannot be counted; "
            + "its first ten classes (apple pie .. breakfast burrito) are unrelated dishes"
        return [
            SimilarityRow(id: "images_per_trained_class", paper: paperImagesPerClass,
                          thisRun: Double(run.trainImages) / Double(run.trainedClasses),
                          note: "fine-tuning (training) images / trained classes; paper: 1,000 Food-101 photos a class x 0.8 (Fei 2024, "
                            + "Section 2.2); this run: \(source)"),
            SimilarityRow(id: "clip_pretraining_pairs_per_finetuning_image", paper: clipPairs / Double(paperTrainingImages),
                          thisRun: perImage(run.clipPairs),
                          note: "CLIP's pretraining image-text pairs / fine-tuning images; paper: 400 million (Radford et al. 2021) / "
                            + "72,800; this run: the pretraining corpus of its CLIP / its training images"
                            + (run.clipPairs == nil ? " (a downloaded checkpoint: its pairs are CLIP's own, uncounted here)" : "")),
            SimilarityRow(id: "vit_pretraining_images_per_finetuning_image", paper: imageNet21kImages / Double(paperTrainingImages),
                          thisRun: perImage(run.vitImages),
                          note: "ViT's pretraining images / fine-tuning images; paper: ImageNet-21k, about 14 million (Dosovitskiy et al. "
                            + "2021) / 72,800; this run: the labelled corpus of its ViT / its training images"),
            SimilarityRow(id: "vit_tokens_per_clip_tokens", paper: Double(paperViTTokens) / Double(paperCLIPTokens),
                          thisRun: Double(run.vitTokens) / Double(run.clipTokens),
                          note: "image tokens (patches and the class token) of the ViT over CLIP's; paper: ViT-B/16 and ViT-B/32 at "
                            + "224 px, \(paperViTTokens) / \(paperCLIPTokens); this run: \(run.vitTokens) / \(run.clipTokens)"),
            SimilarityRow(id: "clip_finetuning_steps", paper: Double(steps(paperCLIP, images: paperTrainingImages)),
                          thisRun: Double(steps(run.clip, images: run.trainImages)),
                          note: "epochs x batches an epoch; paper: Table 2 (10 epochs, batches of 2,048) over 72,800 images"),
            SimilarityRow(id: "vit_finetuning_steps", paper: Double(steps(paperViT, images: paperTrainingImages)),
                          thisRun: Double(steps(run.vit, images: run.trainImages)),
                          note: "epochs x batches an epoch; paper: Table 1 (10 epochs, batches of 256) over 72,800 images"),
            SimilarityRow(id: "fresh_head_logit_reach",
                          paper: logitReach(paperCLIP, images: paperTrainingImages, width: MiniModels.paperWidth),
                          thisRun: logitReach(run.clip, images: run.trainImages, width: run.clipWidth),
                          note: "CLIP fine-tuning's fresh head: learning rate x head rate factor x steps x width (AdamW moves a weight "
                            + "by about its rate a step); paper: 1e-4 x 1 x steps x 768; this run: its settings and its CLIP's width "
                            + "\(run.clipWidth)"),
            SimilarityRow(id: "downstream_names_in_pretraining_captions", paper: nil,
                          paperNote: "CLIP's 400 million pairs are not public; Food-101's names are everyday words of the web, and "
                            + "CLIP's zero-shot accuracy on Food-101 shows it knows them",
                          thisRun: run.namesInCaptions,
                          note: "share of the downstream class names that occur as a word in at least one of the CLIP's pretraining captions"
                            + (run.namesInCaptions == nil ? " (not countable for a downloaded checkpoint)" : "")),
            SimilarityRow(id: "held_out_near_neighbour_share", paper: nil, paperNote: noAttributes,
                          thisRun: run.heldOutNearNeighbours,
                          note: "mean, over the held-out classes, of the share of the other held-out classes sharing two of its three "
                            + "attributes (MiniFood only; a random ten expect 19 / 383 = 0.05)"),
            SimilarityRow(id: "trained_near_neighbour_share", paper: nil, paperNote: noAttributes,
                          thisRun: run.trainedNearNeighbours,
                          note: "the same for the trained classes among the other trained classes"),
        ]
    }

    /// The table for the paper preset: Food-101 split with `trainImages` training images of
    /// `trainedClasses`, the downloaded checkpoints (pretraining not countable here).
    public static func paperPreset(trainImages: Int, trainedClasses: Int, quick: Bool, seed: UInt64) -> [SimilarityRow] {
        rows(RunSide(trainImages: trainImages, trainedClasses: trainedClasses, clipPairs: clipPairs, vitImages: imageNet21kImages,
                     vitTokens: paperViTTokens, clipTokens: paperCLIPTokens,
                     clip: CLIPFineTuningPlan.training(preset: .paper, quick: quick, seed: seed, layerDecay: nil),
                     vit: ViTFineTuningPlan.paper(schedule: .constant, seed: seed).training, clipWidth: MiniModels.paperWidth,
                     namesInCaptions: nil, heldOutNearNeighbours: nil, trainedNearNeighbours: nil),
             source: "Food-101's split as the data chapter made it")
    }

    /// The table for the mini preset: MiniFood at `data`'s sizes, the mini models' recipes.
    public static func miniPreset(_ data: MiniFood, quick: Bool, seed: UInt64) -> [SimilarityRow] {
        let clipRecipe = quick ? MiniCLIPRecipe.quick(seed: seed) : MiniCLIPRecipe.standard(seed: seed)
        let vitRecipe = quick ? MiniViTRecipe.quick(seed: seed) : MiniViTRecipe.standard(seed: seed)
        let vision = clipRecipe.model.visionConfig
        let world = data.world
        return rows(RunSide(trainImages: data.train.count, trainedClasses: world.trained.count,
                            clipPairs: Double(clipRecipe.data.captionPairs), vitImages: Double(vitRecipe.data.labelledImages),
                            vitTokens: tokens(image: vitRecipe.model.imageSize, patch: vitRecipe.model.patchSize),
                            clipTokens: tokens(image: vision.imageSize, patch: vision.patchSize),
                            clip: CLIPFineTuningPlan.training(preset: .mini, quick: quick, seed: seed, layerDecay: nil),
                            vit: ViTFineTuningPlan.mini(trainingImages: data.train.count, quick: quick, schedule: .constant, seed: seed).training,
                            clipWidth: vision.hiddenSize,
                            namesInCaptions: namesInCaptions(world.classes.map(world.name(of:)),
                                                             corpus: MiniFood(seed: seed, sizes: clipRecipe.data).pretrainCaptions),
                            heldOutNearNeighbours: MiniFoodWorld.meanNearNeighbours(world.heldOut) / Double(max(1, world.heldOut.count - 1)),
                            trainedNearNeighbours: MiniFoodWorld.meanNearNeighbours(world.trained) / Double(max(1, world.trained.count - 1))),
             source: "MiniFood's training part")
    }

    /// The share of `names` that occur as a whole word in at least one caption of `corpus`.
    public static func namesInCaptions(_ names: [String], corpus: MiniFoodDataset) -> Double {
        var words = Set<Substring>()
        for index in 0..<corpus.count {
            words.formUnion(corpus.caption(at: index).split(whereSeparator: { !$0.isLetter }))
        }
        return Double(names.filter { words.contains(Substring($0)) }.count) / Double(max(1, names.count))
    }
}
