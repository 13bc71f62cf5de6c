// CLIP's symmetric contrastive loss, the loss of CLIP pretraining, fine-tuning and LiT.

/// The mean of the image→text and text→image cross-entropies of a [N, N] similarity matrix whose
/// diagonal holds the matching pairs. The logits already carry the learned temperature
/// (exp(logit_scale) · cosine similarity), so its gradient flows through them.
public func clipContrastiveLoss(logitsPerImage: Tensor) -> Tensor {
    precondition(logitsPerImage.rank == 2 && logitsPerImage.shape[0] == logitsPerImage.shape[1],
                 "clipContrastiveLoss: logits must be square, got \(logitsPerImage.shape)")
    let matches = Array(0..<logitsPerImage.shape[0])
    let imageLoss = crossEntropy(logitsPerImage, labels: matches)
    let textLoss = crossEntropy(transposed(logitsPerImage), labels: matches)
    return (imageLoss + textLoss) * 0.5
}
