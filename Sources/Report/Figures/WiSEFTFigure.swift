import Experiment

/// The WiSE-FT figure: test accuracy (trained classes) against extended accuracy (held-out
/// classes) as alpha mixes zero-shot (0) into fine-tuned (1) weights, with the paper's
/// published zero-shot and fine-tuned CLIP points for reference. Nil without wise-ft results.
func wiseFTFigure(registry: PublishedRegistry, results: ResultsFolder) -> Figure? {
    guard let file = results.wiseFT, !file.results.points.isEmpty else { return nil }
    let points = file.results.points.sorted { $0.alpha < $1.alpha }
    let references = AccuracyRow.all(registry).compactMap { row -> (String, Double, Double)? in
        guard row.test.reproducedBy?.hasPrefix("clip") == true,
              case .number(let test)? = row.test.value, case .number(let extended)? = row.extended?.value else { return nil }
        return (row.label, extended, test)
    }
    let width = 900.0, height = 640.0
    let best: [(LegendSwatch, String)] = file.results.bestAlphaRule.map { [(.ring(.green), "best: \($0)")] } ?? []

    return Figure(name: "fig-wise-ft", width: width, height: height) { canvas in
        let subtitle = "Weight-space ensembles of zero-shot (alpha 0) and fine-tuned (alpha 1) CLIP. "
            + provenanceLine(results.presets, chapters: [WiSEFTResults.chapter])
            + " Diamonds: published, Fei 2024 on Food-101."
        let title = "WiSE-FT: accuracy on trained against held-out classes (\(presetTag(results.presets, chapters: [WiSEFTResults.chapter])))"
        var top = drawHeading(canvas, width: width, title: title, subtitle: subtitle)
        top += drawLegend(canvas, [(.dot(.blue), "α = 0: zero-shot"), (.dot(.vermilion), "α = 1: fine-tuned"),
                                   (.dot(.purple), "mixtures (lines: 95% bootstrap intervals)"), (.diamond(.black), "published (Food-101)")]
                              + best,
                          origin: (100, top + 6), maxWidth: width - 120)
        // The ranges hold every point, its interval and the published references.
        func span(_ accuracy: Accuracy) -> [Double] { ([accuracy.value] + (accuracy.interval.map { [$0.low, $0.high] } ?? [])).map { 100 * $0 } }
        let xs = points.flatMap { span($0.extended) } + references.map(\.1)
        let ys = points.flatMap { span($0.test) } + references.map(\.2)
        let axes = Axes(frame: CGRectLike(x: 100, y: top + 14, width: width - 140, height: height - top - 90),
                        xRange: niceRange(max(0, xs.min()! - 5), min(100, xs.max()! + 5)),
                        yRange: niceRange(max(0, ys.min()! - 5), min(100, ys.max()! + 5)))
        axes.draw(on: canvas, xTitle: "Extended accuracy, held-out classes (%)", yTitle: "Test accuracy, trained classes (%)")
        let centers = points.map { axes.point(100 * $0.extended.value, 100 * $0.test.value) }
        for (point, at) in zip(points, centers) {
            if let interval = point.extended.interval {
                canvas.line([(axes.x(100 * interval.low), at.1), (axes.x(100 * interval.high), at.1)], .purple.withAlpha(0.45), width: 1.5)
            }
            if let interval = point.test.interval {
                canvas.line([(at.0, axes.y(100 * interval.low)), (at.0, axes.y(100 * interval.high))], .purple.withAlpha(0.45), width: 1.5)
            }
        }
        canvas.line(centers, .purple, width: 2)
        for (point, at) in zip(points, centers) {
            let end = point.alpha == 0 || point.alpha == 1
            if point.alpha == file.results.bestAlpha { canvas.circle(center: at, radius: 10, fill: .white, outline: .green) }
            canvas.circle(center: at, radius: end ? 7 : 5, fill: point.alpha == 0 ? .blue : point.alpha == 1 ? .vermilion : .purple,
                          outline: .white)
        }
        // Labels after every marker, so no marker's outline cuts through a label.
        // The ends' labels go below their markers, clear of their neighbours' labels above.
        for (point, at) in zip(points, centers) {
            let alpha = "α=\(formatNumber(point.alpha))"
            switch point.alpha {
            case 0: canvas.text("\(alpha) zero-shot", at: (at.0, at.1 + 20), size: 12, color: .blue, bold: true, align: .center, halo: true)
            case 1: canvas.text("\(alpha) fine-tuned", at: (at.0, at.1 + 20), size: 12, color: .vermilion, bold: true, align: .center, halo: true)
            default: canvas.text(alpha, at: (at.0 + 9, at.1 - 9), size: 11, color: .text, halo: true)
            }
        }
        for (label, extended, test) in references {
            let at = axes.point(extended, test)
            canvas.diamond(center: at, radius: 7, fill: .white, outline: .black)
            // Labels point inwards, so a reference near the right edge is not cut off.
            let leftHalf = at.0 < axes.frame.x + axes.frame.width / 2
            canvas.text("\(label), published", at: (at.0 + (leftHalf ? 10 : -10), at.1 + 16), size: 11,
                        align: leftHalf ? .left : .right, halo: true)
        }
    }
}
