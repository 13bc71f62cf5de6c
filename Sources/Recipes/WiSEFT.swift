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
    /// The model each mixture is written into: zero-shot CLIP's text tower and logit scale
    /// throughout, and the image tower and projection of the current mixture.
    public let clip: ZeroShotClassifier
    /// The FT-CLIP head on `clip`'s image tower, its rows the current mixture's.
    public let classifier: CLIPImageClassifier
    public let interpolation: WeightInterpolation
    private let validation: DatasetPixels
    private let heldOut: DatasetPixels
    /// The held-out classes' embeddings from the pretrained text tower, which no mixture changes.
    private let heldOutClasses: Tensor

    /// Loads both checkpoints and prepares the images. The fine-tuned directory is what
    /// `CLIPFineTuning.saveFineTuned` writes; it must come from `zeroShot` (same names and
    /// shapes, the same text tower) with the FT-CLIP head over `data.train`'s classes.
    public init(zeroShot: URL, fineTuned: URL, data: ExperimentData, prompts: PromptTemplates = .food) throws {
        zeroShotSource = zeroShot
        fineTunedSource = fineTuned
        self.data = data
        self.prompts = prompts
        clip = try ZeroShotClassifier(checkpoint: zeroShot)
        classifier = CLIPImageClassifier(clip: clip.model, recipe: .zeroShotHead,
                                         classEmbeddings: clip.classEmbeddings(data.train.classNames, prompts: prompts))
        let tuned = try Checkpoint(directory: fineTuned)
        let head = try Self.fineTunedHead(in: fineTuned, classNames: data.train.classNames)
        try Self.checkSameTextTower(clip.model, tuned, zeroShot: zeroShot.path, fineTuned: fineTuned.path)

        // The image tower and projection, and the head: WiSE-FT mixes the head too when, as
        // here, fine-tuning started from the zero-shot head (the class prompts' text embeddings
        // times the logit scale), so alpha 0 is exactly zero-shot CLIP on the trained classes.
        let tower = clip.model.namedParameters.filter { CLIPImageClassifier.isImageTower($0.name) }
        let tunedTower = try tuned.names.filter(CLIPImageClassifier.isImageTower).map { name in
            (name: name, tensor: try tuned.tensor(name))
        }
        interpolation = try WeightInterpolation(targets: tower + [("classifier.weight", classifier.head!.weight)],
                                                fineTuned: tunedTower + [("classifier.weight", head)], fineTunedSource: fineTuned.path)
        validation = try DatasetPixels(data.validation, processor: clip.processor)
        heldOut = try DatasetPixels(data.heldOut, processor: clip.processor)
        heldOutClasses = clip.classEmbeddings(data.heldOut.classNames, prompts: prompts)
    }

    /// Sets the model to the mixture `alpha` and scores it: the head over the trained classes'
    /// validation images, and zero-shot over the held-out classes' images.
    public func scores(alpha: Double, batchSize: Int = 64) throws -> (test: ClassificationHits, extended: ClassificationHits) {
        interpolation.mix(alpha)
        let testImages = try clip.imageEmbeddings(validation, batchSize: batchSize)
        let testLogits = GradMode.with(enabled: false) { classifier.head!(testImages) }
        let heldOutImages = try clip.imageEmbeddings(heldOut, batchSize: batchSize)
        return (ClassificationHits(classNames: data.validation.classNames, logits: testLogits, labels: validation.labels(Array(0..<validation.count))),
                ClassificationHits(classNames: data.heldOut.classNames,
                                    logits: clip.logits(imageEmbeddings: heldOutImages, classEmbeddings: heldOutClasses),
                                    labels: heldOut.labels(Array(0..<heldOut.count))))
    }

    /// Both top-1 accuracies of the mixture `alpha`, each with its 95% bootstrap interval.
    public func point(alpha: Double, seed: UInt64) throws -> WiSEFTPoint {
        let (test, extended) = try scores(alpha: alpha)
        return WiSEFTPoint(alpha: alpha, test: test.bootstrappedTop1(seed: seed), extended: extended.bootstrappedTop1(seed: seed))
    }

    /// The trained head's weight [classes, P] from classifier.safetensors, after checking that it
    /// is FT-CLIP's head over `classNames`.
    private static func fineTunedHead(in directory: URL, classNames: [String]) throws -> Tensor {
        let url = directory.appendingPathComponent(CLIPFineTuning.classifierFileName)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw ChapterError("WiSE-FT: \(directory.path) has no \(CLIPFineTuning.classifierFileName): not a model the clip-finetune chapter saved")
        }
        let file = try SafeTensorsFile(contentsOf: url)
        if let kind = file.metadata["recipe"], kind != CLIPFineTuningRecipe.zeroShotHead.rawValue {
            throw ChapterError("WiSE-FT: \(url.path) holds a \(kind) head; mixing it with the zero-shot head needs a model fine-tuned "
                + "with --recipe \(CLIPFineTuningRecipe.zeroShotHead.rawValue)")
        }
        let saved = file.metadata["classes"].flatMap { try? JSONDecoder().decode([String].self, from: Data($0.utf8)) }
        guard saved == classNames else {
            throw ChapterError("WiSE-FT: \(url.path) classifies other classes than this run's \(classNames.count) trained classes")
        }
        return try file.tensor("weight")
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
    /// How the chapter picks one mixture, stated in its results.
    public static let bestAlphaRule = "the alpha with the highest mean of test and extended top-1 accuracy (the smaller alpha on a tie)"

    /// The point `bestAlphaRule` picks; nil for no points.
    public static func best(_ points: [WiSEFTPoint]) -> WiSEFTPoint? {
        func mean(_ point: WiSEFTPoint) -> Double { (point.test.value + point.extended.value) / 2 }
        return points.sorted { $0.alpha < $1.alpha }.reduce(nil) { best, point in
            guard let best else { return point }
            return mean(point) > mean(best) ? point : best
        }
    }
}
