import Common
import Results
import Training

/// The approaches of Tables 3 and 4, each with its published cells and the metrics that
/// reproduce them, in the tables' row order. Shared by Figure 3 and paper.md.
struct AccuracyRow {
    let label: String
    let test: PublishedEntry
    let extended: PublishedEntry?

    static func all(_ registry: PublishedRegistry) -> [AccuracyRow] {
        let extended = registry.entries(source: "fei2024", table: "Table 4")
        return registry.entries(source: "fei2024", table: "Table 3").map { test in
            AccuracyRow(label: test.row, test: test, extended: extended.first { $0.row == test.row })
        }
    }

    /// LiT's rows, beyond the paper, one per locked image tower: nothing published (their cells
    /// print "-"), this run's accuracies read from lit.json.
    static func lit(_ tower: LiTImageTower) -> AccuracyRow {
        let label = "LiT, locked \(litTowerName(tower))"
        return AccuracyRow(label: label,
                           test: beyondThePaper(table: "Table 3", column: "Test accuracy", row: label, metric: "lit.\(tower.rawValue).test"),
                           extended: beyondThePaper(table: "Table 4", column: "Extended accuracy", row: label,
                                                    metric: "lit.\(tower.rawValue).extended"))
    }

    /// The rows beyond the paper that `results` has: one per image tower lit.json holds.
    static func beyondThePaper(_ results: ResultsFolder) -> [AccuracyRow] {
        results[LiTResults.self]?.results.variants.map { lit($0.imageTower) } ?? []
    }

    private static func beyondThePaper(table: String, column: String, row: String, metric: String) -> PublishedEntry {
        PublishedEntry(id: metric, source: "beyond the paper", table: table, row: row, column: column,
                       kind: .accuracy, direction: .higherIsBetter, value: nil, unit: "%", reproducedBy: metric, note: nil)
    }
}

/// Figure 3: test and extended accuracy per approach, the published bar (hatched) beside
/// this run's (solid), with the run's 95% bootstrap interval when it has one.
func overallResultsFigure(registry: PublishedRegistry, results: ResultsFolder) -> Figure {
    let metrics = results.metricsByID
    let rows = AccuracyRow.all(registry) + AccuracyRow.beyondThePaper(results)
    let chapters = rows.flatMap { [$0.test.reproducedBy, $0.extended?.reproducedBy] }.compactMap { $0?.split(separator: ".").first.map(String.init) }
    let width = 1000.0, height = 640.0

    return Figure(name: "fig3-overall-results", chapters: chapters, width: width, height: height) { canvas in
        let subtitle = "Published: Fei 2024, Tables 3 and 4, on Food-101. " + provenanceLine(results, registry: registry, chapters: chapters)
        let title = "Figure 3. Test and extended accuracy, published vs this run (\(presetTag(results.presets, chapters: chapters)))"
        var top = drawHeading(canvas, width: width, title: title, subtitle: subtitle)
        top += drawLegend(canvas, [
            (.hatched(.blue), "Test accuracy, published"), (.solid(.blue), "Test accuracy, this run"),
            (.hatched(.vermilion), "Extended accuracy, published"), (.solid(.vermilion), "Extended accuracy, this run"),
        ], origin: (90, top + 6), maxWidth: width - 110)
        // Room below the axes for two-line labels (the LiT rows) and the run note.
        let axes = Axes(frame: CGRectLike(x: 90, y: top + 14, width: width - 120, height: height - top - 116),
                        xRange: 0...1, yRange: 0...100)
        axes.draw(on: canvas, xTitle: nil, yTitle: "Accuracy (%)", xTicks: false)

        let groupWidth = axes.frame.width / Double(rows.count)
        let barWidth = min(46, groupWidth / 6)
        for (index, row) in rows.enumerated() {
            let center = axes.frame.x + groupWidth * (Double(index) + 0.5)
            let bars: [(PublishedEntry?, Bool, Color)] = [
                (row.test, true, .blue), (row.test, false, .blue),
                (row.extended, true, .vermilion), (row.extended, false, .vermilion),
            ]
            // A cell neither the paper nor any run can fill (ViT's extended accuracy) gets one note.
            if let extended = row.extended, extended.value == nil, extended.reproducedBy == nil {
                let pairCenter = center + barWidth * 1.3
                let lines = canvas.wrap("\"-\" in the paper: a classifier head has no output for a held-out class",
                                        width: barWidth * 2.6, size: 11)
                for (index, line) in lines.enumerated() {
                    canvas.text(line, at: (pairCenter, axes.frame.maxY - 14 - Double(lines.count - 1 - index) * 14), size: 11,
                                color: .muted, italic: true, align: .center, vertical: .bottom)
                }
            }
            for (slot, (entry, published, color)) in bars.enumerated() {
                // Two pairs with a gap between them: test on the left, extended on the right.
                let offset = (Double(slot) - 1.5) * barWidth + (slot < 2 ? -barWidth * 0.3 : barWidth * 0.3)
                let x = center + offset - barWidth / 2
                let metric = entry?.reproducedBy.flatMap { metrics[$0] }
                var value: Double?
                if published, case .number(let number)? = entry?.value { value = number }
                if !published { value = metric?.number }
                guard let value else {
                    if entry?.value == nil, entry?.reproducedBy == nil { continue }
                    let why = published ? "not published" : "not run"
                    canvas.text(why, at: (x + barWidth / 2, axes.frame.maxY - 6), size: 11, color: .muted, italic: true,
                                vertical: .middle, rotated: true)
                    continue
                }
                let bar = CGRectLike(x: x, y: axes.y(value), width: barWidth, height: axes.frame.maxY - axes.y(value))
                if published {
                    canvas.fill(bar, color.withAlpha(0.18))
                    canvas.hatch(bar, color)
                    canvas.stroke(bar, color)
                } else {
                    canvas.fill(bar, color)
                }
                var labelY = axes.y(value) - 4
                if !published, let interval = metric?.interval {
                    let whiskerX = x + barWidth / 2
                    canvas.line([(whiskerX, axes.y(interval.lowerBound)), (whiskerX, axes.y(interval.upperBound))], .black, width: 1.3)
                    for end in [interval.lowerBound, interval.upperBound] {
                        canvas.line([(whiskerX - 5, axes.y(end)), (whiskerX + 5, axes.y(end))], .black, width: 1.3)
                    }
                    labelY = min(labelY, axes.y(interval.upperBound) - 4)
                }
                canvas.text(formatPercent(value), at: (x + barWidth / 2, labelY), size: 11, align: .center, vertical: .bottom, halo: true)
            }
            // Six groups leave a LiT row's label too little width for one line.
            let labelLines = canvas.wrap(row.label, width: groupWidth - 8, size: 13)
            for (line, text) in labelLines.enumerated() {
                canvas.text(text, at: (center, axes.frame.maxY + 12 + Double(line) * 16), size: 13, bold: true, align: .center, vertical: .top)
            }
            let ran = [row.test, row.extended].compactMap { $0?.reproducedBy.flatMap { metrics[$0] } }
            let runNote = ran.first.map { "this run: preset \($0.preset.rawValue)" } ?? "this run: not run"
            canvas.text(runNote, at: (center, axes.frame.maxY + 16 + Double(labelLines.count) * 16), size: 12, color: .muted,
                        align: .center, vertical: .top)
        }
        canvas.text("Error bars: 95% bootstrap interval of this run, where the chapter computed one. Extended accuracy: on the held-out classes, never trained on.",
                    at: (90, height - 14), size: 11, color: .muted, vertical: .bottom)
    }
}
