// LiT, locked-image text tuning (Zhai et al., CVPR 2022): an image tower stays as it was, and
// only a text side learns, with CLIP's own symmetric contrastive loss, to point at the images'
// fixed embeddings. Because the image tower never changes, each training image is embedded
// once, before training; a step then costs only the text tower's forward and backward.
// Zero-shot classification of any class, trained on or not, still compares an image embedding
// the image tower alone makes with text embeddings, so nothing ties the held-out classes'
// images to the trained classes' names. The locked tower is CLIP's own (vision_model and
// visual_projection; this file) or a ViT read at its pre-logits (LiTLockedViT.swift).
//
// With CLIP's tower the pairs are the 91 trained classes' training images, each captioned with
// its class name in a template drawn (from the trainer's seeded generator, afresh each epoch)
// from a fixed list: the preset's prompt ensemble (`PromptTemplates.ensemble(for:)`, OpenAI's
// 80 ImageNet templates on the paper preset, MiniFood's dish-only caption templates on the mini
// one), chosen before any LiT result was seen and never tuned on test images. The zero-shot
// template "a photo of {}, a type of food." is in neither list, so the single-template scores
// measure a phrasing the tuning never saw. As in FLYP (Goyal et al. 2023), two images of one
// class in a batch are still each other's negatives: the loss is CLIP's, unchanged.
//
// What trains: text_model, text_projection and logit_scale. LiT learns its temperature, and so
// does CLIP's pretraining; it is clamped at ln 100 as CLIP clamps it. It changes no ranking, so
// no accuracy, only how sharply the loss weighs the pairs.
import Cluster
import Common
import Datasets
import Foundation
import Models
import Results
import TensorCore
import Tokenizer
import Training

public final class LiT {
    /// The CLIP model whose text tower (and temperature) trains; for the CLIP tower its image
    /// tower stays locked, for a ViT tower it is unused.
    public let clip: ZeroShotClassifier
    /// The training pairs: their images and how each is captioned.
    public let pairs: LiTPairs
    public let trainer: Trainer
    /// Normalised embeddings [training images, P] of the locked image tower, computed once.
    public let trainingImages: Tensor
    /// Token ids of every caption an image may get: captions[captionSet[image]] lists them.
    private let captions: [[[Int]]]
    private let captionSet: [Int]
    /// What is locked and what trains, for the results.
    private let parts: HyperParameters
    /// CLIP clamps its learned temperature: exp(logit_scale) ≤ 100.
    static let maximumLogitScale = Float(log(100.0))

    /// Trains the text side of `clip` against `trainingImages`, the locked tower's normalised
    /// embeddings of `pairs.images` in order.
    init(clip: ZeroShotClassifier, trainingImages: Tensor, pairs: LiTPairs, parts: HyperParameters, configuration: TrainingConfiguration,
         progress: ProgressDisplay) {
        precondition(trainingImages.shape == [pairs.images.count, clip.model.config.projectionDim], "LiT: one embedding per training pair")
        self.clip = clip
        self.trainingImages = trainingImages
        self.pairs = pairs
        self.parts = parts
        (captions, captionSet) = pairs.tokenizedCaptions(clip.tokenizer)
        // The contrastive loss couples a batch's pairs: across MPI ranks each embeds its share of
        // the captions and gathers the others' (`loss`); a batch is never split into micro-batches.
        trainer = Trainer(parameters: clip.model.namedParameters, trainable: .matching { Self.isTrained($0) }, configuration: configuration,
                          examplesPerEpoch: pairs.images.count, coupling: .gathered, progress: progress)
    }

    /// LiT on CLIP's own image tower: loads `checkpoint`, embeds the training images with its
    /// image tower, and prepares a trainer for the text side.
    public convenience init(checkpoint: URL, data: ExperimentData, configuration: TrainingConfiguration, trainingPrompts: PromptTemplates,
                            progress: ProgressDisplay = .automatic) throws {
        let clip = try ZeroShotClassifier(checkpoint: checkpoint)
        let training = try clip.embedImages(data.train)
        self.init(clip: clip, trainingImages: training.embeddings, pairs: LiTPairs(images: data.train, captions: .classNames(trainingPrompts)),
                  parts: ["locked": .text("vision_model, visual_projection"),
                          "trained": .text("text_model, text_projection, logit_scale (clamped at ln 100)")],
                  configuration: configuration, progress: progress)
    }

    /// True for the parameters LiT trains: the text tower, its projection and the temperature.
    public static func isTrained(_ name: String) -> Bool {
        name.hasPrefix("text_model.") || name.hasPrefix("text_projection.") || name == "logit_scale"
    }

    /// Parameters the optimiser updates.
    public var trainableParameters: Int { trainer.trainableParameterCount }

    /// The configuration's settings, with what LiT adds: what is locked, what trains, and the captions.
    public var hyperParameters: HyperParameters {
        trainer.configuration.hyperParameters.merging(parts.merging(["training_captions": .text(pairs.captions.name)]) { $1 }) { $1 }
    }

    /// A batch: the locked embeddings of the images at `indices`, and their captions, each drawn
    /// from its image's captions with `generator`.
    func batch(_ indices: [Int], generator: inout SeededGenerator) -> (images: Tensor, tokens: TokenBatch) {
        let width = trainingImages.shape[1]
        let images = Tensor(uninitializedShape: [indices.count, width])
        for (row, index) in indices.enumerated() {
            (images.pointer + row * width).update(from: trainingImages.pointer + index * width, count: width)
        }
        let sequences = indices.map { index in
            let choices = captions[captionSet[index]]
            return choices.count == 1 ? choices[0] : choices[generator.int(below: choices.count)]
        }
        return (images, TokenBatch(sequences, padding: clip.tokenizer.padding))
    }

    /// CLIP's symmetric contrastive loss of a batch: image i belongs with caption i.
    ///
    /// Under MPI every rank has the whole batch (its images' embeddings are locked and known to
    /// all) and runs the text tower on its share of the captions only; the other ranks' caption
    /// embeddings join as constants, so each rank computes the whole batch's loss, whose gradient
    /// reaches its own captions' rows, and the trainer sums those over the ranks. The temperature
    /// reads the whole loss on every rank, so each rank lets 1/size of its gradient through
    /// (a value unchanged: s/size + s(1 - 1/size), exact for two ranks).
    public func loss(images: Tensor, tokens: TokenBatch) throws -> Tensor {
        let model = clip.model, world = MPIWorld.current
        guard world.size > 1 else {
            return clipContrastiveLoss(logitsPerImage: model.logitsPerImage(imageEmbeddings: images, textEmbeddings: model.textEmbeddings(tokens)))
        }
        let mine = world.share(of: tokens.count)
        let own = model.textEmbeddings(TokenBatch(ids: Array(tokens.ids[mine]), isToken: Array(tokens.isToken[mine])))
        let everyone = try world.allgatherRows(own.scalars, width: own.shape[1])
        return Self.gatheredLoss(images: images, own: own, everyone: everyone, mine: mine, ranks: world.size, logitScale: model.logitScale)
    }

    /// The whole batch's loss as the rank owning rows `mine` of `ranks` computes it: its own
    /// caption embeddings `own` (recorded), every rank's `everyone` [batch, P] (constants).
    static func gatheredLoss(images: Tensor, own: Tensor, everyone: Tensor, mine: Range<Int>, ranks: Int, logitScale: Tensor) -> Tensor {
        let width = own.shape[1], all = everyone.scalars
        let constant = { (rows: Range<Int>) in Tensor(shape: [rows.count, width], scalars: Array(all[(rows.lowerBound * width)..<(rows.upperBound * width)])) }
        let text = concatenated([constant(0..<mine.lowerBound), own, constant(mine.upperBound..<everyone.shape[0])].filter { $0.shape[0] > 0 })
        let share = 1 / Float(ranks)
        let scale = logitScale * share + logitScale.detached() * (1 - share)
        return clipContrastiveLoss(logitsPerImage: matmul(images, text, transposeB: true) * exp(scale))
    }

    /// Trains the text side for the configured epochs (stopping after `stopStep` when given).
    public func train(stoppingAfter stopStep: Int? = nil) throws {
        let logitScale = clip.model.logitScale
        try trainer.fit(batch: { indices, generator in self.batch(indices, generator: &generator) },
                        loss: { try self.loss(images: $0.images, tokens: $0.tokens) },
                        afterStep: { _ in
                            if logitScale.item > Self.maximumLogitScale { logitScale.pointer[0] = Self.maximumLogitScale }
                        },
                        stoppingAfter: stopStep)
    }

    /// Each step's mean loss and learning rate.
    public var lossCurve: [LossPoint] { trainer.lossCurve }
}
