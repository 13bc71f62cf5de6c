// vit, clip-finetune, cifar and lit as two MPI ranks (clip-finetune also as three) against one
// process, at the quick mini sizes and the same global batch and seed. Each rank trains on its slice of every batch and the
// gradients are summed with MPI_Allreduce, so the summed gradient differs from one process's only
// in the order of its float additions: the loss curves agree to a relative 1e-4 (measured: about
// 3e-6 for vit, 2e-7 for clip-finetune). The accuracies are then expected equal exactly: every
// rank scores every image with the same weights, and weights that differ in their last bits do
// not move a prediction at these sizes. lit's contrastive loss couples its batch: each rank embeds
// its share of the captions and gathers the others', so every rank computes the whole batch's
// loss (LiTTests checks its gradients). cifar's DenseNet trains on batch statistics: every rank
// computes the whole batch, as one process does. Features and
// embeddings (cifar's frozen trunk, lit's locked towers) are computed batch by batch with one
// process's boundaries and gathered, so they are one process's. Rank 1 is given its own results
// folder, which must stay absent: rank 0 alone writes.
import Common
import Foundation
import Results
import TestSupport
import Testing

@Suite(.serialized) struct DataParallelChapterTests {
    @Test func twoRanksOfVitTrainAsOneProcess() throws {
        try compareRanksWithOneProcess("vit", as: ViTResults.self, modelOutput: "vit-fine-tuned-mini-quick")
    }

    @Test func twoRanksOfClipFinetuneTrainAsOneProcess() throws {
        try compareRanksWithOneProcess("clip-finetune", as: CLIPFineTuneResults.self, modelOutput: "clip-finetune")
    }

    /// Three ranks, a world size that divides neither the batches nor the images evenly (a rank
    /// may get no evaluation batch), with FLYP: its contrastive loss couples each micro-batch (one
    /// per batch here), which the ranks therefore never split.
    @Test func threeRanksOfClipFinetuneTrainAsOneProcess() throws {
        try compareRanksWithOneProcess("clip-finetune", as: CLIPFineTuneResults.self, modelOutput: "clip-finetune",
                                       arguments: ["--recipes", "ft-clip,flyp"], ranks: 3)
    }

    /// Two ranks with the trunk features on disk (`--feature-memory 0`): rank 0 writes each cache,
    /// rank 1 reads it; one process keeps them in memory. DeiT and CaiT split their batches,
    /// DenseNet (batch statistics) does not.
    @Test func twoRanksOfCifarTrainAsOneProcess() throws {
        guard let work = try compareRanksWithOneProcess("cifar", as: CIFARResults.self, rankOnlyArguments: ["--feature-memory", "0"]) else { return }
        let caches = try FileManager.default.contentsOfDirectory(at: work.url.appendingPathComponent("cache/cifar-features"), includingPropertiesForKeys: nil)
        // One cache per model and split, each complete (its manifest written last).
        #expect(caches.count == 6)
        #expect(caches.allSatisfy { FileManager.default.fileExists(atPath: $0.appendingPathComponent("features.json").path) })
    }

    /// CLIP's locked tower and the pretrained mini ViT's: their embeddings sharded, LiT's
    /// caption embeddings gathered across the ranks for the whole batch's contrastive loss.
    @Test func twoRanksOfLitTrainAsOneProcess() throws {
        try compareRanksWithOneProcess("lit", as: LiTResults.self, arguments: ["--image-tower", "clip", "--image-tower", "vit-pretrained"])
    }

    /// Runs `chapter` once alone and once on `ranks` ranks, in one workspace (the pretrained mini
    /// models are cached by the first run; `modelOutput`, what the fine-tuning writes to the
    /// cache, is removed between them so that the second run trains afresh and rank 0 writes it).
    /// Returns the workspace (nil when the test is skipped).
    @discardableResult
    private func compareRanksWithOneProcess<Payload: ChapterPayload>(_ chapter: String, as payload: Payload.Type, modelOutput: String? = nil,
                                                                arguments: [String] = [], rankOnlyArguments: [String] = [],
                                                                ranks rankCount: Int = 2) throws -> ScratchDirectory? {
        guard mpirunURL != nil else {
            print("notice: mpirun is absent (apt-get install openmpi-bin); skipping the data-parallel \(chapter) test")
            return nil
        }
        let work = try ScratchDirectory()
        let common = ["--quick", "--seed", "3", "--cache", "cache"] + arguments
        let single = try runProduct(chapter, common + ["--results", "one"], in: work.url)
        try #require(single.status == 0, "\(single.stderr)")
        if let modelOutput { try FileManager.default.removeItem(at: work.url.appendingPathComponent("cache/\(modelOutput)")) }

        let onRanks = common + rankOnlyArguments
        let others = (1..<rankCount).map { "rank\($0)" }
        let job = try runUnderMPI(chapter, rankArguments: [onRanks + ["--results", "two"]] + others.map { onRanks + ["--results", $0] }, in: work.url)
        try #require(job.status == 0, "\(job.stderr)")
        for folder in others { #expect(!FileManager.default.fileExists(atPath: work.url.appendingPathComponent(folder).path)) }
        if let modelOutput { #expect(FileManager.default.fileExists(atPath: work.url.appendingPathComponent("cache/\(modelOutput)").path)) }
        #expect(job.stdout.components(separatedBy: "] wrote ").count == single.stdout.components(separatedBy: "] wrote ").count,
                "one rank prints: \(job.stdout)")

        let alone = try ChapterResultsFile<Payload>.read(work.url.appendingPathComponent("one/\(chapter).json"))
        let ranks = try ChapterResultsFile<Payload>.read(work.url.appendingPathComponent("two/\(chapter).json"))
        #expect(alone.cluster == nil)
        #expect(ranks.cluster?.worldSize == rankCount && ranks.cluster?.launcher == "mpirun")
        #expect(ranks.cluster?.trainingExamplesPerSecond?.count == rankCount)

        let (aloneJSON, ranksJSON) = (try payloadJSON(alone), try payloadJSON(ranks))
        let (aloneCurve, ranksCurve) = (losses(aloneJSON), losses(ranksJSON))
        #expect(aloneCurve.count == ranksCurve.count)
        for (one, two) in zip(aloneCurve, ranksCurve) { #expect(abs(one - two) <= 1e-4 * abs(one), "loss \(one) alone, \(two) on \(rankCount) ranks") }
        // Everything else the payload records (accuracies, image counts, hyper-parameters) is equal.
        // (An entry's own loss curve, a recipe's, a model's or a tower's, is checked like the main
        // one; its wall times are not compared.)
        for key in Set(aloneJSON.keys).subtracting(["loss_curve", "epochs"] + Self.entryArrays) {
            #expect(aloneJSON[key] == ranksJSON[key], "\(key) differs")
        }
        let (aloneEntries, ranksEntries) = (entries(aloneJSON), entries(ranksJSON))
        let exact = Self.untimed.union(Self.measuredOnWeights)
        #expect(aloneEntries.map { $0.filter { !exact.contains($0.key) } } == ranksEntries.map { $0.filter { !exact.contains($0.key) } })
        for (one, two) in zip(aloneEntries, ranksEntries) {
            #expect(losses(one).count == losses(two).count)
            for (a, b) in zip(losses(one), losses(two)) { #expect(abs(a - b) <= 1e-4 * abs(a), "entry loss \(a) alone, \(b) on \(rankCount) ranks") }
            for key in Self.measuredOnWeights {
                let (a, b) = (numbers(in: one[key]), numbers(in: two[key]))
                #expect(a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= 1e-6 * max(abs($0), 1e-3) }, "\(key): \(a) alone, \(b) on \(rankCount) ranks")
            }
        }
        #expect(field("test", ofEach: "epochs", aloneJSON) == field("test", ofEach: "epochs", ranksJSON))
        return work
    }

    /// The payload arrays whose entries are compared one by one: clip-finetune's recipes, cifar's
    /// models, lit's towers.
    private static let entryArrays = ["recipes", "models", "variants"]
    /// An entry's fields that are not compared exactly: its losses (its curve to rounding) and its wall times.
    private static let untimed: Set<String> = ["loss_curve", "epoch_mean_losses", "seconds", "train_seconds_per_epoch", "validation_seconds_per_epoch"]
    /// An entry's measurements of its fine-tuned weights (clip-finetune's drift): the ranks' weights
    /// equal one process's to float rounding, so these agree within 1e-6 relative.
    private static let measuredOnWeights: Set<String> = ["drift"]

    private func payloadJSON<Payload>(_ file: ChapterResultsFile<Payload>) throws -> [String: JSONValue] {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = .sortedKeys
        guard case .object(let fields) = try JSONDecoder().decode(JSONValue.self, from: encoder.encode(file.results)) else { return [:] }
        return fields
    }

    /// The entries of a payload's `entryArrays`, in order.
    private func entries(_ json: [String: JSONValue]) -> [[String: JSONValue]] {
        Self.entryArrays.flatMap { name -> [[String: JSONValue]] in
            guard case .array(let items)? = json[name] else { return [] }
            return items.compactMap { if case .object(let fields) = $0 { fields } else { nil } }
        }
    }

    /// Every number in `value`, depth first.
    private func numbers(in value: JSONValue?) -> [Double] {
        switch value {
        case .number(let number)?: [number]
        case .array(let items)?: items.flatMap { numbers(in: $0) }
        case .object(let fields)?: fields.keys.sorted().flatMap { numbers(in: fields[$0]) }
        default: []
        }
    }

    private func losses(_ json: [String: JSONValue]) -> [Double] {
        field("loss", ofEach: "loss_curve", json).compactMap { if case .number(let loss) = $0 { loss } else { nil } }
    }

    /// `name` of every object in the array `array` of `json`.
    private func field(_ name: String, ofEach array: String, _ json: [String: JSONValue]) -> [JSONValue] {
        guard case .array(let items)? = json[array] else { return [] }
        return items.compactMap { if case .object(let fields) = $0 { fields[name] } else { nil } }
    }

    /// `vitclip zero-shot` over 40 images (two batches of 32 and 8: one for each rank) prints on
    /// two ranks exactly what one process prints, table and JSON alike, rank 0 alone.
    @Test(arguments: [[], ["--json"]])
    func twoRanksOfVitclipZeroShotPrintAsOneProcess(format: [String]) throws {
        guard mpirunURL != nil else {
            print("notice: mpirun is absent (apt-get install openmpi-bin); skipping the data-parallel vitclip test")
            return
        }
        let images = (0..<40).map { Fixtures.url("models/images/\(["edges", "noise", "ramps"][$0 % 3]).png").path }
        let arguments = ["zero-shot", "--checkpoint", Fixtures.url("models/clip").path, "--label", "apple pie", "--label", "baklava",
                         "--label", "ramen"] + format + images
        let single = try runProduct("vitclip", arguments)
        try #require(single.status == 0, "\(single.stderr)")
        let job = try runUnderMPI("vitclip", rankArguments: [arguments, arguments])
        try #require(job.status == 0, "\(job.stderr)")
        #expect(single.stdout.split(separator: "\n").count == (format.isEmpty ? 40 * 4 : 1))
        #expect(job.stdout == single.stdout)
    }
}
