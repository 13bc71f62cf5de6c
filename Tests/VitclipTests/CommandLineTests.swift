// The `vitclip` executable as other tools call it: its JSON contract, and one clear line on
// stderr with a non-zero exit for bad input.
import Foundation
import TestSupport
import Testing

func vitclip(_ arguments: [String]) throws -> ProcessOutcome { try runProduct("vitclip", arguments) }

func decodeJSON<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
    try JSONDecoder().decode(T.self, from: Data(text.utf8))
}

let clipCheckpoint = Fixtures.url("models/clip").path
let vitCheckpoint = Fixtures.url("models/vit").path
let png = Fixtures.url("models/images/edges.png").path

@Suite struct CommandLineContract {
    @Test func tokenizePrintsIdsFromStartToEnd() throws {
        let run = try vitclip(["tokenize", "--checkpoint", clipCheckpoint, "--json", "a photo of apple pie, a type of food.", "Hi"])
        #expect(run.status == 0)
        let ids = try decodeJSON([String: [[Int]]].self, run.stdout)["ids"]
        #expect(ids == [[49406, 320, 1125, 539, 3055, 5319, 267, 320, 3877, 539, 1559, 269, 49407], [49406, 1883, 49407]])
    }

    @Test func zeroShotPrintsLogitsPerImage() throws {
        let run = try vitclip(["zero-shot", "--checkpoint", clipCheckpoint, "--json", "--label", "apple pie", "--label", "baklava", png, png])
        #expect(run.status == 0)
        let logits = try decodeJSON([String: [[Float]]].self, run.stdout)["logits_per_image"]!
        // The same image twice scores the same, to float rounding: OpenBLAS's kernels for some
        // processors (Zen's) round a row of a product differently by its position in the batch.
        #expect(logits.count == 2 && logits.allSatisfy { $0.count == 2 })
        #expect(zip(logits[0], logits[1]).allSatisfy { abs($0 - $1) <= 1e-6 * max(1, abs($0)) }, "\(logits)")
        // The golden (end-to-end.json) for edges.png: apple pie 5.33987, baklava 5.98727.
        #expect(abs(logits[0][0] - 5.339871883) < 1e-3 && abs(logits[0][1] - 5.987269878) < 1e-3)
    }

    /// Hugging Face ViT and timm checkpoints alike (timm's config.json names an architecture).
    @Test(arguments: [vitCheckpoint, Fixtures.url("timm/deit").path, Fixtures.url("timm/densenet").path])
    func classifyPrintsLogits(checkpoint: String) throws {
        let run = try vitclip(["classify", "--checkpoint", checkpoint, "--json", png])
        #expect(run.status == 0, "\(run.stderr)")
        let logits = try decodeJSON([String: [[Float]]].self, run.stdout)["logits"]!
        #expect(logits.count == 1 && !logits[0].isEmpty)
    }

    @Test(arguments: [
        ["classify", "--checkpoint", vitCheckpoint, "/nonexistent/image.jpg"],
        ["classify", "--checkpoint", "/nonexistent/checkpoint", png],
        ["zero-shot", "--checkpoint", clipCheckpoint, png],
        ["zero-shot", "--checkpoint", clipCheckpoint, "--label", "x", Fixtures.url("models/clip/config.json").path],
        ["tokenize", "--checkpoint", vitCheckpoint, "text"],
    ])
    func badInputFailsWithOneLine(arguments: [String]) throws {
        let run = try vitclip(arguments)
        #expect(run.status != 0)
        #expect(run.stdout.isEmpty)
        #expect(run.stderr.split(separator: "\n").count == 1, "\(run.stderr)")
    }
}
