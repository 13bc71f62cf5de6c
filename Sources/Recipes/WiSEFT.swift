// WiSE-FT (Wortsman et al., CVPR 2022, "Robust fine-tuning of zero-shot models"): the weights
// of zero-shot CLIP and of CLIP fine-tuned from it, mixed tensor by tensor,
// theta(alpha) = (1 - alpha) * theta_zero-shot + alpha * theta_fine-tuned, and each mixture
// measured as the clip-finetune chapter measures the fine-tuned model: test accuracy on the
// trained classes through the (mixed) head, extended accuracy on the held-out classes zero-shot
// with the mixed image tower against the pretrained text tower.
import Checkpoints
import Datasets
import Common
import Results
import Training
import Foundation
import Models
import TensorCore

/// Named tensors that exist twice, at a zero-shot and a fine-tuned end, and the tensors each
/// mixture is written into.
public struct WeightInterpolation {
    public struct Entry {
        public let name: String
        /// Where `mix` writes; the model computes with these tensors.
        public let target: Tensor
        public let zeroShot: Tensor
        public let fineTuned: Tensor
    }

    public let entries: [Entry]

    /// Pairs `targets` (the model's tensors, holding the zero-shot weights now) with
    /// `fineTuned`, which must hold the same names with the same shapes: anything else is a
    /// `ChapterError` naming the first difference.
    public init(targets: [(name: String, tensor: Tensor)], fineTuned: [(name: String, tensor: Tensor)], fineTunedSource: String) throws {
        let tuned = Dictionary(fineTuned.map { ($0.name, $0.tensor) }, uniquingKeysWith: { first, _ in first })
        let names = Set(targets.map(\.name))
        if let extra = fineTuned.map(\.name).first(where: { !names.contains($0) }) {
            throw ChapterError("WiSE-FT: \(fineTunedSource) has \(extra), which the zero-shot model does not: the two are not the same architecture")
        }
        entries = try targets.map { name, target in
            guard let other = tuned[name] else {
                throw ChapterError("WiSE-FT: \(fineTunedSource) lacks \(name): the two checkpoints are not the same architecture")
            }
            guard other.shape == target.shape else {
                throw ChapterError("WiSE-FT: \(name) is \(target.shape) in the zero-shot model but \(other.shape) in \(fineTunedSource)")
            }
            return Entry(name: name, target: target, zeroShot: target.copy(), fineTuned: other)
        }
    }

    /// Writes (1 - alpha) * zero-shot + alpha * fine-tuned into every target. Both ends are
    /// exact: alpha 0 gives the zero-shot tensors, alpha 1 the fine-tuned ones.
    public func mix(_ alpha: Double) {
        let (keep, take) = (Float(1 - alpha), Float(alpha))
        for entry in entries {
            let (out, zero, tuned) = (entry.target.pointer, entry.zeroShot.pointer, entry.fineTuned.pointer)
            for i in 0..<entry.target.count { out[i] = keep * zero[i] + take * tuned[i] }
        }
    }
}

/// The zero-shot and fine-tuned CLIP of one clip-finetune run, and every mixture of the two.
public final class WiSEFT {
    public let zeroShotSource: URL
    public let fineTunedSource: URL
    public let data: ExperimentData
    public let prompts: PromptTemplates
    /// The recipe the fine-tuned model was trained with (from its classifier file).
    public let recipe: CLIPFineTuningRecipe
    /// The model each mixture is written into: zero-shot CLIP's text tower and logit scale
    /// throughout, and the image tower and projection of the current mixture.
    public let clip: ZeroShotClassifier
    /// The fine-tuned recipe's classifier on `clip`'s image tower: the zero-shot head mixed like
    /// the tower, or a fresh head (and fc_norm) kept as trained at every alpha.
    public let classifier: CLIPImageClassifier
    public let interpolation: WeightInterpolation
    /// The images that choose alpha: some of the trained classes' training images.
    public let selection: DatasetPixels
    /// SHA-256 of the selection's list, one "class/training index" line per image.
    public let selectionListSha256: String
    /// The share of each trained class's training images that chooses alpha.
    public static let selectionFraction = 0.2
    private let test: DatasetPixels
    private let heldOut: DatasetPixels
    /// Class embeddings from the pretrained text tower, which no mixture changes.
    private let heldOutClasses: Tensor
    private let trainedClasses: Tensor

    /// Loads both checkpoints and prepares the images. The fine-tuned directory is what
    /// `CLIPFineTuning.saveFineTuned` writes; it must come from `zeroShot` (same names and
    /// shapes, the same text tower) with a head over `data.train`'s classes. `selectionFraction`
    /// of each trained class's training images, drawn with `seed`, choose alpha.
    public init(zeroShot: URL, fineTuned: URL, data: ExperimentData, prompts: PromptTemplates = .food,
                selectionFraction: Double = WiSEFT.selectionFraction, seed: UInt64 = 0) throws {
        zeroShotSource = zeroShot
        fineTunedSource = fineTuned
        self.data = data
        self.prompts = prompts
        clip = try ZeroShotClassifier(checkpoint: zeroShot)
        let tuned = try Checkpoint(directory: fineTuned)
        let (recipe, head) = try Self.fineTunedHead(in: fineTuned, classNames: data.train.classNames)
        self.recipe = recipe
        classifier = CLIPImageClassifier(clip: clip.model, recipe: recipe,
                                         classEmbeddings: clip.classEmbeddings(data.train.classNames, prompts: prompts))
        try Self.checkSameTextTower(clip.model, tuned, zeroShot: zeroShot.path, fineTuned: fineTuned.path)

        // The image tower and projection, mixed. A zero-shot head is mixed too: fine-tuning
        // started from it (the class prompts' text embeddings times the logit scale), so alpha 0
        // is exactly zero-shot CLIP on the trained classes. A fresh head (ft-clip, huggingface)
        // has no zero-shot counterpart: as WiSE-FT does for the parts only one end has, it is
        // not mixed but kept as trained, with fc_norm.
        let tower = clip.model.namedParameters.filter { CLIPImageClassifier.isImageTower($0.name) }
        let tunedTower = try tuned.names.filter(CLIPImageClassifier.isImageTower).map { name in
            (name: name, tensor: try tuned.tensor(name))
        }
        if recipe == .zeroShotHead {
            interpolation = try WeightInterpolation(targets: tower + [("classifier.weight", classifier.head!.weight)],
                                                    fineTuned: tunedTower + [("classifier.weight", try head.tensor("weight"))],
                                                    fineTunedSource: fineTuned.path)
        } else {
            for (name, tensor) in classifier.namedParameters where name.hasPrefix("classifier.") || name.hasPrefix("fc_norm.") {
                let stored = try head.tensor(name.hasPrefix("classifier.") ? String(name.dropFirst("classifier.".count)) : name, shape: tensor.shape)
                tensor.pointer.update(from: stored.pointer, count: tensor.count)
            }
            interpolation = try WeightInterpolation(targets: tower, fineTuned: tunedTower, fineTunedSource: fineTuned.path)
        }
        let chosen = DatasetSubset(data.train, seededFraction: selectionFraction, seed: seed)
        selectionListSha256 = SHA256.hex(chosen.indices.map { "\(chosen.classNames[data.train.label(at: $0)])/\($0)" }.joined(separator: "\n").utf8)
        selection = try DatasetPixels(chosen, processor: clip.processor)
        test = try DatasetPixels(data.test, processor: clip.processor)
        heldOut = try DatasetPixels(data.heldOut, processor: clip.processor)
        heldOutClasses = clip.classEmbeddings(data.heldOut.classNames, prompts: prompts)
        trainedClasses = clip.classEmbeddings(data.train.classNames, prompts: prompts)
    }

    /// What is mixed and what is kept, in a sentence for the results.
    public var mixedDescription: String {
        recipe == .zeroShotHead
            ? "image tower and visual projection, and the zero-shot-initialised head against the zero-shot head (the prompts' "
                + "text embeddings times the logit scale); text tower and logit scale as pretrained"
            : "image tower and visual projection; the \(recipe.rawValue) recipe's fresh head\(classifier.fcNorm == nil ? "" : " and fc_norm") "
                + "has no zero-shot counterpart and is kept as trained at every alpha; text tower and logit scale as pretrained"
    }

    /// Sets the model to the mixture `alpha` and scores it: the head over the trained classes'
    /// test images, and zero-shot over the held-out classes' images.
    public func scores(alpha: Double, batchSize: Int = 64) throws -> (test: ClassificationHits, extended: ClassificationHits) {
        interpolation.mix(alpha)
        return (try headScores(test, batchSize: batchSize), try zeroShotScores(heldOut, classes: heldOutClasses, batchSize: batchSize))
    }

    /// Both top-1 accuracies of the mixture `alpha`, each with its 95% bootstrap interval.
    public func point(alpha: Double, seed: UInt64) throws -> WiSEFTPoint {
        let (test, extended) = try scores(alpha: alpha)
        return WiSEFTPoint(alpha: alpha, test: test.bootstrappedTop1(seed: seed), extended: extended.bootstrappedTop1(seed: seed))
    }

    /// The mixture `alpha` on the selection images only: the head's top-1 among the trained
    /// classes, and zero-shot top-1 among the trained classes' names (the pretrained text tower),
    /// the trade test and extended accuracy measure, on images no reported accuracy uses.
    public func selectionScore(alpha: Double, batchSize: Int = 64) throws -> AlphaSelectionScore {
        interpolation.mix(alpha)
        return AlphaSelectionScore(alpha: alpha, head: try headScores(selection, batchSize: batchSize).accuracy.top1.value,
                                   zeroShot: try zeroShotScores(selection, classes: trainedClasses, batchSize: batchSize).accuracy.top1.value)
    }

    private func headScores(_ pixels: DatasetPixels, batchSize: Int) throws -> ClassificationHits {
        var hits = ClassificationHits(classNames: pixels.dataset.classNames)
        try GradMode.with(enabled: false) {
            for start in stride(from: 0, to: pixels.count, by: batchSize) {
                let indices = Array(start..<min(pixels.count, start + batchSize))
                hits.add(classifier(try pixels.pixels(indices)), labels: pixels.labels(indices))
            }
        }
        return hits
    }

    private func zeroShotScores(_ pixels: DatasetPixels, classes: Tensor, batchSize: Int) throws -> ClassificationHits {
        let images = try clip.imageEmbeddings(pixels, batchSize: batchSize)
        return ClassificationHits(classNames: pixels.dataset.classNames, logits: clip.logits(imageEmbeddings: images, classEmbeddings: classes),
                                  labels: pixels.labels(Array(0..<pixels.count)))
    }

    /// The recipe and the head's tensors from classifier.safetensors, after checking that it
    /// classifies `classNames` with a head WiSE-FT can use.
    private static func fineTunedHead(in directory: URL, classNames: [String]) throws -> (CLIPFineTuningRecipe, SafeTensorsFile) {
        let url = directory.appendingPathComponent(CLIPFineTuning.classifierFileName)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw ChapterError("WiSE-FT: \(directory.path) has no \(CLIPFineTuning.classifierFileName): not a model the clip-finetune chapter "
                + "saved with a head (flyp has none; mixing its two fine-tuned towers is not done here)")
        }
        let file = try SafeTensorsFile(contentsOf: url)
        guard let recipe = file.metadata["recipe"].flatMap(CLIPFineTuningRecipe.init(rawValue:)), recipe != .flyp else {
            throw ChapterError("WiSE-FT: \(url.path) names no recipe with a head; fine-tune again with clip-finetune")
        }
        let saved = file.metadata["classes"].flatMap { try? JSONDecoder().decode([String].self, from: Data($0.utf8)) }
        guard saved == classNames else {
            throw ChapterError("WiSE-FT: \(url.path) classifies other classes than this run's \(classNames.count) trained classes")
        }
        return (recipe, file)
    }
    /// Every tensor outside the image tower (text tower, text projection, logit scale) must be
    /// the zero-shot model's: the fine-tuned model came from it, and the text tower is what the
    /// extended accuracy compares every mixture against.
    private static func checkSameTextTower(_ model: CLIPModel, _ tuned: Checkpoint, zeroShot: String, fineTuned: String) throws {
        for (name, tensor) in model.namedParameters where !CLIPImageClassifier.isImageTower(name) {
            guard tuned.shape(of: name) == tensor.shape, try tuned.tensor(name).scalars == tensor.scalars else {
                throw ChapterError("WiSE-FT: \(fineTuned) differs from \(zeroShot) at \(name), outside the image tower: "
                    + "it was not fine-tuned from this zero-shot checkpoint")
            }
        }
    }
}

extension WiSEFT {
    /// How the chapter chooses alpha, stated in its results.
    public static let selectionRule = "the alpha with the highest mean of the head's top-1 and zero-shot top-1 (among the trained "
        + "classes' names) on the selection images, some of the trained classes' training images (the smaller alpha on a tie)"

    /// The score `selectionRule` picks; nil for no scores.
    public static func chosen(_ scores: [AlphaSelectionScore]) -> AlphaSelectionScore? {
        scores.sorted { $0.alpha < $1.alpha }.reduce(nil) { best, score in
            guard let best else { return score }
            return score.mean > best.mean ? score : best
        }
    }
}

extension DatasetSubset {
    /// `fraction` of each class's images (at least one), drawn with `seed`, in the base's order.
    init(_ base: any Dataset, seededFraction fraction: Double, seed: UInt64) {
        var byClass = [[Int]](repeating: [], count: base.classNames.count)
        for index in 0..<base.count { byClass[base.label(at: index)].append(index) }
        var generator = SeededGenerator(seed: seed).derived("wise-ft-selection")
        let picked = byClass.flatMap { indices in
            generator.shuffled(indices).prefix(indices.isEmpty ? 0 : max(1, Int((fraction * Double(indices.count)).rounded())))
        }
        self.init(base, indices: picked.sorted())
    }
}
