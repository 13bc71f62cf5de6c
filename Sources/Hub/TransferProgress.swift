// A file's progress on stderr: on a terminal a bar redrawn with bytes, rate and ETA; in a log a
// plain line every tenth of the file (and at resumption and the end), as the chapters print.
import Common
import Foundation

final class TransferProgress {
    private let name: String
    /// The file's size: advertised, or learnt from the answer's Content-Length.
    var total: Int?
    private let bar = ProgressLine.stderrIsTerminal
    private let quiet: Bool
    private var started = ProcessInfo.processInfo.systemUptime
    private var startBytes = 0
    private var lastDraw: Double = 0
    private var lastTenth = -1
    private var barIsOpen = false

    init(name: String, total: Int?, quiet: Bool) { (self.name, self.total, self.quiet) = (name, total, quiet) }

    /// A (re)started transfer beginning at `bytes`.
    func begin(at bytes: Int) {
        (started, startBytes) = (ProcessInfo.processInfo.systemUptime, bytes)
        if bytes > 0, !quiet { line("\(name): resuming at \(Self.size(bytes))") }
    }

    func update(_ bytes: Int) {
        guard !quiet else { return }
        let now = ProcessInfo.processInfo.systemUptime
        if bar {
            guard now - lastDraw >= 0.2 || bytes == total else { return }
            lastDraw = now
            ProgressLine.redraw((total.map { ProgressLine.bar(Double(bytes) / Double(max($0, 1))) + " " } ?? "") + summary(bytes, now))
            barIsOpen = true
        } else if let total, total > 0 {
            let tenth = bytes * 10 / total
            guard tenth > lastTenth else { return }
            lastTenth = tenth
            ProgressLine.emit(summary(bytes, now) + "\n")
        }
    }

    func finish() {
        if barIsOpen { ProgressLine.emit("\n") }
        barIsOpen = false
    }

    func line(_ text: String) {
        guard !quiet else { return }
        finish()
        ProgressLine.emit(text + "\n")
    }

    private func summary(_ bytes: Int, _ now: Double) -> String {
        let rate = Double(bytes - startBytes) / max(now - started, 1e-3)
        var text = "\(name) \(Self.size(bytes))" + (total.map { " / \(Self.size($0))" } ?? "") + " | \(Self.size(Int(rate)))/s"
        if let total, rate > 0 { text += " | ETA " + ProgressLine.clock(Double(total - bytes) / rate) }
        return text
    }

    /// "1.2 GB", "340.5 MB", "12 B" (decimal units).
    static func size(_ bytes: Int) -> String {
        let units = ["B", "kB", "MB", "GB", "TB"]
        var value = Double(bytes), unit = 0
        while value >= 1000, unit < units.count - 1 { (value, unit) = (value / 1000, unit + 1) }
        return unit == 0 ? "\(bytes) B" : String(format: "%.1f %@", value, units[unit])
    }
}
