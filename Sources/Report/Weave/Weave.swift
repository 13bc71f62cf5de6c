import Common
import Results
import Training
import Foundation

/// `report weave`: every chapter that has a results file, as <notebooks>/<chapter>/README.md and
/// <notebooks>/<chapter>/<chapter>.ipynb (the repository's run weaves beside the sources, into
/// chapters/). Everything is read and rendered before anything is written, so a bad results file
/// or a missing source leaves the previous weave untouched.
public enum Weave {
    /// The chapters in the paper's order, then those beyond it: the registry's order.
    public static let paperOrder = ChapterPayloads.all.map { $0.chapter }

    public struct Outcome {
        /// Every file written.
        public let written: [URL]
        /// Chapters of `paperOrder` without a results file: not woven.
        public let skipped: [String]
    }

    /// Weaves every `<results>/<chapter>.json` with `<chapters>/<chapter>/main.swift` into
    /// `<notebooks>/<chapter>/` (nil: beside the sources), showing the PNGs of `figures` that belong
    /// to it. Every link is relative to the page: to its results file, its figures and `paper`
    /// (nil: paper.md beside `chapters`).
    public static func run(results resultsDirectory: URL, chapters chaptersDirectory: URL, figures figuresDirectory: URL,
                           notebooks notebooksDirectory: URL? = nil, paper: URL? = nil) throws -> Outcome {
        let paper = paper ?? chaptersDirectory.deletingLastPathComponent().appendingPathComponent("paper.md")
        let folder = try ResultsFolder(directory: resultsDirectory)
        let reportFigures = figures(registry: try PublishedRegistry.bundled(), results: folder)
        let names = try FileManager.default.contentsOfDirectory(atPath: resultsDirectory.path)
            .filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }
            .sorted { (paperOrder.firstIndex(of: $0) ?? paperOrder.count, $0) < (paperOrder.firstIndex(of: $1) ?? paperOrder.count, $1) }

        var files: [(URL, Data)] = []
        for name in names {
            let sourceFile = chaptersDirectory.appendingPathComponent(name).appendingPathComponent("main.swift")
            let folderOfChapter = (notebooksDirectory ?? chaptersDirectory).appendingPathComponent(name)
            guard let source = try? String(contentsOf: sourceFile, encoding: .utf8) else {
                throw ChapterError("\(sourceFile.path): no chapter source for \(resultsDirectory.path)/\(name).json")
            }
            let resultsFile = resultsDirectory.appendingPathComponent("\(name).json")
            let record = try ChapterRecord.read(resultsFile)
            let figureNames = reportFigures.filter { $0.chapters.contains(name) }.map { "\($0.name).png" }
                + record.ownFigureFiles.filter { $0.hasSuffix(".png") }.map { URL(fileURLWithPath: $0).lastPathComponent }
            let woven = WovenChapter(
                source: ChapterSource(source), record: record,
                figures: try shownFigures(figureNames, in: figuresDirectory, from: folderOfChapter),
                links: .init(results: relativePath(of: resultsFile, from: folderOfChapter),
                             paper: relativePath(of: paper, from: folderOfChapter),
                             previous: neighbour(of: name, offset: -1), next: neighbour(of: name, offset: 1)))
            files.append((folderOfChapter.appendingPathComponent("README.md"), Data(woven.markdown.utf8)))
            files.append((folderOfChapter.appendingPathComponent("\(name).ipynb"), try woven.notebook()))
        }
        for (file, data) in files { try writeAtomically(data, to: file) }
        return Outcome(written: files.map(\.0), skipped: paperOrder.filter { !names.contains($0) })
    }

    /// The figures among `names` that have been drawn into `directory` (`report build` draws
    /// the report's; a chapter draws its own); one not drawn yet is left out, not linked broken.
    private static func shownFigures(_ names: [String], in directory: URL, from chapterFolder: URL) throws -> [WovenFigure] {
        try names.compactMap { name in
            let png = directory.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: png.path) else { return nil }
            return WovenFigure(name: String(name.dropLast(".png".count)), link: relativePath(of: png, from: chapterFolder),
                               png: try Data(contentsOf: png))
        }
    }

    private static func neighbour(of chapter: String, offset: Int) -> String? {
        guard let index = paperOrder.firstIndex(of: chapter), paperOrder.indices.contains(index + offset) else { return nil }
        return paperOrder[index + offset]
    }
}

/// `file`'s path as seen from `directory`, for links in markdown: "figures/x.png", "../figures/x.png".
func relativePath(of file: URL, from directory: URL) -> String {
    let target = file.standardizedFileURL.pathComponents
    let base = directory.standardizedFileURL.pathComponents
    var shared = 0
    while shared < min(target.count, base.count), target[shared] == base[shared] { shared += 1 }
    let ups = Array(repeating: "..", count: base.count - shared)
    return (ups + target[shared...]).joined(separator: "/")
}
