// A bf16 run's numbers are marked "(bf16)" wherever the report prints them (paper.md's tables and
// chapter sentences, `report diff`, the woven header); an fp32 run, and a results file from before
// the precision was recorded, read exactly as before.
import Common
import Foundation
import Results
import TensorCore
import Testing
import Training
@testable import Report

@Suite struct PrecisionReportTests {
    /// vit, clip, clip-finetune and cost on the paper preset, the chapters in `bf16` rewritten as
    /// bf16 runs and the others with `others` (nil: no precision field, as files written before it).
    private func resultsFolder(bf16: Set<String>, others: Precision? = nil) throws -> URL {
        let directory = try temporaryDirectory()
        try writeAccuracyChapters(to: directory, preset: .paper)
        try writeCost(to: directory, preset: .paper)
        func rewrite<Payload: ChapterPayload>(_: Payload.Type) throws {
            var file = try #require(try ChapterResultsFile<Payload>.load(from: directory))
            file.precision = bf16.contains(Payload.chapter) ? .bf16 : others
            try file.write(to: directory)
        }
        try rewrite(ViTResults.self)
        try rewrite(CLIPZeroShotResults.self)
        try rewrite(CLIPFineTuneResults.self)
        try rewrite(CostResults.self)
        return directory
    }

    /// The first markdown table row of paper.md or the diff that starts with `row`, after `heading`.
    private func tableRow(_ document: String, _ row: String, after heading: String = "") throws -> Substring {
        let start = heading.isEmpty ? document.startIndex : try #require(document.range(of: heading), "no \(heading)").upperBound
        return try #require(document[start...].split(separator: "\n").first { $0.hasPrefix("| \(row) |") }, "no row \(row)")
    }

    @Test func paperMarksEveryNumberOfABF16Run() throws {
        let directory = try resultsFolder(bf16: [ViTResults.chapter, CostResults.chapter])
        defer { try? FileManager.default.removeItem(at: directory) }
        let registry = try PublishedRegistry.bundled()
        let folder = try ResultsFolder(directory: directory)
        let paper = PaperDocument(registry: registry, results: folder, figurePaths: [:]).render()

        #expect(paper.contains("**Precision: bf16** for vit, cost"))
        // Table 3: ViT's cell is marked, zero-shot CLIP's (an fp32 run) is not.
        let vit = try #require(folder.metricsByID["vit.test.top1"])
        #expect(vit.precision == .bf16 && folder.metricsByID["clip.test"]?.precision == .fp32)
        let vitRow = try tableRow(paper, try #require(registry.entry("fei2024.table3.vit")).row, after: "**Table 3.**")
        #expect(vitRow.contains("\(formatValue(vit.interval!.upperBound, unit: "%"))] (bf16)"), "\(vitRow)")
        #expect(!(try tableRow(paper, try #require(registry.entry("fei2024.table3.clip")).row, after: "**Table 3.**")).contains("bf16"))
        // Table 1, ViT's settings: every cell of this run.
        #expect(try tableRow(paper, try #require(registry.entry("fei2024.table1.batch_size")).row, after: "**Table 1.**").contains("256 (bf16)"))
        // Table 5: the measured rates beside the tier.
        let costRow = try tableRow(paper, try #require(registry.entry("fei2024.table5.vit")).row, after: "**Table 5.**")
        #expect(costRow.contains("5 (bf16)") && costRow.contains("20 (bf16)"), "\(costRow)")
        // The chapter's sentences: every accuracy and loss.
        let vitFile = try #require(folder[ViTResults.self])
        let summary = try #require(ViTResults.summary(of: vitFile))
        let file = try #require(folder[ViTResults.self]).results
        for number in [file.test.top1.percentWithInterval, file.test.top5.percentWithInterval,
                       String(format: "%.3f", file.lossCurve.first!.loss), String(format: "%.3f", file.lossCurve.last!.loss)] {
            #expect(summary.contains("\(number) (bf16)"), "\(number) in \(summary)")
        }
        #expect(paper.contains(summary))
        let clipFile = try #require(folder[CLIPZeroShotResults.self])
        #expect(!(try #require(CLIPZeroShotResults.summary(of: clipFile))).contains("bf16"))
        // The conclusion's evidence: ViT's accuracy, not the fp32 runs' beside it.
        let finding = try #require(paper.split(separator: "\n").first { $0.hasPrefix("- Fine-tuned ViT has the highest test accuracy") })
        #expect(finding.contains("] (bf16), zero-shot CLIP") && finding.components(separatedBy: "(bf16)").count == 2, "\(finding)")
        // Appendix B: the run's wall time.
        #expect(try tableRow(paper, "vit.json", after: "## Appendix B").contains("1 (bf16)"))
    }

    @Test func reportDiffMarksTheNumbersOfABF16Run() throws {
        let bf16 = try resultsFolder(bf16: [ViTResults.chapter])
        let fp32 = try resultsFolder(bf16: [])
        defer {
            try? FileManager.default.removeItem(at: bf16)
            try? FileManager.default.removeItem(at: fp32)
        }
        let registry = try PublishedRegistry.bundled()
        let folder = try ResultsFolder(directory: bf16)
        let diff = PublishedDiff(registry: registry, results: folder)
        let markdown = diff.markdown(resultsPath: "results", presets: folder.presets)
        #expect(markdown.contains("**Precision: bf16** for vit"))
        let entry = try #require(registry.entry("fei2024.table3.vit"))
        let vitRow = try tableRow(markdown, "\(entry.row): \(entry.column)")
        #expect(vitRow.contains("] (bf16)"), "\(vitRow)")
        let rows = try #require(try JSONSerialization.jsonObject(with: diff.json(resultsPath: "results", presets: folder.presets))
                                as? [String: Any])["rows"] as? [[String: Any]]
        #expect(rows?.first { $0["id"] as? String == "fei2024.table3.vit" }?["precision"] as? String == "bf16")
        #expect(rows?.first { $0["id"] as? String == "fei2024.table3.clip" }?["precision"] as? String == "fp32")

        let runs = RunDiff(this: try ResultsFolder(directory: fp32), other: folder).markdown(thisPath: "fp32", otherPath: "bf16")
        let row = try #require(runs.split(separator: "\n").first { $0.contains("| vit.test.top1 |") })
        #expect(row.components(separatedBy: "(bf16)").count == 2, "only the bf16 run's cell: \(row)")
    }

    @Test func anFP32RunReadsAsAFileWithoutThePrecision() throws {
        let recorded = try resultsFolder(bf16: [], others: .fp32)
        let old = try resultsFolder(bf16: [])
        defer {
            try? FileManager.default.removeItem(at: recorded)
            try? FileManager.default.removeItem(at: old)
        }
        let oldJSON = try String(contentsOf: old.appendingPathComponent("vit.json"), encoding: .utf8)
        let recordedJSON = try String(contentsOf: recorded.appendingPathComponent("vit.json"), encoding: .utf8)
        #expect(!oldJSON.contains("\"precision\"") && recordedJSON.contains("\"precision\" : \"fp32\""))
        let file = try #require(try ChapterResultsFile<ViTResults>.load(from: old))
        #expect(file.precision == nil && file.precisionUsed == .fp32)

        let registry = try PublishedRegistry.bundled()
        /// paper.md, without the results folder's (temporary) name.
        func paper(_ directory: URL) throws -> String {
            PaperDocument(registry: registry, results: try ResultsFolder(directory: directory), figurePaths: [:]).render()
                .replacingOccurrences(of: directory.lastPathComponent, with: "results")
        }
        let oldPaper = try paper(old)
        #expect(!oldPaper.contains("bf16"))
        #expect(try paper(recorded) == oldPaper)
        let oldDiff = PublishedDiff(registry: registry, results: try ResultsFolder(directory: old)).markdown(resultsPath: "r", presets: [:])
        #expect(PublishedDiff(registry: registry, results: try ResultsFolder(directory: recorded)).markdown(resultsPath: "r", presets: [:]) == oldDiff)
    }

    @Test func aResultsFileClaimingAutoIsRefused() throws {
        let directory = try resultsFolder(bf16: [])
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("clip.json")
        var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
        json["precision"] = "auto"
        try JSONSerialization.data(withJSONObject: json).write(to: file)
        #expect(throws: ChapterError.self) { try ResultsFolder(directory: directory) }
    }

    @Test func theWovenChapterStatesThePrecisionAndMarksItsAccuracies() throws {
        func woven(_ precision: String?) throws -> WovenChapter {
            let json = WeaveTests.resultsJSON().replacingOccurrences(of: "\"seed\": 7", with: "\"seed\": 7" + (precision.map { ", \"precision\": \"\($0)\"" } ?? ""))
            let decoder = JSONDecoder()
            decoder.keyDecodingStrategy = .convertFromSnakeCase
            let record = try decoder.decode(ChapterRecord.self, from: Data(json.utf8))
            return WovenChapter(source: ChapterSource(WeaveTests.source), record: record, figures: [],
                                links: .init(results: "r.json", paper: "p.md", previous: nil, next: nil))
        }
        let bf16 = try woven("bf16")
        #expect(bf16.header.contains("products in **bf16**"))
        #expect(bf16.accuracyTable?.contains("| `test.top1` | 87.50 (bf16) | 80.00 to 95.00 (bf16) | 1,000 |") == true, "\(bf16.accuracyTable ?? "")")
        #expect(try woven("fp32").header.hasSuffix("12.3 s; products in fp32."))
        #expect(try woven(nil).markdown == woven("fp32").markdown)
    }
}
