import Common
import Results
import Training

/// The WiSE-FT figure: test accuracy (trained classes) against extended accuracy (held-out
/// classes) as alpha mixes zero-shot (0) into fine-tuned (1) weights, each point with its 95%
/// intervals, the ends and the run's best alpha marked. On the paper preset the published
/// zero-shot and fine-tuned CLIP points are drawn beside the curve; a mini run's numbers are
/// MiniFood's, so there the axes fit the curve alone and the published points are only named.
/// Nil without wise-ft results.
func wiseFTFigure(registry: PublishedRegistry, results: ResultsFolder) -> Figure? {
    guard let file = results[WiSEFTResults.self], !file.results.points.isEmpty else { return nil }
    let points = file.results.points.sorted { $0.alpha < $1.alpha }
    let references = AccuracyRow.all(registry).compactMap { row -> (String, Double, Double)? in
        guard row.test.reproducedBy?.hasPrefix("clip") == true,
              case .number(let test)? = row.test.value, case .number(let extended)? = row.extended?.value else { return nil }
        return (row.label, extended, test)
    }
    let drawn = file.preset == .paper ? references : []
    let width = 900.0, height = 640.0

    return Figure(name: "fig-wise-ft", chapters: [WiSEFTResults.chapter], width: width, height: height) { canvas in
        let published = drawn.isEmpty
            ? " Published on Food-101 (Fei 2024), not drawn beside MiniFood numbers: "
                + references.map { "\($0.0) \(formatPercent($0.2))% test, \(formatPercent($0.1))% extended" }.joined(separator: "; ") + "."
            : " Diamonds: published, Fei 2024 on Food-101."
        let subtitle = "Weight-space ensembles of zero-shot (alpha 0) and fine-tuned (alpha 1) CLIP. "
            + provenanceLine(results, registry: registry, chapters: [WiSEFTResults.chapter]) + published
        let title = "WiSE-FT: accuracy on trained against held-out classes (\(presetTag(results.presets, chapters: [WiSEFTResults.chapter])))"
        var top = drawHeading(canvas, width: width, title: title, subtitle: subtitle)
        var legend: [(LegendSwatch, String)] = [(.dot(.blue), "α = 0: zero-shot"), (.dot(.vermilion), "α = 1: fine-tuned"),
                                                (.dot(.purple), "mixtures (lines: 95% bootstrap intervals)")]
        if !drawn.isEmpty { legend.append((.diamond(.black), "published (Food-101)")) }
        if file.results.bestAlphaRule != nil { legend.append((.ring(.green), "alpha chosen on training images")) }
        top += drawLegend(canvas, legend, origin: (100, top + 6), maxWidth: width - 120)

        // The ranges hold every point, its interval and the references drawn, with a margin.
        func span(_ accuracy: Accuracy) -> [Double] { ([accuracy.value] + (accuracy.interval.map { [$0.low, $0.high] } ?? [])).map { 100 * $0 } }
        func range(_ values: [Double]) -> ClosedRange<Double> {
            let margin = max(1, 0.08 * (values.max()! - values.min()!))
            return niceRange(max(0, values.min()! - margin), min(100, values.max()! + margin))
        }
        let axes = Axes(frame: CGRectLike(x: 100, y: top + 14, width: width - 140, height: height - top - 90),
                        xRange: range(points.flatMap { span($0.extended) } + drawn.map(\.1)),
                        yRange: range(points.flatMap { span($0.test) } + drawn.map(\.2)))
        axes.draw(on: canvas, xTitle: "Extended accuracy, held-out classes (%)", yTitle: "Test accuracy, trained classes (%)")

        let centers = points.map { axes.point(100 * $0.extended.value, 100 * $0.test.value) }
        for (point, at) in zip(points, centers) {
            if let interval = point.extended.interval {
                canvas.line([(axes.x(100 * interval.low), at.1), (axes.x(100 * interval.high), at.1)], .purple.withAlpha(0.35), width: 1.5)
            }
            if let interval = point.test.interval {
                canvas.line([(at.0, axes.y(100 * interval.low)), (at.0, axes.y(100 * interval.high))], .purple.withAlpha(0.35), width: 1.5)
            }
        }
        canvas.line(centers, .purple, width: 2)
        var labels = LabelPlacer(bounds: axes.frame)
        for (point, at) in zip(points, centers) {
            let radius = point.alpha == 0 || point.alpha == 1 ? 7.0 : 5.0
            if point.alpha == file.results.bestAlpha { canvas.circle(center: at, radius: 11, fill: .white, outline: .green) }
            canvas.circle(center: at, radius: radius, fill: point.alpha == 0 ? .blue : point.alpha == 1 ? .vermilion : .purple, outline: .white)
            labels.occupy(CGRectLike(x: at.0 - radius, y: at.1 - radius, width: 2 * radius, height: 2 * radius))
        }
        var references: [(String, (Double, Double))] = []
        for (label, extended, test) in drawn {
            let at = axes.point(extended, test)
            canvas.diamond(center: at, radius: 7, fill: .white, outline: .black)
            labels.occupy(CGRectLike(x: at.0 - 7, y: at.1 - 7, width: 14, height: 14))
            references.append(("\(label), published", at))
        }
        // Labels after every marker, so no marker's outline cuts through a label; the ends
        // first, so theirs get the nearest free places.
        let order = points.indices.sorted { (points[$0].alpha == 0 || points[$0].alpha == 1) && !(points[$1].alpha == 0 || points[$1].alpha == 1) }
        for index in order {
            let (point, at) = (points[index], centers[index])
            let text = "α=\(formatNumber(point.alpha))" + (point.alpha == 0 ? " zero-shot" : point.alpha == 1 ? " fine-tuned" : "")
            let end = point.alpha == 0 || point.alpha == 1
            let size = end ? 12.0 : 11.0
            let place = labels.place(width: canvas.textWidth(text, size: size, bold: end), height: size + 2, near: at, belowFirst: end)
            drawLeader(canvas, from: at, radius: end ? 7 : 5, to: place)
            canvas.text(text, at: (place.x, place.y + place.height / 2), size: size,
                        color: point.alpha == 0 ? .blue : point.alpha == 1 ? .vermilion : .text, bold: end, vertical: .middle, halo: true)
        }
        for (text, at) in references {
            let place = labels.place(width: canvas.textWidth(text, size: 11), height: 13, near: at)
            canvas.text(text, at: (place.x, place.y + place.height / 2), size: 11, vertical: .middle, halo: true)
        }
    }
}

/// A thin line from a marker's edge to its label when the label had to sit away from it.
private func drawLeader(_ canvas: Canvas, from center: (Double, Double), radius: Double, to label: CGRectLike) {
    let nearest = (min(max(center.0, label.x), label.maxX), min(max(center.1, label.y), label.maxY))
    let (dx, dy) = (nearest.0 - center.0, nearest.1 - center.1)
    let distance = (dx * dx + dy * dy).squareRoot()
    guard distance > 13 else { return }
    canvas.line([(center.0 + dx / distance * (radius + 1), center.1 + dy / distance * (radius + 1)), nearest], .muted, width: 0.8)
}

/// Puts labels next to their points, each in the first of a ring of nearby places that overlaps
/// nothing placed before (markers and labels) and stays inside `bounds`.
struct LabelPlacer {
    let bounds: CGRectLike
    private var taken: [CGRectLike] = []

    init(bounds: CGRectLike) {
        self.bounds = bounds
    }

    mutating func occupy(_ rect: CGRectLike) {
        taken.append(rect)
    }

    /// The rectangle for a label of `width` x `height` near `point`, now taken; `belowFirst`
    /// tries the places under the point before the others (for the ends, whose neighbours'
    /// labels sit beside and above).
    mutating func place(width: Double, height: Double, near point: (Double, Double), belowFirst: Bool = false) -> CGRectLike {
        let gap = 9.0
        let (right, left, middle) = (point.0 + gap, point.0 - gap - width, point.0 - width / 2)
        // Beside the point first, then above and below it at growing distances.
        var corners = [(right, point.1 - height / 2), (left, point.1 - height / 2)]
        for step in 0..<4 {
            let lift = Double(step) * (height + 2)
            let (above, below) = (point.1 - gap - height - lift, point.1 + gap + lift)
            corners += [(right, above), (right, below), (left, above), (left, below), (middle, above), (middle, below)]
        }
        if belowFirst { corners = corners.filter { $0.1 > point.1 } + corners.filter { $0.1 <= point.1 } }
        let candidates = corners.map { CGRectLike(x: $0.0, y: $0.1, width: width, height: height) }
        let inside = candidates.filter { $0.x >= bounds.x && $0.maxX <= bounds.maxX + 30 && $0.y >= bounds.y - 10 && $0.maxY <= bounds.maxY }
        let chosen = inside.first { candidate in !taken.contains { overlaps($0, candidate) } } ?? inside.first ?? candidates[0]
        taken.append(chosen)
        return chosen
    }

    private func overlaps(_ a: CGRectLike, _ b: CGRectLike) -> Bool {
        a.x < b.maxX && b.x < a.maxX && a.y < b.maxY && b.y < a.maxY
    }
}
