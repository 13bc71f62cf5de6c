import Common
import Results
import Training
import Foundation
import Testing
import TestSupport
@testable import Report

@Suite struct WeaveTests {
    /// A chapter with an intro, a section that prints, one that prints nothing and an indented
    /// last one; the line numbers in `output` refer to these lines.
    static let source = """
        // # A small chapter
        //
        // Its intro, with `code`.

        import Foundation

        // ## Saying something
        //
        // The first section prints.
        let x = 1
        say("x is \\(x)")

        // ## Quiet
        // This section prints nothing.
        let y = 2

            // ## Last, indented
            say("done")
        /// A documented helper.
        func helper() {}

        """

    static let payload = """
        {"summary": "s", "test": {"top1": {"value": 0.875, "images": 1000, "interval": {"low": 0.8, "high": 0.95, "resamples": 200}}},
         "runs": [{"test": {"value": 0.5, "images": 10, "interval": {"low": 0.25, "high": 0.75, "resamples": 200}}}],
         "figures": ["figures/fig-small.png", "figures/fig-small.svg"]}
        """

    static let printed = """
        [{"line": 0, "text": "starting"}, {"line": 11, "text": "x is 1"}, {"line": 0, "text": "harness line"},
         {"line": 18, "text": "done"}]
        """

    static func resultsJSON(chapter: String = "small", output: String? = printed) -> String {
        """
        {"chapter": "\(chapter)", "preset": "mini", "seed": 7, "git_commit": "abc123", "started": "2026-01-01T00:00:00Z",
         "seconds": 12.34, "machine": {"cores": 2, "memory_bytes": 1073741824, "os": "Debian test"},
         "results": \(payload)\(output.map { ", \"output\": \($0)" } ?? "")}
        """
    }

    static func record(output: String? = printed) throws -> ChapterRecord {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(ChapterRecord.self, from: Data(resultsJSON(output: output).utf8))
    }

    static func woven(output: String? = printed) throws -> WovenChapter {
        WovenChapter(source: ChapterSource(source), record: try record(output: output),
                     figures: [WovenFigure(name: "fig-small", link: "../../figures/fig-small.png", png: Data([1, 2, 3]))],
                     links: .init(results: "../../results/small.json", paper: "../../paper.md", previous: "clip", next: "vit"))
    }

    @Test func theSmallChapterWeavesToExactlyThisDocument() throws {
        let expected = #"""
            <!-- Written by `report weave`: edit the chapter's main.swift, not this file. -->

            > Chapter `small` as this run executed it, woven by `report weave` from its source and its [results file](../../results/small.json); the paper's tables are in [paper.md](../../paper.md).
            >
            > Preset **mini**, seed 7, commit `abc123`, Debian test, 2 cores, 1 GiB; started 2026-01-01T00:00:00Z, 12.3 s; products in fp32.

            # A small chapter

            Its intro, with `code`.

            ```swift
            import Foundation
            ```

            ```text
            starting
            ```

            ## Saying something

            The first section prints.

            ```swift
            let x = 1
            say("x is \(x)")
            ```

            ```text
            x is 1
            harness line
            ```

            ## Quiet
            This section prints nothing.

            ```swift
            let y = 2
            ```

            ## Last, indented

            ```swift
                say("done")
            /// A documented helper.
            func helper() {}
            ```

            ```text
            done
            ```

            ![fig-small](../../figures/fig-small.png)

            ## This run's accuracies

            Every accuracy in the [results file](../../results/small.json), by its path.

            | path under `results` | accuracy (%) | bootstrap interval (%) | images |
            |---|---:|---:|---:|
            | `runs[0].test` | 50.00 | 25.00 to 75.00 | 10 |
            | `test.top1` | 87.50 | 80.00 to 95.00 | 1,000 |

            ---

            Previous chapter: [clip](../clip/) · Next chapter: [vit](../vit/)

            """#
        #expect(try Self.woven().markdown == expected)
    }

    @Test func aRunWithoutRecordedOutputSaysSoAndShowsNoOutput() throws {
        let markdown = try Self.woven(output: nil).markdown
        #expect(markdown.contains("> This run recorded no output."))
        #expect(!markdown.contains("```text"))
        #expect(markdown.contains("func helper() {}\n```\n\n![fig-small]"), "with no output the figures follow the last section")
        #expect(!(try Self.woven().markdown).contains("recorded no output"))
    }

    @Test func aLineOutsideTheSourceGoesWithTheLinePrintedBeforeIt() throws {
        let woven = try Self.woven(output: #"[{"line": 999, "text": "early"}, {"line": 14, "text": "quiet?"}, {"line": 999, "text": "late"}]"#)
        #expect(woven.sections.map(\.output) == [["early"], [], ["quiet?", "late"], []])
        #expect(woven.sections.map(\.figures.count) == [0, 0, 1, 0], "the figures follow the section that printed last")
    }

    @Test func sectionsFollowTheHeadingsAndKeepTheirLineRanges() {
        let source = ChapterSource(Self.source)
        #expect(source.sections.map(\.lines) == [1..<7, 7..<13, 13..<17, 17..<21])
        #expect(source.section(containing: 0) == nil)
        #expect(source.section(containing: 18) == 3)
        #expect(source.section(containing: 21) == nil)
        #expect(source.sections[2].blocks == [.prose("## Quiet\nThis section prints nothing."), .code("let y = 2")])
    }

    @Test func anAlignedCommentIsFencedAndAListIsNot() {
        let source = ChapterSource("""
            // A table:
            //
            //   name     count
            //   DeiT     7,103,252  the last block,
            //                       heads included
            //
            // and a list:
            //   - first item,
            //     continued
            """)
        #expect(source.sections[0].blocks == [.prose("""
            A table:

            ```text
            name     count
            DeiT     7,103,252  the last block,
                                heads included
            ```

            and a list:
              - first item,
                continued
            """)])
    }

    @Test func fencesOutgrowTheBackticksInside() {
        #expect(fenced("let fence = \"````\"", info: "swift") == "`````swift\nlet fence = \"````\"\n`````")
    }

    @Test func theNotebookHasTheCellsOutputsAndFiguresInOrder() throws {
        let data = try Self.woven().notebook()
        #expect(nbformat4Problems(data) == [])
        let notebook = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let cells = try #require(notebook["cells"] as? [[String: Any]])
        #expect(cells.map { $0["cell_type"] as? String } == [
            "markdown", "markdown", "code", "markdown", "code", "markdown", "code", "markdown", "code", "markdown", "markdown",
        ])
        let outputs = cells.map { ($0["outputs"] as? [[String: Any]]) ?? [] }
        #expect(outputs[2].map { $0["text"] as? [String] } == [["starting\n"]])
        #expect(outputs[4].map { $0["text"] as? [String] } == [["x is 1\n", "harness line\n"]])
        #expect(outputs[6].isEmpty, "the quiet section printed nothing")
        #expect(outputs[8].map { $0["output_type"] as? String } == ["stream", "display_data"])
        let image = try #require(outputs[8][1]["data"] as? [String: Any])
        #expect(image["image/png"] as? String == Data([1, 2, 3]).base64EncodedString())
        #expect(cells[8]["source"] as? [String] == ["    say(\"done\")\n", "/// A documented helper.\n", "func helper() {}"])
        let metadata = try #require(notebook["metadata"] as? [String: Any])
        #expect((metadata["kernelspec"] as? [String: Any])?["language"] as? String == "swift")
        #expect((cells[2]["metadata"] as? [String: Any])?["language"] as? String == "swift")
    }

    @Test func theCheckerCatchesABrokenNotebook() throws {
        let broken = #"{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "code", "source": "x", "id": "a b"}]}"#
        #expect(nbformat4Problems(Data(broken.utf8)).count >= 3)
    }

    @Test func weavingAFolderWritesChaptersWithResultsAndSkipsTheOthers() throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let (results, chapters, figures) = try Self.layout(in: root)
        try Self.resultsJSON(chapter: "small").write(to: results.appendingPathComponent("small.json"), atomically: true, encoding: .utf8)

        let outcome = try Weave.run(results: results, chapters: chapters, figures: figures)
        let small = chapters.appendingPathComponent("small")
        #expect(outcome.written.map(\.lastPathComponent) == ["README.md", "small.ipynb"])
        #expect(outcome.skipped == Weave.paperOrder)
        #expect(!FileManager.default.fileExists(atPath: chapters.appendingPathComponent("data/README.md").path))
        let readme = try String(contentsOf: small.appendingPathComponent("README.md"), encoding: .utf8)
        #expect(readme.contains("![fig-small](../../figures/fig-small.png)"), "the payload's own PNG, found in --figures")
        #expect(!readme.contains("fig-small.svg"))
        #expect(readme.contains("[paper.md](../../paper.md)"))
        #expect(!readme.contains("Previous chapter"), "a chapter outside the paper's order has no neighbours")
        let notebook = try Data(contentsOf: small.appendingPathComponent("small.ipynb"))
        #expect(nbformat4Problems(notebook) == [])
        #expect(String(decoding: notebook, as: UTF8.self).contains(Data("PNG bytes".utf8).base64EncodedString()))
    }

    @Test func pagesWovenElsewhereLinkFromWhereTheyAreWritten() throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let (results, chapters, figures) = try Self.layout(in: root)
        try Self.resultsJSON(chapter: "small").write(to: results.appendingPathComponent("small.json"), atomically: true, encoding: .utf8)
        let notebooks = root.appendingPathComponent("scratch/notebooks")
        let paper = root.appendingPathComponent("scratch/paper.md")

        let outcome = try Weave.run(results: results, chapters: chapters, figures: figures, notebooks: notebooks, paper: paper)
        #expect(outcome.written.map(\.path) == ["README.md", "small.ipynb"].map { notebooks.appendingPathComponent("small/\($0)").path })
        #expect(!FileManager.default.fileExists(atPath: chapters.appendingPathComponent("small/README.md").path), "the sources' folder is untouched")
        let readme = try String(contentsOf: notebooks.appendingPathComponent("small/README.md"), encoding: .utf8)
        #expect(readme.contains("![fig-small](../../../figures/fig-small.png)"))
        #expect(readme.contains("[results file](../../../results/small.json)"))
        #expect(readme.contains("[paper.md](../../paper.md)"))
    }

    @Test func aBadResultsFileWritesNothing() throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let (results, chapters, figures) = try Self.layout(in: root)
        try Self.resultsJSON(chapter: "small").write(to: results.appendingPathComponent("small.json"), atomically: true, encoding: .utf8)
        try Self.resultsJSON(chapter: "zzz", output: #"[{"line": "eleven"}]"#)
            .write(to: results.appendingPathComponent("zzz.json"), atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(at: chapters.appendingPathComponent("zzz"), withIntermediateDirectories: true)
        try Self.source.write(to: chapters.appendingPathComponent("zzz/main.swift"), atomically: true, encoding: .utf8)

        #expect(throws: ChapterError.self) { try Weave.run(results: results, chapters: chapters, figures: figures) }
        #expect(!FileManager.default.fileExists(atPath: chapters.appendingPathComponent("small/README.md").path))
    }

    @Test func theCommandNamesAMissingSourceOnOneLineAndWritesNothing() throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let (results, chapters, figures) = try Self.layout(in: root)
        let folders = ["--results", results.path, "--chapters", chapters.path, "--figures", figures.path]
        try Self.resultsJSON(chapter: "small").write(to: results.appendingPathComponent("small.json"), atomically: true, encoding: .utf8)
        try Self.resultsJSON(chapter: "orphan").write(to: results.appendingPathComponent("orphan.json"), atomically: true, encoding: .utf8)

        let failing = try runProduct("report", ["weave"] + folders)
        #expect(failing.status == 1)
        #expect(failing.stderr.hasPrefix("report: error: ") && failing.stderr.contains("orphan/main.swift"))
        #expect(failing.stderr.filter { $0 == "\n" }.count == 1)
        #expect(!FileManager.default.fileExists(atPath: chapters.appendingPathComponent("small/README.md").path))

        try FileManager.default.removeItem(at: results.appendingPathComponent("orphan.json"))
        let passing = try runProduct("report", ["weave"] + folders)
        #expect(passing.status == 0)
        #expect(passing.stdout.contains("wrote \(chapters.path)/small/small.ipynb"))
        #expect(passing.stdout.contains("skipped data: no \(results.path)/data.json"))
    }

    /// results/, chapters/ with `small` and `data` sources, and figures/ with the small chapter's PNG.
    static func layout(in root: URL) throws -> (results: URL, chapters: URL, figures: URL) {
        let results = root.appendingPathComponent("results"), chapters = root.appendingPathComponent("chapters")
        let figures = root.appendingPathComponent("figures")
        for folder in [results, figures, chapters.appendingPathComponent("small"), chapters.appendingPathComponent("data")] {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        }
        try source.write(to: chapters.appendingPathComponent("small/main.swift"), atomically: true, encoding: .utf8)
        try source.write(to: chapters.appendingPathComponent("data/main.swift"), atomically: true, encoding: .utf8)
        try Data("PNG bytes".utf8).write(to: figures.appendingPathComponent("fig-small.png"))
        return (results, chapters, figures)
    }
}

/// What the nbformat 4.5 JSON schema requires of a notebook, in Swift so the suite needs no
/// Python (scripts/validate-notebooks runs the real `nbformat` validator): the top-level keys,
/// kernelspec and language_info, each cell's exact keys and unique id, and each output's keys.
/// Returns the problems found; none for a valid notebook.
func nbformat4Problems(_ data: Data) -> [String] {
    guard let notebook = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else { return ["not a JSON object"] }
    var problems: [String] = []
    func check(_ object: [String: Any], required: Set<String>, optional: Set<String> = [], _ what: String) {
        let keys = Set(object.keys)
        if !required.isSubset(of: keys) { problems.append("\(what): missing \(required.subtracting(keys).sorted())") }
        if !keys.isSubset(of: required.union(optional)) { problems.append("\(what): unexpected \(keys.subtracting(required.union(optional)).sorted())") }
    }
    func isMultilineString(_ value: Any?) -> Bool { value is String || value is [String] }

    check(notebook, required: ["metadata", "nbformat", "nbformat_minor", "cells"], "notebook")
    if notebook["nbformat"] as? Int != 4 { problems.append("nbformat is not 4") }
    if (notebook["nbformat_minor"] as? Int).map({ $0 < 5 }) != false { problems.append("nbformat_minor is not 5 or more (cell ids)") }
    let metadata = notebook["metadata"] as? [String: Any] ?? [:]
    if let kernelspec = metadata["kernelspec"] {
        let spec = kernelspec as? [String: Any] ?? [:]
        if !(spec["name"] is String && spec["display_name"] is String) { problems.append("kernelspec needs name and display_name") }
    }
    if let languageInfo = metadata["language_info"], !((languageInfo as? [String: Any])?["name"] is String) {
        problems.append("language_info needs a name")
    }
    var ids: Set<String> = []
    for (index, cell) in ((notebook["cells"] as? [[String: Any]]) ?? []).enumerated() {
        let what = "cell \(index + 1)"
        let id = cell["id"] as? String ?? ""
        if id.isEmpty || id.count > 64 || !id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) {
            problems.append("\(what): id \"\(id)\" is not 1-64 of [a-zA-Z0-9-_]")
        }
        if !ids.insert(id).inserted { problems.append("\(what): id \(id) repeats") }
        if !(cell["metadata"] is [String: Any]) || !isMultilineString(cell["source"]) { problems.append("\(what): needs metadata and source") }
        switch cell["cell_type"] as? String {
        case "markdown", "raw":
            check(cell, required: ["id", "cell_type", "metadata", "source"], optional: ["attachments"], what)
        case "code":
            check(cell, required: ["id", "cell_type", "metadata", "source", "outputs", "execution_count"], what)
            if !(cell["execution_count"] is NSNull || cell["execution_count"] is Int) { problems.append("\(what): execution_count") }
            for output in (cell["outputs"] as? [[String: Any]]) ?? [] {
                switch output["output_type"] as? String {
                case "stream":
                    check(output, required: ["output_type", "name", "text"], "\(what) stream")
                    if !["stdout", "stderr"].contains(output["name"] as? String ?? "") || !isMultilineString(output["text"]) {
                        problems.append("\(what): stream needs a name stdout or stderr and text")
                    }
                case "display_data":
                    check(output, required: ["output_type", "data", "metadata"], optional: ["transient"], "\(what) display_data")
                    let bundle = output["data"] as? [String: Any] ?? [:]
                    if bundle.isEmpty || !bundle.keys.allSatisfy({ $0.contains("/") }) || !bundle.values.allSatisfy(isMultilineString) {
                        problems.append("\(what): display_data needs a mime bundle of strings")
                    }
                default:
                    problems.append("\(what): unknown output_type \(output["output_type"] ?? "nil")")
                }
            }
        default:
            problems.append("\(what): unknown cell_type \(cell["cell_type"] ?? "nil")")
        }
    }
    return problems
}
