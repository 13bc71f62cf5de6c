import Foundation

// Results files are committed with the repository, so they never name the directories of the
// machine that made them: every path they record is relative to the run's working directory
// (the folder the chapter was started in), with `..` steps for a path outside it.

extension URL {
    /// The path as results files record it: relative to the working directory.
    public var recordedPath: String {
        relativeToWorkingDirectory(standardizedFileURL.path)
    }
}

/// `text` with every absolute path in it recorded as `URL.recordedPath` records a path: what a
/// chapter prints keeps the machine's directories, what its results file keeps does not.
public func recordedText(_ text: String) -> String {
    let whole = NSRange(text.startIndex..., in: text)
    var result = text
    for match in absolutePath.matches(in: text, range: whole).reversed() {
        guard let range = Range(match.range, in: result) else { continue }
        var path = String(result[range])
        var trailing = ""
        while path.count > 1, let last = path.last, ".".contains(last) { path.removeLast(); trailing.insert(last, at: trailing.startIndex) }
        result.replaceSubrange(range, with: URL(fileURLWithPath: path).recordedPath + trailing)
    }
    return result
}

/// A "/" that starts a word (not inside "images/s" or "1/3"), then at least one path character.
private nonisolated(unsafe) let absolutePath = try! NSRegularExpression(pattern: #"(?<![\w./~-])/[^\s,;:()\[\]"'`]+"#)

private func relativeToWorkingDirectory(_ path: String) -> String {
    let here = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).standardizedFileURL.path
    let target = path.split(separator: "/"), base = here.split(separator: "/")
    var shared = 0
    while shared < min(target.count, base.count), target[shared] == base[shared] { shared += 1 }
    let steps = Array(repeating: "..", count: base.count - shared) + target[shared...].map(String.init)
    return steps.isEmpty ? "." : steps.joined(separator: "/")
}
