// Progress on stderr: a redrawn bar with throughput and ETA on a terminal, plain lines (ten per
// epoch and one per epoch end) when stderr is a file or a pipe, so logs stay readable.
import Common
import Foundation

public enum ProgressDisplay: Sendable {
    /// A bar when stderr is a terminal, lines otherwise.
    case automatic
    case bar
    case lines
    case none
}

final class ProgressReporter {
    private enum Style { case bar, lines, none }

    private let style: Style
    private let totalSteps: Int
    private let stepsPerEpoch: Int
    private let epochs: Int
    private let lineInterval: Int
    private var trainingSeconds: Double = 0
    private var stepsTimed = 0
    private var examplesTimed = 0
    private var lastDraw: Double = 0
    private var barIsOpen = false

    init(_ display: ProgressDisplay, totalSteps: Int, stepsPerEpoch: Int, epochs: Int) {
        switch display {
        case .automatic: style = ProgressLine.stderrIsTerminal ? .bar : .lines
        case .bar: style = .bar
        case .lines: style = .lines
        case .none: style = .none
        }
        self.totalSteps = totalSteps
        self.stepsPerEpoch = stepsPerEpoch
        self.epochs = epochs
        lineInterval = max(1, stepsPerEpoch / 10)
    }

    /// After each step: `seconds` is the step's duration, used for throughput and the ETA.
    func stepFinished(_ record: StepRecord, examples: Int, seconds: Double) {
        trainingSeconds += seconds
        stepsTimed += 1
        examplesTimed += examples
        switch style {
        case .none:
            return
        case .lines:
            if record.step % lineInterval == 0 || record.step % stepsPerEpoch == 0 || record.step == totalSteps {
                ProgressLine.emit(summary(record) + "\n")
            }
        case .bar:
            let now = ProcessInfo.processInfo.systemUptime
            guard now - lastDraw >= 0.1 || record.step == totalSteps || record.step % stepsPerEpoch == 0 else { return }
            lastDraw = now
            ProgressLine.redraw(ProgressLine.bar(Double(record.step) / Double(max(totalSteps, 1))) + " " + summary(record))
            barIsOpen = true
        }
    }

    func epochFinished(_ record: EpochRecord) {
        guard style != .none else { return }
        var line = String(format: "epoch %d/%d done: mean loss %.4f", record.epoch + 1, epochs, record.meanLoss)
        if let accuracy = record.accuracy {
            line += String(format: ", top-1 %.2f%%, top-5 %.2f%% (%d examples)", accuracy.top1.value * 100, accuracy.top5.value * 100, accuracy.top1.images)
        }
        closeBar()
        ProgressLine.emit(line + "\n")
    }

    func finish() { closeBar() }

    private func closeBar() {
        if barIsOpen { ProgressLine.emit("\n") }
        barIsOpen = false
    }

    private func summary(_ record: StepRecord) -> String {
        let perSecond = trainingSeconds > 0 ? Double(examplesTimed) / trainingSeconds : 0
        let eta = stepsTimed > 0 ? trainingSeconds / Double(stepsTimed) * Double(totalSteps - record.step) : 0
        return String(format: "step %d/%d epoch %d/%d loss %.4f lr %.2e | %.1f ex/s | ETA ",
                      record.step, totalSteps, record.epoch + 1, epochs, record.loss, record.learningRate, perSecond) + ProgressLine.clock(eta)
    }
}
