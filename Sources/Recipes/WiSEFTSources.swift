// Where WiSE-FT's two ends come from: the clip-finetune chapter's results name each recipe's
// fine-tuned model and the checkpoint it started from, and a mixture is only meaningful when the
// zero-shot end is that very checkpoint.
import Common
import Foundation
import Results

public struct WiSEFTSources {
    /// clip-finetune.json under the results directory, when it exists.
    public let recorded: ChapterResultsFile<CLIPFineTuneResults>?
    /// Its path, for the messages that send the reader to run clip-finetune.
    public let file: URL

    /// Reads `<results>/clip-finetune.json`, when there is one.
    public init(results: URL) throws {
        recorded = try ChapterResultsFile<CLIPFineTuneResults>.load(from: results)
        file = results.appendingPathComponent("clip-finetune.json")
    }

    /// The checkpoint the recorded fine-tuning started from (the paper preset's zero-shot end
    /// when no --checkpoint is given).
    public var recordedZeroShot: URL? { recorded.map { URL(fileURLWithPath: $0.results.checkpointSource) } }

    /// The fine-tuned model of `recipe`: `given` when `required` (the first recipe with
    /// --fine-tuned), else the directory clip-finetune recorded for it (nil when it has none).
    /// Checked to be a directory before any work.
    public func fineTunedDirectory(recipe: String, given: String?, required: Bool) throws -> URL? {
        let recordedPath = recorded?.results.recipes.first { $0.id == recipe }?.fineTunedCheckpoint
        if !required && recordedPath == nil { return nil }
        guard let path = (required ? given : nil) ?? recordedPath else {
            throw ChapterError("no fine-tuned CLIP in \(file.path): run clip-finetune first (same --preset, --results and --cache), "
                + "or pass --fine-tuned DIR")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ChapterError("the fine-tuned CLIP \(path) is not a directory: run clip-finetune first, or pass --fine-tuned DIR")
        }
        return URL(fileURLWithPath: path)
    }

    /// Throws unless the recorded fine-tuning (when there is one) started from `zeroShot`, on `preset`.
    public func checkSource(is zeroShot: URL, preset: Preset) throws {
        guard let recorded else { return }
        guard recorded.preset == preset, recorded.results.checkpointSource == zeroShot.recordedPath else {
            throw ChapterError("clip-finetune.json fine-tuned \(recorded.results.checkpointSource) (\(recorded.preset.rawValue) preset), "
                + "not this run's zero-shot CLIP \(zeroShot.recordedPath): run clip-finetune with the same --preset, --seed, --quick "
                + "and --cache first, or pass --fine-tuned DIR")
        }
    }

    /// What clip-finetune measured for `recipe`'s model, which alpha 1 must reproduce.
    public func recordedResult(of recipe: String) -> CLIPRecipeResult? {
        recorded?.results.recipes.first { $0.id == recipe }
    }
}
