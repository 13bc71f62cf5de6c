// `reproduce --preset paper --quick` end to end, as a user who owns Food-101 and the checkpoints
// starts it: a 101-class Food-101 tree of real photos, tiny random Hugging Face checkpoints of the
// real file format, tiny timm checkpoints and a small CIFAR-10, every chapter run by the built
// products. The run proves the wiring, not the numbers: its results must say paper, quick and which
// checkpoints it used, and its report must claim nothing (no verdicts, not the published checkpoints).
import Common
import Foundation
import Recipes
import Report
import Results
import Testing
import TestSupport

@Suite(.serialized) struct PaperPresetEndToEndTests {
    /// The paper split with fresh random checkpoints, every chapter; the official split with the committed
    /// checkpoints, the chapters that read Food-101 (cost and cifar would only repeat themselves).
    @Test(arguments: [("paper", UInt64?(31), nil), ("official", nil, ["data", "clip", "vit", "clip-finetune", "lit", "wise-ft"])])
    func reproduceQuickRecordsEverythingAndClaimsNothing(split: String, checkpointSeed: UInt64?, chapters: [String]?) throws {
        let started = Date()
        let scratch = try ScratchDirectory()
        guard let food101 = try Food101Fixture.write(to: scratch.url.appendingPathComponent("food-101"), trainPerClass: 4, testPerClass: 1) else {
            print("notice: ../shared/data/food101-sample is absent; the paper preset's end-to-end run is skipped")
            return
        }
        let vit = try HuggingFaceFixture.vit.write(to: scratch.url.appendingPathComponent("vit"), freshSeed: checkpointSeed)
        let clip = try HuggingFaceFixture.clip.write(to: scratch.url.appendingPathComponent("clip"), freshSeed: checkpointSeed.map { $0 + 1 })
        let cifar10 = scratch.url.appendingPathComponent("cifar-10-batches-bin")
        let classNames = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
        try writeCIFAR10Batches(to: cifar10, trainLabels: (0..<50).map { $0 % 10 }, testLabels: (0..<10).map { $0 }, classNames: classNames)
        let timm = Dictionary(uniqueKeysWithValues: try CIFARModel.allCases.map { model in
            (model, try TimmFixture.write(model, to: scratch.url.appendingPathComponent("timm-\(model.slug)"), seed: 5))
        })
        let sources = try copyChapterSources(to: scratch.url.appendingPathComponent("chapters"))
        let results = scratch.url.appendingPathComponent("results")
        let paper = scratch.url.appendingPathComponent("paper.md")

        let run = try runProduct("reproduce", [
            "--preset", "paper", "--quick", "--no-build", "--split", split, "--food101", food101.path,
            "--vit-checkpoint", vit.path, "--clip-checkpoint", clip.path, "--cifar10", cifar10.path,
            "--deit-checkpoint", timm[.deitBaseDistilled]!.path, "--cait-checkpoint", timm[.caitS24]!.path,
            "--densenet-checkpoint", timm[.denseNet201]!.path,
            "--results", results.path, "--cache", scratch.url.appendingPathComponent("cache").path,
            "--figures", scratch.url.appendingPathComponent("figures").path, "--paper", paper.path, "--chapter-sources", sources.path,
        ] + (chapters.map { ["--chapters", $0.joined(separator: ",")] } ?? []), in: scratch.url)
        try #require(run.status == 0, "reproduce failed: \(run.stderr.suffix(2000))")

        // scaling runs only when named (its own test runs it).
        let expected = chapters ?? ChapterPayloads.all.map { $0.chapter }.filter { $0 != ScalingResults.chapter }
        try checkResultsFiles(ResultsFolder(directory: results), expected: expected, vit: vit, clip: clip, timm: chapters == nil ? Array(timm.values) : [])
        try checkPaper(String(contentsOf: paper, encoding: .utf8), allChapters: chapters == nil)
        try checkDiff(results, allChapters: chapters == nil)
        print("paper preset end to end (\(split) split): \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
    }

    /// Every chapter of the paper's order ran, says paper and quick, and names its checkpoints by hash.
    private func checkResultsFiles(_ folder: ResultsFolder, expected: [String], vit: URL, clip: URL, timm: [URL]) throws {
        let ran = Set(folder.files.map(\.chapter))
        #expect(ran == Set(expected), "chapters with results: \(ran.sorted())")
        for file in folder.files {
            #expect(file.preset == .paper && file.quick == true, "\(file.chapter): preset \(file.preset), quick \(String(describing: file.quick))")
            #expect(file.checkpoints != nil, "\(file.chapter) records no checkpoints field")
        }
        let vitHash = try sha256(vit), clipHash = try sha256(clip)
        func identities(_ chapter: String) -> [CheckpointIdentity] {
            folder.files.first { $0.chapter == chapter }?.checkpoints ?? []
        }
        #expect(identities("vit").map(\.weightFiles.first?.sha256) == [vitHash])
        for chapter in ["clip", "clip-finetune", "lit", "wise-ft"] {
            #expect(identities(chapter).map(\.weightFiles.first?.sha256) == [clipHash], "\(chapter)'s CLIP checkpoint")
        }
        let timmHashes = try Set(timm.map(sha256))
        #expect(Set(identities("cifar").compactMap(\.weightFiles.first?.sha256)) == timmHashes)
        for identity in ["vit", "clip", "cifar"].flatMap(identities) {
            #expect(identity.origin == .userSupplied && !identity.published, "\(identity.standsFor) claimed published")
        }
        #expect(identities("vit").first?.architecture.hasPrefix("ViTForImageClassification (hidden_size ") == true)
        #expect(identities("clip").first?.architecture.hasPrefix("CLIPModel (projection_dim ") == true)
    }

    /// paper.md renders every table and figure as a quick run on user-supplied checkpoints, without a verdict.
    private func checkPaper(_ paper: String, allChapters: Bool) {
        for table in ["**Table 1.**", "**Table 2.**", "**Table 3.**", "**Table 4.**", "**Table 5.**", "**CIFAR-10 single-block fine-tuning.**"] {
            #expect(paper.contains(table), "paper.md lacks \(table)")
        }
        #expect(paper.contains("**CIFAR-10 single-block fine-tuning.** This project's comparison; the paper does not cite it. "
            + "Published: Malpure et al. 2021 (validation accuracy) and a public "
            + "reproduction of it (every other published column); this run: \(allChapters ? "preset **paper** (Food-101; quick run" : "not run yet")"))
        for figure in ["fig3-overall-results.png", "fig4-training-loss.png", "fig-wise-ft.png"] {
            #expect(paper.contains(figure), "paper.md does not show \(figure)")
        }
        #expect(paper.contains("**Preset: paper**"))
        #expect(paper.contains("Quick run: smoke-test sizes, no verdicts"))
        #expect(paper.contains("user-supplied checkpoint, not the published one"))
        #expect(!paper.contains("real Food-101 and the published checkpoints."))
        for verdict in ["reproduced", "beaten", "missed", "at chance", "differs"] {
            #expect(!paper.contains("| \(verdict)"), "paper.md gives the verdict \(verdict) on a quick run")
        }
        #expect(!paper.contains("**Held**") && !paper.contains("**Did not hold**"), "a finding judged on a quick run")
    }

    /// `report diff --json` names every published number and judges none of them.
    private func checkDiff(_ results: URL, allChapters: Bool) throws {
        let diff = try runProduct("report", ["diff", "--results", results.path, "--json"])
        try #require(diff.status == 0, "\(diff.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(diff.stdout.utf8)) as? [String: Any])
        let rows = try #require(json["rows"] as? [[String: Any]])
        #expect(rows.compactMap { $0["id"] as? String } == (try PublishedRegistry.bundled()).entries.map(\.id))
        let verdicts = Set(rows.compactMap { $0["verdict"] as? String })
        let allowed = [Verdict.notJudgedQuick, .notPublished, .notInResults] + (allChapters ? [] : [.notRun])
        #expect(verdicts.isSubset(of: allowed.map(\.rawValue)), "verdicts: \(verdicts.sorted())")
        #expect((json["statements"] as? [String])?.contains { $0.contains("Quick run") } == true)
        #expect(try runProduct("report", ["diff", "--results", results.path, "--strict"]).status == 0, "a quick run judges nothing, so nothing fails")
    }

    private func sha256(_ checkpoint: URL) throws -> String {
        SHA256.hex(try Data(contentsOf: checkpoint.appendingPathComponent("model.safetensors")))
    }

    /// The chapters' sources (main.swift only), so the notebooks are woven into the scratch directory.
    private func copyChapterSources(to directory: URL) throws -> URL {
        let chapters = Fixtures.repository.appendingPathComponent("chapters")
        for name in try FileManager.default.contentsOfDirectory(atPath: chapters.path) {
            let source = chapters.appendingPathComponent(name).appendingPathComponent("main.swift")
            guard FileManager.default.fileExists(atPath: source.path) else { continue }
            let target = directory.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: source, to: target.appendingPathComponent("main.swift"))
        }
        return directory
    }
}
