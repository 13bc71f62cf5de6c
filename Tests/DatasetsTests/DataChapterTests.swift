import Datasets
import Common
import Results
import Training
import Foundation
import Testing
import TestSupport

/// The data chapter run as a user runs it: its binary, built beside the test bundle.
private func runChapter(_ arguments: [String], in directory: URL) throws -> ProcessOutcome {
    try runProduct("data", arguments, in: directory)
}

private func results(in directory: URL) throws -> [String: Any] {
    let data = try Data(contentsOf: directory.appendingPathComponent("results/data.json"))
    return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
}

/// The similarity table's rows, in order.
private let similarityIDs = ["images_per_trained_class", "clip_pretraining_pairs_per_finetuning_image",
                             "vit_pretraining_images_per_finetuning_image", "vit_tokens_per_clip_tokens", "clip_finetuning_steps",
                             "vit_finetuning_steps", "fresh_head_logit_reach", "downstream_names_in_pretraining_captions",
                             "held_out_near_neighbour_share", "trained_near_neighbour_share"]

@Suite(.serialized) struct DataChapterTests {
    @Test(.enabled(if: sharedSampleExists, skipNotice))
    func paperPresetWritesThePapersSplitOfA101ClassTree() throws {
        let work = try temporaryDirectory("data-chapter")
        defer { try? FileManager.default.removeItem(at: work) }
        let tree = work.appendingPathComponent("food-101")
        try makeFood101Tree(in: tree)

        let outcome = try runChapter(["--preset", "paper", "--food101", tree.path, "--seed", "11"], in: work)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdout.split(separator: "\n").allSatisfy { $0.hasPrefix("[data paper]") })
        let json = try results(in: work)
        #expect(json["preset"] as? String == "paper" && json["seed"] as? Int == 11)
        let payload = try #require(json["results"] as? [String: Any])
        let heldOut = try #require(payload["held_out_classes"] as? [String])
        #expect(heldOut == ["apple pie", "baby back ribs", "baklava", "beef carpaccio", "beef tartare",
                            "beet salad", "beignets", "bibimbap", "bread pudding", "breakfast burrito"])
        let trained = try #require(payload["train_classes"] as? [String])
        #expect(trained.count == 91 && trained.first == "bruschetta" && Set(trained).isDisjoint(with: heldOut))
        let counts = try #require(payload["counts"] as? [String: Int])
        #expect(counts == ["train": 910, "test": 182, "held_out": 120])
        #expect(payload["split"] as? String == "paper" && payload["image_check"] as? String == "decode")
        let checksums = try #require(payload["checksums"] as? [String: String])
        // Exactly the library's split for that seed: the lists' checksums match line for line.
        let split = try Food101Split(Food101(root: tree), kind: .paper, seed: 11)
        #expect(checksums == ["train": SHA256.hex(split.trainSet.listing().utf8),
                              "test": SHA256.hex(split.testSet.listing().utf8),
                              "held_out": SHA256.hex(split.heldOutSet.listing().utf8)])
        #expect(FileManager.default.fileExists(atPath: work.appendingPathComponent("figures/food101-samples.png").path))
        // The paper preset writes the same table for its own run.
        let similarity = try #require(payload["similarity"] as? [[String: Any]])
        #expect(similarity.compactMap { $0["id"] as? String } == similarityIDs)
        let perClass = similarity.first { $0["id"] as? String == "images_per_trained_class" }
        #expect(perClass?["this_run"] as? Double == 10)

        // The same seed gives the same lists; the official split is another.
        let rerun = try runChapter(["--preset", "paper", "--food101", tree.path, "--seed", "11", "--results", "again"], in: work)
        #expect(rerun.status == 0)
        let again = try JSONSerialization.jsonObject(with: Data(contentsOf: work.appendingPathComponent("again/data.json"))) as? [String: Any]
        #expect((again?["results"] as? [String: Any])?["checksums"] as? [String: String] == checksums)
        let official = try runChapter(["--preset", "paper", "--food101", tree.path, "--split", "official", "--quick", "--results", "official"], in: work)
        #expect(official.status == 0, "\(official.stderr)")
        let officialJSON = try JSONSerialization.jsonObject(with: Data(contentsOf: work.appendingPathComponent("official/data.json"))) as? [String: Any]
        #expect((officialJSON?["results"] as? [String: Any])?["counts"] as? [String: Int] == ["train": 728, "test": 364, "held_out": 40])
    }

    @Test(.enabled(if: sharedSampleExists, skipNotice))
    func aCorruptPhotoIsNamedAndNothingIsWritten() throws {
        let work = try temporaryDirectory("data-chapter")
        defer { try? FileManager.default.removeItem(at: work) }
        let tree = work.appendingPathComponent("food-101")
        try makeFood101Tree(in: tree)
        let corrupt = try truncatePhoto(of: "tiramisu", in: tree)

        let outcome = try runChapter(["--preset", "paper", "--food101", tree.path], in: work)
        #expect(outcome.status != 0)
        let lines = outcome.stderr.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].contains(corrupt.path), "\(outcome.stderr)")
        #expect(!FileManager.default.fileExists(atPath: work.appendingPathComponent("results").path))
        #expect(!FileManager.default.fileExists(atPath: work.appendingPathComponent("figures").path))

        let skipping = try runChapter(["--preset", "paper", "--food101", tree.path, "--skip-unreadable"], in: work)
        #expect(skipping.status == 0, "\(skipping.stderr)")
        let payload = try #require(try results(in: work)["results"] as? [String: Any])
        let skipped = try #require(payload["unreadable_skipped"] as? [String])
        #expect(skipped.count == 1 && skipped[0].contains(corrupt.path))
        let counts = try #require(payload["counts"] as? [String: Int])
        #expect(counts["train"]! + counts["test"]! == 91 * 12 - 1)
    }

    @Test(.enabled(if: sharedSampleExists, skipNotice))
    func aMissingMetaFileIsNamedAndNothingIsWritten() throws {
        let work = try temporaryDirectory("data-chapter")
        defer { try? FileManager.default.removeItem(at: work) }
        let tree = work.appendingPathComponent("food-101")
        try makeFood101Tree(in: tree)
        try FileManager.default.removeItem(at: tree.appendingPathComponent("meta/train.txt"))
        let outcome = try runChapter(["--preset", "paper", "--food101", tree.path], in: work)
        #expect(outcome.status != 0 && outcome.stderr.contains("meta/train.txt"))
        #expect(!FileManager.default.fileExists(atPath: work.appendingPathComponent("results").path))
    }

    @Test func miniPresetRendersMiniFoodAndItsFigures() throws {
        let work = try temporaryDirectory("data-chapter")
        defer { try? FileManager.default.removeItem(at: work) }
        let outcome = try runChapter(["--quick", "--seed", "2"], in: work)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdout.split(separator: "\n").allSatisfy { $0.hasPrefix("[data mini]") })
        let json = try results(in: work)
        #expect(json["preset"] as? String == "mini")
        let payload = try #require(json["results"] as? [String: Any])
        #expect((payload["held_out_classes"] as? [String])?.count == 10 && (payload["train_classes"] as? [String])?.count == 91)
        #expect(payload["counts"] as? [String: Int] == ["train": 728, "test": 182, "held_out": 50])
        let similarity = try #require(payload["similarity"] as? [[String: Any]])
        #expect(similarity.compactMap { $0["id"] as? String } == similarityIDs)
        let perClass = similarity.first { $0["id"] as? String == "images_per_trained_class" }
        #expect(perClass?["this_run"] as? Double == 8 && perClass?["paper"] as? Double == 800)
        for figure in ["minifood-contact-sheet.png", "minifood-captions.png", "minifood-variation.png"] {
            #expect(FileManager.default.fileExists(atPath: work.appendingPathComponent("figures/\(figure)").path))
        }
        let paperOnly = try runChapter(["--quick", "--split", "official"], in: work)
        #expect(paperOnly.status != 0 && paperOnly.stderr.contains("paper preset"))
    }
}
