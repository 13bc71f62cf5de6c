import Foundation

// The Jupyter rendering of a woven chapter (nbformat 4.5): prose as markdown cells, code as
// swift code cells, each section's printed lines as a stdout stream on its last code cell and
// the figures as embedded PNG display data. It records a run; it is not meant to be executed.

extension WovenChapter {
    /// The notebook's JSON, keys sorted so that reruns with the same results give the same bytes.
    func notebook() throws -> Data {
        var cells: [[String: Any]] = [markdownCell(header)]
        for section in sections {
            var lastCodeCell: Int?
            for block in section.blocks {
                switch block {
                case .prose(let text): cells.append(markdownCell(text))
                case .code(let code): lastCodeCell = cells.count; cells.append(codeCell(code))
                }
            }
            var outputs: [[String: Any]] = []
            if !section.output.isEmpty {
                outputs.append(["output_type": "stream", "name": "stdout", "text": sourceLines(section.output.joined(separator: "\n") + "\n")])
            }
            outputs += section.figures.map { figure in
                ["output_type": "display_data", "metadata": [String: Any](),
                 "data": ["image/png": figure.png.base64EncodedString(), "text/plain": [figure.name]]]
            }
            guard !outputs.isEmpty else { continue }
            // The section's last code cell shows what the section printed; a section without code gets an empty one.
            if lastCodeCell == nil { lastCodeCell = cells.count; cells.append(codeCell("")) }
            cells[lastCodeCell!]["outputs"] = outputs
        }
        if let accuracyTable { cells.append(markdownCell(accuracyTable)) }
        cells.append(markdownCell(footer))
        for index in cells.indices { cells[index]["id"] = "cell-\(index + 1)" }

        let notebook: [String: Any] = [
            "nbformat": 4, "nbformat_minor": 5, "cells": cells,
            "metadata": [
                "kernelspec": ["name": "swift", "display_name": "Swift", "language": "swift"],
                "language_info": ["name": "swift", "file_extension": ".swift", "mimetype": "text/x-swift"],
            ],
        ]
        var data = try JSONSerialization.data(withJSONObject: notebook, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        data.append(0x0A)
        return data
    }

    private func markdownCell(_ text: String) -> [String: Any] {
        ["cell_type": "markdown", "metadata": [String: Any](), "source": sourceLines(text)]
    }

    private func codeCell(_ code: String) -> [String: Any] {
        ["cell_type": "code", "metadata": ["language": "swift"], "source": sourceLines(code), "outputs": [Any](),
         "execution_count": NSNull()]
    }

    /// Text as nbformat stores it: a list of lines, each but the last ending in a newline.
    private func sourceLines(_ text: String) -> [String] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { String($0) + "\n" }
        if let last = lines.last {
            lines[lines.count - 1] = String(last.dropLast())
            if lines[lines.count - 1].isEmpty { lines.removeLast() }
        }
        return lines
    }
}
