// The sentences paper.md writes about more than one chapter's numbers, or about a chapter's facts
// beside another's: the forgetting of the recipes against zero-shot CLIP, MiniFood's scale. Each
// chapter's own closing sentences are its payload's (`ChapterPayload.summary(of:)`).
import Common
import Foundation
import Results
import TensorCore
import Training

public enum ChapterSummaries {
    /// The recipes beside one another: how far each moves test and extended accuracy from
    /// zero-shot CLIP's, and which loses the most of the held-out classes.
    public static func forgetting(_ file: ChapterResultsFile<CLIPFineTuneResults>, zeroShot: ChapterResultsFile<CLIPZeroShotResults>?) -> String {
        let recipes = file.results.recipes, mark = PrecisionMark(file)
        guard let zeroShot else {
            return "The recipes' numbers \(presetTag(file)): " + recipes.map { "\($0.id) \(mark($0.test.percentWithInterval)) test, "
                + "\(mark($0.extended.percentWithInterval)) extended" }.joined(separator: "; ") + " (no zero-shot run to compare with)."
        }
        let clip = zeroShot.results, clipMark = PrecisionMark(zeroShot)
        // A change mixes both runs' numbers: marked when either is bf16.
        let changeMark = mark.precision == .bf16 ? mark : clipMark
        func points(_ after: Accuracy, _ before: Accuracy) -> String {
            changeMark(String(format: "%+.1f", 100 * (after.value - before.value))) + " points"
        }
        var text = "Against zero-shot CLIP \(presetTag(file)) (\(clipMark(clip.test.percentWithInterval)) test, \(clipMark(clip.extended.percentWithInterval)) "
            + "extended), "
        text += recipes.map { "\($0.id) reaches \(mark($0.test.percentWithInterval)) test (\(points($0.test, clip.test))) and "
            + "\(mark($0.extended.percentWithInterval)) extended (\(points($0.extended, clip.extended)))" }.joined(separator: "; ") + ". "
        if recipes.count > 1 {
            func overlap(_ tied: [CLIPRecipeResult]) -> String {
                tied.map { "\($0.id) (\(mark($0.extended.percentWithInterval)))" }.joined(separator: ", ")
            }
            switch IntervalExtreme.of(recipes, lowest: true, accuracy: \.extended) {
            case .clear(let worst)?: text += "The held-out classes suffer most under \(worst.id) (trained: \(worst.trained)). "
            case .overlapping(let tied)?: text += "No recipe clearly suffers most on the held-out classes: the 95% intervals of \(overlap(tied)) overlap. "
            case nil: break
            }
            switch IntervalExtreme.of(recipes, lowest: false, accuracy: \.extended) {
            case .clear(let best)?: text += "They suffer least under \(best.id) (trained: \(best.trained))."
            case .overlapping(let tied)?: text += "No recipe clearly least: the 95% intervals of \(overlap(tied)) overlap."
            case nil: break
            }
        }
        return text
    }

    /// Section 2.1's words on MiniFood (nil on Food-101): how crowded each group's task is beside
    /// zero-shot CLIP's two accuracies, and the miniature's scale beside the paper's.
    public static func miniatureScale(_ data: ChapterResultsFile<DataResults>, zeroShot: ChapterResultsFile<CLIPZeroShotResults>?) -> String? {
        guard let facts = data.results.miniFood else { return nil }
        let r = data.results, trained = r.trainClasses.count, heldOut = r.heldOutClasses.count
        var text = "MiniFood's held-out classes are the first \(heldOut) of its class list, alphabetical by the dishes' made-up names, as "
            + "Food-101's are of its own: " + r.heldOutClasses.joined(separator: ", ") + ". "
        if let crowding = facts.meanNearNeighbours {
            text += String(format: "Within its group a held-out class has on average %.2f of the %d other held-out classes sharing two of its "
                + "three attributes, a trained class %.2f of the %d other trained ones", crowding.heldOut, heldOut - 1, crowding.trained, trained - 1)
            if let zeroShot {
                let clip = zeroShot.results, mark = PrecisionMark(zeroShot)
                text += "; zero-shot CLIP classifies \(mark(clip.test.percentWithInterval)) of the trained classes' test images (a "
                    + "\(trained)-way choice) and \(mark(clip.extended.percentWithInterval)) of the held-out images (\(heldOut)-way)"
            }
            text += ". "
        }
        let perClass = { (count: Int, classes: Int) in classes > 0 ? formatNumber(Double(count) / Double(classes)) : "?" }
        text += "Scale: fine-tuning sees \(perClass(r.counts.train, trained)) training and \(perClass(r.counts.test, trained)) test "
            + "images per trained class (Food-101 after the paper's 0.8:0.2 split as this project reads it: 800 and 200; the dataset's own lists: 750 and 250) and \(perClass(r.counts.heldOut, heldOut)) per "
            + "held-out class (Food-101: 1,000); the mini CLIP is pretrained on \(formatNumber(Double(facts.pretrainCaptionPairs))) "
            + "image-caption pairs (CLIP: 400 million) and the mini ViT on \(formatNumber(Double(facts.pretrainLabelledImages))) labelled "
            + "images (ImageNet-21k: about 14 million). A mini finding says what the method does in this small world, not what it does "
            + "on Food-101 at CLIP's scale."
        return text
    }
}
