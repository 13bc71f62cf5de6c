import Common
import Results
import Training

/// Figure 4: the training loss of ViT and of CLIP fine-tuning against epoch. Two panels
/// with their own y axes: the losses are different objectives on different scales, and a
/// shared axis would flatten one of them.
func trainingLossFigure(registry: PublishedRegistry, results: ResultsFolder) -> Figure {
    let width = 1000.0, height = 520.0
    let panels: [(title: String, chapter: String, run: (model: String, curve: [LossPoint], preset: Preset)?, color: Color)] = [
        ("ViT fine-tuning", ViTResults.chapter,
         results[ViTResults.self].map { ($0.results.model, $0.results.lossCurve, $0.preset) }, .blue),
        ("CLIP fine-tuning", CLIPFineTuneResults.chapter,
         results[CLIPFineTuneResults.self].map { ($0.results.model, $0.results.lossCurve, $0.preset) }, .green),
    ]
    return Figure(name: "fig4-training-loss", chapters: panels.map(\.chapter), width: width, height: height) { canvas in
        let top = drawHeading(canvas, width: width, title: "Figure 4. Training loss against epoch (\(presetTag(results.presets, chapters: panels.map(\.chapter))))",
                              subtitle: provenanceLine(results, registry: registry, chapters: panels.map(\.chapter)))
        let panelWidth = (width - 60) / 2
        for (index, panel) in panels.enumerated() {
            let frame = CGRectLike(x: 30 + Double(index) * panelWidth + 62, y: top + 50, width: panelWidth - 90, height: height - top - 126)
            guard let run = panel.run, !run.curve.isEmpty else {
                canvas.text(panel.title, at: (frame.x, top + 6), size: 14, bold: true, vertical: .top)
                drawNotRun(canvas, in: frame, what: panel.run == nil ? "\(panel.chapter).json is missing" : "no loss was logged")
                continue
            }
            canvas.text("\(panel.title) (preset \(run.preset.rawValue))", at: (frame.x, top + 6), size: 14, bold: true, vertical: .top)
            // One line under the title: a long model description is cut to the panel's width.
            let modelLines = canvas.wrap(run.model, width: frame.width - 12, size: 11)
            canvas.text(modelLines.count > 1 ? modelLines[0] + " …" : run.model, at: (frame.x, top + 24), size: 11, color: .muted, vertical: .top)
            drawLossPanel(canvas, frame: frame, curve: run.curve, color: panel.color)
        }
    }
}

private func drawLossPanel(_ canvas: Canvas, frame: CGRectLike, curve: [LossPoint], color: Color) {
    let epochs = curve.map(\.epoch)
    let losses = curve.map(\.loss)
    let axes = Axes(frame: frame, xRange: niceRange(min(0, epochs.min()!), epochs.max()!),
                    yRange: niceRange(min(0, losses.min()!), losses.max()!))
    axes.draw(on: canvas, xTitle: "epoch", yTitle: "training loss")
    let window = smoothingWindow(curve.count)
    if window > 1 {
        canvas.line(curve.map { axes.point($0.epoch, $0.loss) }, color.withAlpha(0.3), width: 1)
        canvas.line(movingAverage(curve, window: window).map { axes.point($0.0, $0.1) }, color, width: 2.5)
        drawLegend(canvas, [(.line(color.withAlpha(0.3), dash: []), "each logged step"),
                            (.line(color, dash: []), "mean of \(window) steps")],
                   origin: (frame.x, frame.maxY + 62), maxWidth: frame.width)
    } else {
        canvas.line(curve.map { axes.point($0.epoch, $0.loss) }, color, width: 2.5)
        for point in curve { canvas.circle(center: axes.point(point.epoch, point.loss), radius: 3, fill: color) }
        drawLegend(canvas, [(.dot(color), "each logged step")], origin: (frame.x, frame.maxY + 62), maxWidth: frame.width)
    }
}

/// Steps averaged in the smoothed line: about 2% of the curve, none for short curves.
private func smoothingWindow(_ count: Int) -> Int {
    count < 40 ? 1 : max(3, count / 50)
}

/// Trailing mean over `window` points, keyed by each point's epoch.
private func movingAverage(_ curve: [LossPoint], window: Int) -> [(Double, Double)] {
    var sum = 0.0
    var averaged: [(Double, Double)] = []
    for (index, point) in curve.enumerated() {
        sum += point.loss
        if index >= window { sum -= curve[index - window].loss }
        averaged.append((point.epoch, sum / Double(min(index + 1, window))))
    }
    return averaged
}
