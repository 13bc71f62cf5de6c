// Labels for `vitclip zero-shot`: `--label` (repeated) and `--labels-file` (one a line, for
// thousands of labels: ArgumentParser's parsing of a repeated option is quadratic in its count,
// a file is read in one pass). Both get the same checks, each linear.
import Foundation
import Imaging

/// The labels of `path`: one a line, LF or CRLF, a leading UTF-8 BOM skipped, the final newline
/// optional. Labels are not trimmed (a prompt keeps its spaces); an empty line is refused. A FIFO
/// or a device is refused before anything is read, as every file the project reads.
func readLabelsFile(_ path: String) throws -> [(line: Int, label: String)] {
    let data: Data
    do {
        data = try RawPath(bytes: Array(path.utf8)).readRegularFile()
    } catch {
        throw UsageError("--labels-file \(path): \(error.reason)")
    }
    let bytes = data.starts(with: [0xEF, 0xBB, 0xBF]) ? data.dropFirst(3) : data[...]
    var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
    if lines.last?.isEmpty == true { lines.removeLast() }
    return try lines.enumerated().map { index, line in
        let text = line.last == 0x0D ? line.dropLast() : line
        guard let label = String(bytes: text, encoding: .utf8) else { throw UsageError("\(path):\(index + 1): not UTF-8 text") }
        return (index + 1, label)
    }
}

/// Every label, those of `--label` then those of the file, checked: at least one, none empty,
/// none twice (a set). Errors name a `--label` by its number and a file's label by its line.
func checkedLabels(options: [String], file: (path: String, lines: [(line: Int, label: String)])?) throws -> [String] {
    let labels = options + (file?.lines.map(\.label) ?? [])
    func place(_ index: Int, ordinal: Bool) -> String {
        guard let file, index >= options.count else { return ordinal ? "--label number \(index + 1)" : "--label" }
        return "\(file.path):\(file.lines[index - options.count].line): label"
    }
    if labels.isEmpty { throw UsageError("give at least one --label (or a --labels-file)") }
    if let blank = labels.firstIndex(where: { $0.allSatisfy(\.isWhitespace) }) {
        throw UsageError("\(place(blank, ordinal: true)) is empty")
    }
    var seen = Set<String>()
    if let repeated = labels.indices.first(where: { !seen.insert(labels[$0]).inserted }) {
        throw UsageError("\(place(repeated, ordinal: false)) '\(labels[repeated])' is given twice: each class needs its own name")
    }
    return labels
}
