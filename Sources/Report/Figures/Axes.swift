import Foundation
import Results

/// A plot's data ranges mapped onto a rectangle of the figure, with its axes drawn.
struct Axes {
    let frame: CGRectLike
    let xRange: ClosedRange<Double>
    let yRange: ClosedRange<Double>

    func x(_ value: Double) -> Double {
        frame.x + (value - xRange.lowerBound) / (xRange.upperBound - xRange.lowerBound) * frame.width
    }

    func y(_ value: Double) -> Double {
        frame.maxY - (value - yRange.lowerBound) / (yRange.upperBound - yRange.lowerBound) * frame.height
    }

    func point(_ x: Double, _ y: Double) -> (Double, Double) {
        (self.x(x), self.y(y))
    }

    /// Horizontal grid lines with labelled y ticks, the y-axis title, and the frame's left
    /// and bottom edges. `xTicks` false leaves the x axis to the caller (category axes).
    func draw(on canvas: Canvas, xTitle: String?, yTitle: String, xTicks: Bool = true, format: (Double) -> String = tickLabel) {
        for tick in niceTicks(yRange) {
            canvas.line([(frame.x, y(tick)), (frame.maxX, y(tick))], .grid)
            canvas.text(format(tick), at: (frame.x - 8, y(tick)), size: 12, color: .muted, align: .right, vertical: .middle)
        }
        if xTicks {
            for tick in niceTicks(xRange) {
                canvas.line([(x(tick), frame.maxY), (x(tick), frame.maxY + 5)], .muted)
                canvas.text(format(tick), at: (x(tick), frame.maxY + 9), size: 12, color: .muted, align: .center, vertical: .top)
            }
        }
        canvas.line([(frame.x, frame.y), (frame.x, frame.maxY), (frame.maxX, frame.maxY)], .muted, width: 1.2)
        canvas.text(yTitle, at: (frame.x - 52, frame.y + frame.height / 2), size: 13, align: .center, vertical: .middle, rotated: true)
        if let xTitle {
            canvas.text(xTitle, at: (frame.x + frame.width / 2, frame.maxY + 32), size: 13, align: .center, vertical: .top)
        }
    }
}

/// Round tick values (steps of 1, 2 or 5 times a power of ten) covering `range`, about five.
func niceTicks(_ range: ClosedRange<Double>, target: Int = 5) -> [Double] {
    let span = range.upperBound - range.lowerBound
    guard span > 0, span.isFinite else { return [range.lowerBound] }
    let rough = span / Double(target)
    let power = pow(10, floor(log10(rough)))
    let step = [1.0, 2, 5, 10].map { $0 * power }.first { $0 >= rough } ?? 10 * power
    var ticks: [Double] = []
    var tick = ceil(range.lowerBound / step) * step
    while tick <= range.upperBound + step * 1e-9 {
        ticks.append(abs(tick) < step * 1e-9 ? 0 : tick)
        tick += step
    }
    return ticks
}

/// `range` widened to round tick values at both ends, so the data fills the plot.
func niceRange(_ low: Double, _ high: Double) -> ClosedRange<Double> {
    guard high > low else { return (low - 1)...(high + 1) }
    let ticks = niceTicks(low...high)
    let step = ticks.count > 1 ? ticks[1] - ticks[0] : high - low
    return (floor(low / step) * step)...(ceil(high / step) * step)
}

func tickLabel(_ value: Double) -> String {
    formatNumber((value * 1e6).rounded() / 1e6)
}
