// The README.md rendering of a woven chapter: GitHub shows it when a reader opens the
// chapter's folder. Prose as markdown, code in swift fences, each section's printed lines in a
// text fence after it, figures as images linked from figures/.

extension WovenChapter {
    var markdown: String {
        var parts = ["<!-- Written by `report weave`: edit the chapter's main.swift, not this file. -->", header]
        for section in sections {
            for block in section.blocks {
                switch block {
                case .prose(let text): parts.append(text)
                case .code(let code): parts.append(fenced(code, info: "swift"))
                }
            }
            if !section.output.isEmpty { parts.append(fenced(section.output.joined(separator: "\n"), info: "text")) }
            parts += section.figures.map { "![\($0.name)](\($0.link))" }
        }
        if let accuracyTable { parts.append(accuracyTable) }
        parts.append(footer)
        return parts.filter { !$0.isEmpty }.joined(separator: "\n\n") + "\n"
    }
}
