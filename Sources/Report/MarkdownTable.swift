/// A GitHub-flavoured markdown table; cells are escaped so a "|" in a label cannot break it.
public struct MarkdownTable {
    public enum Alignment { case left, right }

    public let headers: [String]
    public let alignments: [Alignment]
    public var rows: [[String]] = []

    public init(_ headers: [String], alignments: [Alignment]? = nil) {
        self.headers = headers
        self.alignments = alignments ?? headers.map { _ in .left }
    }

    public mutating func add(_ cells: [String]) {
        precondition(cells.count == headers.count, "a row of \(cells.count) cells in a table of \(headers.count) columns")
        rows.append(cells)
    }

    public func render() -> String {
        func line(_ cells: [String]) -> String {
            "| " + cells.map { $0.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ") }
                .joined(separator: " | ") + " |"
        }
        let rule = "|" + alignments.map { $0 == .right ? "---:" : "---" }.joined(separator: "|") + "|"
        return ([line(headers), rule] + rows.map(line)).joined(separator: "\n") + "\n"
    }
}
