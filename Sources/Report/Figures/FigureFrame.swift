import Common
import Results
import Training

// What every figure shares: a title, a subtitle naming where the numbers come from, a
// legend, and a "not run" panel when the results are missing.

/// Title and subtitle at the top of a figure; returns the y where the plot may start.
func drawHeading(_ canvas: Canvas, width: Double, title: String, subtitle: String) -> Double {
    canvas.text(title, at: (24, 20), size: 18, bold: true, vertical: .top)
    var y = 48.0
    for line in canvas.wrap(subtitle, width: width - 48, size: 13) {
        canvas.text(line, at: (24, y), size: 13, color: .muted, vertical: .top)
        y += 18
    }
    return y + 10
}

enum LegendSwatch {
    case solid(Color)
    case hatched(Color)
    case line(Color, dash: [Double])
    case dot(Color)
    case ring(Color)
    case diamond(Color)
}

/// A row of legend entries starting at `origin`, wrapping at `maxWidth`; returns its height.
@discardableResult
func drawLegend(_ canvas: Canvas, _ entries: [(LegendSwatch, String)], origin: (Double, Double), maxWidth: Double) -> Double {
    var x = origin.0
    var y = origin.1
    for (swatch, label) in entries {
        let width = 26 + canvas.textWidth(label, size: 12) + 22
        if x + width > origin.0 + maxWidth, x > origin.0 {
            x = origin.0
            y += 22
        }
        let box = CGRectLike(x: x, y: y - 7, width: 18, height: 14)
        switch swatch {
        case .solid(let color):
            canvas.fill(box, color)
        case .hatched(let color):
            canvas.fill(box, color.withAlpha(0.18))
            canvas.hatch(box, color)
            canvas.stroke(box, color)
        case .line(let color, let dash):
            canvas.line([(box.x, y), (box.maxX, y)], color, width: 2.5, dash: dash)
        case .dot(let color):
            canvas.circle(center: (box.x + 9, y), radius: 5, fill: color)
        case .ring(let color):
            canvas.circle(center: (box.x + 9, y), radius: 7, fill: .white, outline: color)
        case .diamond(let color):
            canvas.diamond(center: (box.x + 9, y), radius: 6, fill: .white, outline: color)
        }
        canvas.text(label, at: (x + 26, y), size: 12, vertical: .middle)
        x += width
    }
    return y - origin.1 + 22
}

/// A grey "not run" notice filling `frame`, for a plot whose results file is missing.
func drawNotRun(_ canvas: Canvas, in frame: CGRectLike, what: String) {
    canvas.fill(frame, Color(hex: 0xF4F4F4))
    canvas.stroke(frame, .grid)
    canvas.text("not run", at: (frame.x + frame.width / 2, frame.y + frame.height / 2 - 12), size: 20, color: .muted,
                bold: true, align: .center, vertical: .middle)
    canvas.text(what, at: (frame.x + frame.width / 2, frame.y + frame.height / 2 + 16), size: 13, color: .muted,
                align: .center, vertical: .middle)
}

/// The subtitle's words for where a set of chapters' numbers come from: preset, a quick run, and
/// whether the checkpoints are verified as the published ones.
func provenanceLine(_ results: ResultsFolder, registry: PublishedRegistry, chapters: [String]) -> String {
    let presets = results.presets
    let present = chapters.compactMap { chapter in presets[chapter].map { (chapter, $0) } }
    if present.isEmpty { return "No results yet: run the chapters first." }
    let used = Set(present.map(\.1))
    if used == [.mini] {
        return "This run: preset mini, MiniFood (a procedural world rendered by this project, with its own mini models). Not Food-101 numbers."
    }
    if used == [.paper] {
        let files = results.files.filter { chapters.contains($0.chapter) }
        let identities = files.flatMap { $0.checkpoints ?? [] }
        let checkpoints = identities.isEmpty ? "checkpoints that were not recorded"
            : checkpointCaveat(identities, registry: registry).map { "a \($0)" } ?? "the published checkpoints (sha256 verified)"
        let quick = files.contains { $0.quick == true } ? " Quick run: smoke-test sizes, no verdicts." : ""
        return "This run: preset paper, Food-101 with \(checkpoints).\(quick)"
    }
    let list = present.map { "\($0.0) \($0.1.rawValue)" }.joined(separator: ", ")
    return "This run mixes presets (\(list)); mini numbers come from MiniFood, not Food-101."
}

/// "preset mini", "preset paper", "mixed presets" or "not run": for figure titles.
func presetTag(_ presets: [String: Preset], chapters: [String]) -> String {
    let used = Set(chapters.compactMap { presets[$0] })
    if used.isEmpty { return "not run" }
    return used.count == 1 ? "preset \(used.first!.rawValue)" : "mixed presets"
}
