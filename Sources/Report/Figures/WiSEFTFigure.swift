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

    return Figure(name: "fig-wise-ft", width: width, height: height) { canvas in
        let subtitle = "Weight-space ensembles of zero-shot (alpha 0) and fine-tuned (alpha 1) CLIP. "
            + provenanceLine(results.presets, chapters: [WiSEFTResults.chapter])
            + " Diamonds: published, Fei 2024 on Food-101."
        let title = "WiSE-FT: accuracy on trained against held-out classes (\(presetTag(results.presets, chapters: [WiSEFTResults.chapter])))"
        var top = drawHeading(canvas, width: width, title: title, subtitle: subtitle)
        top += drawLegend(canvas, [(.dot(.purple), "this run, one point per alpha"), (.diamond(.black), "published (Food-101)")],
                          origin: (100, top + 6), maxWidth: width - 120)
        let xs = points.map { 100 * $0.extended.value } + references.map(\.1)
        let ys = points.map { 100 * $0.test.value } + references.map(\.2)
        let axes = Axes(frame: CGRectLike(x: 100, y: top + 14, width: width - 140, height: height - top - 90),
                        xRange: niceRange(max(0, xs.min()! - 5), min(100, xs.max()! + 5)),
                        yRange: niceRange(max(0, ys.min()! - 5), min(100, ys.max()! + 5)))
        axes.draw(on: canvas, xTitle: "Extended accuracy, held-out classes (%)", yTitle: "Test accuracy, trained classes (%)")
        canvas.line(points.map { axes.point(100 * $0.extended.value, 100 * $0.test.value) }, .purple, width: 2)
        let centers = points.map { axes.point(100 * $0.extended.value, 100 * $0.test.value) }
        for at in centers { canvas.circle(center: at, radius: 5, fill: .purple, outline: .white) }
        // Labels after every marker, so no marker's outline cuts through a label.
        for (point, at) in zip(points, centers) {
            canvas.text("α=\(formatNumber(point.alpha))", at: (at.0 + 7, at.1 - 7), size: 11, color: .purple, halo: true)
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
