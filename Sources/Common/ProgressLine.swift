// The pieces of a progress display on stderr that training and downloads share: whether stderr
// is a terminal (a bar redrawn in place) or a log (plain lines), the bar, the clock, the writing.
import Foundation

public enum ProgressLine {
    /// True when stderr is a terminal, where a bar can be redrawn in place.
    public static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) != 0 }

    /// "[######..................]" for `fraction` of the way.
    public static func bar(_ fraction: Double, width: Int = 24) -> String {
        let filled = max(0, min(width, Int(Double(width) * fraction)))
        return "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "]"
    }

    /// "h:mm:ss".
    public static func clock(_ seconds: Double) -> String {
        let whole = seconds.isFinite ? Int(seconds.rounded()) : 0
        return String(format: "%d:%02d:%02d", whole / 3600, whole / 60 % 60, whole % 60)
    }

    /// Redraws the current terminal line with `text`.
    public static func redraw(_ text: String) { emit("\r" + text + "\u{1B}[K") }

    public static func emit(_ text: String) {
        fputs(text, stderr)
        fflush(stderr)
    }
}
