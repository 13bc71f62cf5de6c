// What the scaling chapter costs on the paper preset, projected from the cost chapter's figures:
// every fine-tuning it runs counted in images trained (images x epochs), at the per-image FLOPs
// and the training throughput of the approach it repeats.
import Results

public enum ScalingCostProjection {
    /// The paper preset's study: ViT and the two CLIP recipes at each size of the ladder (91
    /// classes, 10 epochs), then ViT and ft-clip at each further learning rate on the full set
    /// (the 1x point is the ladder's largest, not run twice).
    public static func project(_ costs: [ApproachCost], classes: Int = 91, clipRecipes: Int = 2) -> ScalingStudyCost? {
        guard let vit = costs.first(where: { $0.approach == .vit }), let clip = costs.first(where: { $0.approach == .clipFineTune }) else { return nil }
        let epochs = PaperProjection.epochs
        let ladder = ScalingPlan.ladder.reduce(0, +) * classes * epochs
        let rates = (ScalingPlan.learningRateFactors.count - 1) * PaperProjection.trainingImages * epochs
        func fineTunings(_ cost: ApproachCost, images: Int) -> ScalingStudyFineTunings {
            let fullRun = Double(cost.projection.trainingImages * cost.projection.epochs)
            let share = Double(images) / fullRun
            return ScalingStudyFineTunings(approach: cost.approach, trainedImages: images, trainingFlops: cost.projection.trainingFlops * share,
                                           trainingSecondsOnHardware: cost.projection.trainingSecondsOnHardware * share,
                                           trainingSecondsHere: cost.projection.trainingSecondsHere * share)
        }
        return ScalingStudyCost(
            study: "sizes \(ScalingPlan.ladder.map(String.init).joined(separator: ", ")) images a class for ViT and \(clipRecipes) CLIP recipes, "
                + "learning rates \(ScalingPlan.learningRateFactors.map { "\($0)x" }.joined(separator: ", ")) for ViT and ft-clip on the full set, "
                + "\(epochs) epochs each; the CLIP recipes at ft-clip's FLOPs and throughput",
            fineTunings: [fineTunings(vit, images: ladder + rates), fineTunings(clip, images: clipRecipes * ladder + rates)])
    }
}
