import Foundation
import Results

/// The figures `report build` draws: Figures 3 and 4 always (a panel says "not run" when
/// its results are missing, so paper.md's links never break), WiSE-FT when it has results, and
/// the recipes' forgetting figure when clip-finetune compared recipes.
public func figures(registry: PublishedRegistry, results: ResultsFolder) -> [Figure] {
    [overallResultsFigure(registry: registry, results: results), trainingLossFigure(registry: registry, results: results)]
        + [wiseFTFigure(registry: registry, results: results), forgettingFigure(registry: registry, results: results),
           scalingFigure(registry: registry, results: results)].compactMap { $0 }
}
