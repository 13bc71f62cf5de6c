// Where a fine-tuning run keeps its files, and the fine-tuned model written as a Hugging Face
// CLIP checkpoint: config, preprocessor and tokenizer files from the source, model.safetensors
// with the fine-tuned image tower and projection beside the pretrained text tower, and the
// trained head in classifier.safetensors. Later chapters load it like any CLIP checkpoint
// (WiSE-FT interpolates its image tower with the zero-shot one).
import Models
import Checkpoints
import Cluster
import Common
import Results
import Training
import Foundation
extension CLIPFineTuning {
    /// The files of a Hugging Face CLIP directory, besides the weights, that a copy needs.
    static let companionFiles = ["config.json", "preprocessor_config.json", "tokenizer_config.json", "special_tokens_map.json",
                                 "vocab.json", "merges.txt", "tokenizer.json"]
    public static let classifierFileName = "classifier.safetensors"

    /// `<cache>/clip-finetune/<preset>-seed<seed>-<key>`: the key digests the source weights
    /// (path, sizes, dates), the data and the configuration, so a run resumes only its own
    /// checkpoints and a changed setting starts afresh beside them.
    public static func runDirectory(cache: URL, preset: Preset, checkpoint: URL, data: ExperimentData,
                                    configuration: TrainingConfiguration, recipe: CLIPFineTuningRecipe = .ftCLIP,
                                    regularization: CLIPFineTuningRegularization = CLIPFineTuningRegularization(), prompts: PromptTemplates = .food) throws -> URL {
        var digest = SHA256()
        digest.update(checkpoint.standardizedFileURL.path + "\n")
        for file in try Checkpoint(directory: checkpoint).weightFiles {
            let attributes = try FileManager.default.attributesOfItem(atPath: file.path)
            let size = (attributes[.size] as? NSNumber)?.int64Value ?? -1
            let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
            digest.update("\(file.lastPathComponent) \(size) \(modified)\n")
        }
        digest.update("\(data.source)\n\(data.train.count) \(data.validation.count) \(data.heldOut.count)\n")
        digest.update("\(data.train.classNames)\n\(data.heldOut.classNames)\n")
        digest.update(recipe.rawValue + "\n" + prompts.templates.joined(separator: "\n") + "\n")
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        digest.update(Array(try encoder.encode(regularization)))
        digest.update(Array(try encoder.encode(configuration)))
        return cache.appendingPathComponent("clip-finetune")
            .appendingPathComponent("\(preset.rawValue)-seed\(configuration.seed)-\(digest.hexDigest().prefix(12))")
    }

    /// Writes the fine-tuned CLIP to `directory`, replacing what is there only once every file
    /// is written (they go to a sibling directory first; `replaceDirectory` swaps it in, so a kill
    /// at any step leaves the old model or the new one whole).
    public func saveFineTuned(to directory: URL) throws {
        guard MPIWorld.current.isLeader else { return }  // under MPI, rank 0 alone writes
        let manager = FileManager.default
        let parent = directory.deletingLastPathComponent()
        let staging = parent.appendingPathComponent(".\(directory.lastPathComponent).partial")
        recoverReplacedDirectories(in: parent)  // a model a killed save had moved aside goes back first
        try? manager.removeItem(at: staging)
        try manager.createDirectory(at: staging, withIntermediateDirectories: true)
        for name in Self.companionFiles {
            let file = source.appendingPathComponent(name)
            guard manager.fileExists(atPath: file.path) else { continue }
            try manager.copyItem(at: file.resolvingSymlinksInPath(), to: staging.appendingPathComponent(name))
        }
        let weights = Dictionary(uniqueKeysWithValues: zeroShot.model.namedParameters.map { ($0.name, $0.tensor) })
        try writeSafeTensors(weights, metadata: ["format": "pt", "fine_tuned": recipe.trained, "recipe": recipe.rawValue],
                             to: staging.appendingPathComponent(Checkpoint.weightsFileName))
        let classes = String(decoding: try JSONEncoder().encode(data.train.classNames), as: UTF8.self)
        // The head as `weight`/`bias` (what WiSE-FT reads), FT-CLIP's norm as `fc_norm.*`; flyp has neither.
        if let head = classifier.head {
            let norm = classifier.fcNorm.map { $0.namedParameters.map { ("fc_norm." + $0.name, $0.tensor) } } ?? []
            try writeSafeTensors(Dictionary(uniqueKeysWithValues: head.namedParameters + norm), metadata: ["classes": classes, "recipe": recipe.rawValue],
                                 to: staging.appendingPathComponent(Self.classifierFileName))
        }
        try replaceDirectory(directory, with: staging)
    }
}
