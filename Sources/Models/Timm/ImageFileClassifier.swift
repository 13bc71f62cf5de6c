// One entry point for `vitclip classify`, whichever library wrote the checkpoint directory.
import Common
import Foundation
import Imaging

/// Class logits for image files, with the class names.
public protocol ImageFileClassifier: AnyObject {
    var labels: [String] { get }
    /// Images per forward pass.
    var batchSize: Int { get }
    /// Class logits [images][labels] of image files named by their paths' bytes.
    func logits(_ images: [RawPath]) throws -> [[Float]]
}

extension ImageFileClassifier {
    public func logits(_ images: [URL]) throws -> [[Float]] { try logits(images.map(RawPath.init)) }
}

extension ImageClassifier: ImageFileClassifier {}
extension TimmImageClassifier: ImageFileClassifier {}

/// The classifier of a checkpoint directory: timm's when its config.json names an `architecture`,
/// else a transformers ViTForImageClassification.
public func loadImageClassifier(checkpoint directory: URL) throws -> any ImageFileClassifier {
    if TimmCheckpoint.isTimmCheckpoint(directory) { return try TimmImageClassifier(checkpoint: directory) }
    return try ImageClassifier(checkpoint: directory)
}
