// vit and clip-finetune as two MPI ranks against one process, at the quick mini sizes and the
// same global batch and seed. Each rank trains on its slice of every batch and the gradients
// are summed with MPI_Allreduce, so the summed gradient differs from one process's only in
// the order of its float additions: the loss curves agree to a relative 1e-4 (measured:
// about 3e-6 for vit, 2e-7 for clip-finetune). The accuracies are then expected equal
// exactly: every rank scores every image with the same weights, and weights that differ in
// their last bits do not move a prediction at these sizes. Rank 1 is given its own results
// folder, which must stay absent: rank 0 alone writes.
import Common
import Foundation
import Results
import TestSupport
import Testing

@Suite(.serialized) struct DataParallelChapterTests {
    @Test func twoRanksOfVitTrainAsOneProcess() throws {
        try compareOneAndTwoRanks("vit", as: ViTResults.self, modelOutput: "vit-fine-tuned-mini-quick")
    }

    @Test func twoRanksOfClipFinetuneTrainAsOneProcess() throws {
        try compareOneAndTwoRanks("clip-finetune", as: CLIPFineTuneResults.self, modelOutput: "clip-finetune")
    }

    /// Runs `chapter` once alone and once on two ranks, in one workspace (the pretrained mini
    /// models are cached by the first run; `modelOutput`, what the fine-tuning writes to the
    /// cache, is removed between them so that the second run trains afresh and rank 0 writes it).
    private func compareOneAndTwoRanks<Payload: ChapterPayload>(_ chapter: String, as payload: Payload.Type, modelOutput: String) throws {
        guard mpirunURL != nil else {
            print("notice: mpirun is absent (apt-get install openmpi-bin); skipping the data-parallel \(chapter) test")
            return
        }
        let work = try ScratchDirectory()
        let common = ["--quick", "--seed", "3", "--cache", "cache"]
        let single = try runProduct(chapter, common + ["--results", "one"], in: work.url)
        try #require(single.status == 0, "\(single.stderr)")
        try FileManager.default.removeItem(at: work.url.appendingPathComponent("cache/\(modelOutput)"))

        let job = try runUnderMPI(chapter, rankArguments: [common + ["--results", "two"], common + ["--results", "rank1"]], in: work.url)
        try #require(job.status == 0, "\(job.stderr)")
        #expect(!FileManager.default.fileExists(atPath: work.url.appendingPathComponent("rank1").path))
        #expect(FileManager.default.fileExists(atPath: work.url.appendingPathComponent("cache/\(modelOutput)").path))
        #expect(job.stdout.components(separatedBy: "] wrote ").count == 2, "one rank prints: \(job.stdout)")

        let alone = try ChapterResultsFile<Payload>.read(work.url.appendingPathComponent("one/\(chapter).json"))
        let ranks = try ChapterResultsFile<Payload>.read(work.url.appendingPathComponent("two/\(chapter).json"))
        #expect(alone.cluster == nil)
        #expect(ranks.cluster?.worldSize == 2 && ranks.cluster?.launcher == "mpirun")
        #expect(ranks.cluster?.trainingExamplesPerSecond?.count == 2)

        let (aloneJSON, ranksJSON) = (try payloadJSON(alone), try payloadJSON(ranks))
        let (aloneCurve, ranksCurve) = (losses(aloneJSON), losses(ranksJSON))
        #expect(!aloneCurve.isEmpty && aloneCurve.count == ranksCurve.count)
        for (one, two) in zip(aloneCurve, ranksCurve) { #expect(abs(one - two) <= 1e-4 * abs(one), "loss \(one) alone, \(two) on two ranks") }
        // Everything else the payload records (accuracies, image counts, hyper-parameters) is equal.
        // (A recipe entry's own loss curve is checked like the main one; its wall time is not compared.)
        for key in Set(aloneJSON.keys).subtracting(["loss_curve", "epochs", "recipes"]) {
            #expect(aloneJSON[key] == ranksJSON[key], "\(key) differs")
        }
        let (aloneRecipes, ranksRecipes) = (recipes(aloneJSON), recipes(ranksJSON))
        #expect(aloneRecipes.map { $0.filter { !["loss_curve", "seconds"].contains($0.key) } }
                == ranksRecipes.map { $0.filter { !["loss_curve", "seconds"].contains($0.key) } })
        for (one, two) in zip(aloneRecipes, ranksRecipes) {
            for (a, b) in zip(losses(one), losses(two)) { #expect(abs(a - b) <= 1e-4 * abs(a), "recipe loss \(a) alone, \(b) on two ranks") }
        }
        #expect(field("validation", ofEach: "epochs", aloneJSON) == field("validation", ofEach: "epochs", ranksJSON))
    }

    private func payloadJSON<Payload>(_ file: ChapterResultsFile<Payload>) throws -> [String: JSONValue] {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = .sortedKeys
        guard case .object(let fields) = try JSONDecoder().decode(JSONValue.self, from: encoder.encode(file.results)) else { return [:] }
        return fields
    }

    /// The `recipes` entries of a clip-finetune payload (none for other chapters).
    private func recipes(_ json: [String: JSONValue]) -> [[String: JSONValue]] {
        guard case .array(let items)? = json["recipes"] else { return [] }
        return items.compactMap { if case .object(let fields) = $0 { fields } else { nil } }
    }

    private func losses(_ json: [String: JSONValue]) -> [Double] {
        field("loss", ofEach: "loss_curve", json).compactMap { if case .number(let loss) = $0 { loss } else { nil } }
    }

    /// `name` of every object in the array `array` of `json`.
    private func field(_ name: String, ofEach array: String, _ json: [String: JSONValue]) -> [JSONValue] {
        guard case .array(let items)? = json[array] else { return [] }
        return items.compactMap { if case .object(let fields) = $0 { fields[name] } else { nil } }
    }
}
