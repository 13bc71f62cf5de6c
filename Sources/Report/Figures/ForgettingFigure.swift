import Common
import Results
import Training

/// Beyond the paper, "what makes fine-tuned CLIP forget": test accuracy (trained classes)
/// against extended accuracy (held-out classes), one point per clip-finetune recipe with its 95%
/// intervals, zero-shot CLIP's point, and the WiSE-FT curve when it was run. Nil without a
/// clip-finetune run that compared recipes.
func forgettingFigure(registry: PublishedRegistry, results: ResultsFolder) -> Figure? {
    guard let file = results[CLIPFineTuneResults.self], !file.results.recipes.isEmpty else { return nil }
    let recipes = file.results.recipes
    let zeroShot = results[CLIPZeroShotResults.self]?.results
    let curve = results[WiSEFTResults.self]?.results.points.sorted { $0.alpha < $1.alpha } ?? []
    // Every chapter whose numbers it draws; the weave shows it beside the two it is about.
    let chapters = [CLIPFineTuneResults.chapter, CLIPZeroShotResults.chapter, WiSEFTResults.chapter]
    let colours: [Color] = [.vermilion, .green, .black, .blue]
    let width = 900.0, height = 640.0

    return Figure(name: "fig-forgetting", chapters: [CLIPFineTuneResults.chapter, WiSEFTResults.chapter], width: width, height: height) { canvas in
        let subtitle = "Each fine-tuning recipe's accuracy on the trained classes against its zero-shot accuracy on the held-out "
            + "classes, lines 95% bootstrap intervals. " + provenanceLine(results, registry: registry, chapters: chapters)
        let title = "What makes fine-tuned CLIP forget (\(presetTag(results.presets, chapters: chapters)))"
        var top = drawHeading(canvas, width: width, title: title, subtitle: subtitle)
        var legend: [(LegendSwatch, String)] = recipes.enumerated().map { (.dot(colours[$0.offset % colours.count]), $0.element.id) }
        if zeroShot != nil { legend.append((.diamond(.black), "zero-shot CLIP")) }
        if !curve.isEmpty { legend.append((.line(.purple, dash: []), "WiSE-FT (\(results[WiSEFTResults.self]?.results.recipe ?? "zero-shot-head"))")) }
        top += drawLegend(canvas, legend, origin: (100, top + 6), maxWidth: width - 120)

        func span(_ accuracy: Accuracy) -> [Double] { ([accuracy.value] + (accuracy.interval.map { [$0.low, $0.high] } ?? [])).map { 100 * $0 } }
        let xs = recipes.flatMap { span($0.extended) } + (zeroShot.map { span($0.extended) } ?? []) + curve.map { 100 * $0.extended.value }
        let ys = recipes.flatMap { span($0.test) } + (zeroShot.map { span($0.test) } ?? []) + curve.map { 100 * $0.test.value }
        func range(_ values: [Double]) -> ClosedRange<Double> {
            let margin = max(1, 0.08 * (values.max()! - values.min()!))
            return niceRange(max(0, values.min()! - margin), min(100, values.max()! + margin))
        }
        let axes = Axes(frame: CGRectLike(x: 100, y: top + 14, width: width - 140, height: height - top - 90), xRange: range(xs), yRange: range(ys))
        axes.draw(on: canvas, xTitle: "Extended accuracy, held-out classes (%)", yTitle: "Test accuracy, trained classes (%)")

        if !curve.isEmpty { canvas.line(curve.map { axes.point(100 * $0.extended.value, 100 * $0.test.value) }, .purple, width: 2) }
        var labels = LabelPlacer(bounds: axes.frame)
        var named: [(String, (Double, Double), Color)] = []
        for (index, recipe) in recipes.enumerated() {
            let colour = colours[index % colours.count], at = axes.point(100 * recipe.extended.value, 100 * recipe.test.value)
            if let interval = recipe.extended.interval {
                canvas.line([(axes.x(100 * interval.low), at.1), (axes.x(100 * interval.high), at.1)], colour.withAlpha(0.4), width: 1.5)
            }
            if let interval = recipe.test.interval {
                canvas.line([(at.0, axes.y(100 * interval.low)), (at.0, axes.y(100 * interval.high))], colour.withAlpha(0.4), width: 1.5)
            }
            canvas.circle(center: at, radius: 7, fill: colour, outline: .white)
            labels.occupy(CGRectLike(x: at.0 - 7, y: at.1 - 7, width: 14, height: 14))
            named.append((recipe.id, at, colour))
        }
        if let zeroShot {
            let at = axes.point(100 * zeroShot.extended.value, 100 * zeroShot.test.value)
            canvas.diamond(center: at, radius: 8, fill: .white, outline: .black)
            labels.occupy(CGRectLike(x: at.0 - 8, y: at.1 - 8, width: 16, height: 16))
            named.append(("zero-shot", at, .black))
        }
        for (text, at, colour) in named {
            let place = labels.place(width: canvas.textWidth(text, size: 12, bold: true), height: 14, near: at)
            canvas.text(text, at: (place.x, place.y + place.height / 2), size: 12, color: colour, bold: true, vertical: .middle, halo: true)
        }
    }
}
