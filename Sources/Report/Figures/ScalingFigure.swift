import Common
import Foundation
import Results
import Training

/// The scaling figure: on the left, test (solid) and extended (dashed) accuracy of each
/// fine-tuning against the training images per class on a log scale, zero-shot CLIP's two
/// accuracies as horizontal lines, every point with its 95% interval; on the right, test
/// accuracy of ViT and fine-tuned CLIP against the learning rate (multiples of the published
/// one, log scale): the spread is the hyper-parameter difficulty. Nil without scaling results.
func scalingFigure(registry: PublishedRegistry, results: ResultsFolder) -> Figure? {
    guard let file = results[ScalingResults.self], !file.results.sizes.isEmpty else { return nil }
    let r = file.results
    let width = 1100.0, height = 620.0
    let ids = r.models.map(\.id)
    func color(_ id: String) -> Color {
        switch id {
        case "vit": .vermilion
        case "ft-clip": .blue
        default: [.green, .purple][(ids.firstIndex(of: id) ?? 0) % 2]
        }
    }

    return Figure(name: "fig-scaling", chapters: [ScalingResults.chapter], width: width, height: height) { canvas in
        let subtitle = "Each fine-tuning at the same epochs and batch on fewer or more images a class; test and held-out images fixed. "
            + provenanceLine(results, registry: registry, chapters: [ScalingResults.chapter])
        let title = "When does fine-tuning pay? Accuracy against training images and learning rate (\(presetTag(results.presets, chapters: [ScalingResults.chapter])))"
        var top = drawHeading(canvas, width: width, title: title, subtitle: subtitle)
        let legend: [(LegendSwatch, String)] = r.models.map { (.line(color($0.id), dash: []), $0.id) }
            + [(.line(.black, dash: []), "zero-shot CLIP"), (.line(.muted, dash: [6, 4]), "dashed: extended accuracy (held-out classes)"),
               (.dot(.muted), "bars: 95% bootstrap intervals")]
        top += drawLegend(canvas, legend, origin: (90, top + 6), maxWidth: width - 110)

        let accuracies = r.sizes.flatMap { $0.models.values.flatMap { [$0.test] + ($0.extended.map { [$0] } ?? []) } }
            + r.learningRates.map(\.test) + [r.zeroShot.test, r.zeroShot.extended]
        let values = accuracies.flatMap { [$0.value] + ($0.interval.map { [$0.low, $0.high] } ?? []) }.map { 100 * $0 }
        let yRange = niceRange(max(0, values.min()! - 3), min(100, values.max()! + 3))
        let plotTop = top + 16, plotHeight = height - top - 90

        // Left: accuracy against images per class.
        let sizes = r.sizes.map { Double($0.imagesPerClass) }
        let sizeAxes = Axes(frame: CGRectLike(x: 90, y: plotTop, width: 600, height: plotHeight),
                            xRange: log10(sizes.min()! / 1.4)...log10(sizes.max()! * 1.4), yRange: yRange)
        sizeAxes.draw(on: canvas, xTitle: "Training images per class (log scale)", yTitle: "Accuracy (%)", xTicks: false)
        drawLogTicks(canvas, sizeAxes, sizes)
        for (accuracy, dash) in [(r.zeroShot.test, [Double]()), (r.zeroShot.extended, [6.0, 4])] {
            let y = sizeAxes.y(100 * accuracy.value)
            canvas.line([(sizeAxes.frame.x, y), (sizeAxes.frame.maxX, y)], .black, width: 1.5, dash: dash)
        }
        for model in ids {
            let tests = r.sizes.compactMap { size in size.models[model].map { (Double(size.imagesPerClass), $0.test) } }
            let extendeds = r.sizes.compactMap { size in size.models[model]?.extended.map { (Double(size.imagesPerClass), $0) } }
            drawCurve(canvas, sizeAxes, tests.map { (log10($0.0), $0.1) }, color(model), dash: [])
            drawCurve(canvas, sizeAxes, extendeds.map { (log10($0.0), $0.1) }, color(model), dash: [6, 4])
        }

        // Right: test accuracy against the learning rate.
        let factors = Array(Set(r.learningRates.map(\.factor))).sorted()
        let rateAxes = Axes(frame: CGRectLike(x: 800, y: plotTop, width: 260, height: plotHeight),
                            xRange: log10((factors.first ?? 1) / 1.6)...log10((factors.last ?? 1) * 1.6), yRange: yRange)
        rateAxes.draw(on: canvas, xTitle: "Learning rate (x published)", yTitle: "Test accuracy (%)", xTicks: false)
        drawLogTicks(canvas, rateAxes, factors, suffix: "x")
        var labelY = rateAxes.frame.y + 6
        for model in ids {
            let points = r.learningRates.filter { $0.model == model }.sorted { $0.factor < $1.factor }
            guard !points.isEmpty else { continue }
            drawCurve(canvas, rateAxes, points.map { (log10($0.factor), $0.test) }, color(model), dash: [])
            let spread = 100 * (points.map(\.test.value).max()! - points.map(\.test.value).min()!)
            canvas.text(String(format: "%@: spread %.1f points", model, spread), at: (rateAxes.frame.x + 8, labelY), size: 12,
                        color: color(model), vertical: .top, halo: true)
            labelY += 17
        }
    }
}

/// A tick and label under each of `values` (drawn on a log10 axis).
private func drawLogTicks(_ canvas: Canvas, _ axes: Axes, _ values: [Double], suffix: String = "") {
    for value in values {
        let x = axes.x(log10(value))
        canvas.line([(x, axes.frame.maxY), (x, axes.frame.maxY + 5)], .muted)
        canvas.text(formatNumber(value) + suffix, at: (x, axes.frame.maxY + 9), size: 12, color: .muted, align: .center, vertical: .top)
    }
}

/// A line through `points` (x already on the axis's scale, accuracies as fractions), a dot at
/// each and its 95% interval as a vertical bar.
private func drawCurve(_ canvas: Canvas, _ axes: Axes, _ points: [(Double, Accuracy)], _ color: Color, dash: [Double]) {
    guard !points.isEmpty else { return }
    let centers = points.map { axes.point($0.0, 100 * $0.1.value) }
    for (point, at) in zip(points, centers) {
        if let interval = point.1.interval {
            canvas.line([(at.0, axes.y(100 * interval.low)), (at.0, axes.y(100 * interval.high))], color.withAlpha(0.45), width: 1.5)
        }
    }
    canvas.line(centers, color, width: 2, dash: dash)
    for at in centers { canvas.circle(center: at, radius: 4, fill: color, outline: .white) }
}
