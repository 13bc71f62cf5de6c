import Common
import Foundation
import Results

/// `report build`: the figures, then paper.md linking them. Everything is read before
/// anything is written, so a bad results file leaves the previous report untouched.
public enum ReportBuild {
    /// Writes the figures into `figures` and the document to `output`; returns every file written.
    public static func run(results resultsDirectory: URL, figures figuresDirectory: URL, output: URL) throws -> [URL] {
        let registry = try PublishedRegistry.bundled()
        let results = try ResultsFolder(directory: resultsDirectory)
        var written: [URL] = []
        var figurePaths: [String: String] = [:]
        for figure in figures(registry: registry, results: results) {
            let files = try figure.write(to: figuresDirectory)
            written += files
            figurePaths[figure.name] = relativePath(of: files[0], from: output.deletingLastPathComponent())
        }
        let document = PaperDocument(registry: registry, results: results, figurePaths: figurePaths)
        try writeAtomically(Data(document.render().utf8), to: output)
        return written + [output]
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
