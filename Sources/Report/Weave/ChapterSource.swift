// A chapter's main.swift as a notebook's cells. Its `// ## ` headings split it into sections
// (what comes before the first one, the `// # ` title included, is the intro); inside a
// section, each run of `//` comment lines is prose and each run of other lines is code. Doc
// comments (`///`) stay with the code they document.

/// A chapter's source split into sections of prose and code, with the lines each section spans.
struct ChapterSource: Equatable {
    enum Block: Equatable {
        /// Markdown: the comment lines without their `// `.
        case prose(String)
        /// Swift source lines as written, indentation kept.
        case code(String)
    }

    struct Section: Equatable {
        /// 1-based source lines, from its heading to the line before the next one.
        let lines: Range<Int>
        let blocks: [Block]
    }

    /// The intro first (possibly empty), then one section per `// ## ` heading.
    let sections: [Section]

    init(_ text: String) {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        let headings = lines.indices.filter { Self.commentText(lines[$0])?.hasPrefix("## ") == true }
        let starts = [0] + headings.filter { $0 > 0 }
        sections = starts.indices.map { index in
            let end = index + 1 < starts.count ? starts[index + 1] : lines.count
            return Section(lines: (starts[index] + 1)..<(end + 1), blocks: Self.blocks(lines[starts[index]..<end]))
        }
    }

    /// The index of the section holding 1-based source line `line`; nil outside the file.
    func section(containing line: Int) -> Int? {
        sections.firstIndex { $0.lines.contains(line) }
    }

    /// The text of a `//` comment line without its marker and one space; nil for code,
    /// blank lines and doc comments.
    static func commentText(_ line: String) -> String? {
        let trimmed = line.drop { $0 == " " || $0 == "\t" }
        guard trimmed.hasPrefix("//"), !trimmed.hasPrefix("///") else { return nil }
        let text = trimmed.dropFirst(2)
        return String(text.hasPrefix(" ") ? text.dropFirst() : text)
    }

    private static func blocks(_ lines: ArraySlice<String>) -> [Block] {
        var runs: [(isProse: Bool, lines: [String])] = []
        for line in lines {
            let comment = commentText(line)
            let isBlank = comment == nil && line.allSatisfy(\.isWhitespace)
            if isBlank, !runs.isEmpty {
                runs[runs.count - 1].lines.append("")
            } else if !isBlank {
                let isProse = comment != nil
                if runs.last?.isProse != isProse { runs.append((isProse, [])) }
                runs[runs.count - 1].lines.append(comment ?? line)
            }
        }
        return runs.map { run in
            var body = run.lines
            while body.last == "" { body.removeLast() }
            return run.isProse ? .prose(markdown(fromComment: body)) : .code(body.joined(separator: "\n"))
        }
    }

    /// Comment lines as markdown: paragraphs as written, one blank line between them, and an
    /// indented run that starts a paragraph and is not a list (an aligned table, a usage line)
    /// fenced so its alignment survives.
    private static func markdown(fromComment lines: [String]) -> String {
        var output: [String] = []
        var preformatted: [String] = []
        func closePreformatted() {
            guard !preformatted.isEmpty else { return }
            let indent = preformatted.map { $0.prefix { $0 == " " }.count }.min() ?? 0
            output.append(fenced(preformatted.map { String($0.dropFirst(indent)) }.joined(separator: "\n"), info: "text"))
            preformatted = []
        }
        for line in lines {
            let indented = line.hasPrefix(" ") && !line.allSatisfy(\.isWhitespace)
            if indented, !preformatted.isEmpty || (line.hasPrefix("  ") && (output.last ?? "") == "" && !isListItem(line)) {
                preformatted.append(line)
                continue
            }
            closePreformatted()
            if line.isEmpty, (output.last ?? "") == "" { continue }
            output.append(line)
        }
        closePreformatted()
        return output.joined(separator: "\n")
    }

    private static func isListItem(_ line: String) -> Bool {
        let item = line.drop { $0 == " " }
        if ["- ", "* ", "+ "].contains(where: { item.hasPrefix($0) }) { return true }
        let digits = item.prefix { $0.isNumber }
        return !digits.isEmpty && [". ", ") "].contains { item.dropFirst(digits.count).hasPrefix($0) }
    }
}

/// `body` in a fenced block whose fence is longer than any run of backticks inside it.
func fenced(_ body: String, info: String) -> String {
    var longest = 0, run = 0
    for character in body {
        run = character == "`" ? run + 1 : 0
        longest = max(longest, run)
    }
    let fence = String(repeating: "`", count: max(3, longest + 1))
    return "\(fence)\(info)\n\(body)\n\(fence)"
}
