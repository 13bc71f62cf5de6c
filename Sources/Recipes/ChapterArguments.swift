// Command lines as every chapter reads them: bad arguments are one line on stderr and a
// non-zero exit, like every other failure of a chapter (ArgumentParser's own `parseOrExit`
// adds the usage text, which buries the line that matters in a log).
import ArgumentParser
import Foundation

extension ParsableArguments {
    /// The parsed command line; `--help` prints the help and exits 0, anything wrong prints
    /// "<chapter>: error: <what>" on stderr and exits non-zero.
    public static func parseOrExitInOneLine(chapter: String) -> Self {
        do {
            return try parse()
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            let line = message(for: error).split(whereSeparator: \.isNewline).joined(separator: " ")
            FileHandle.standardError.write(Data("\(chapter): error: \(line)\n".utf8))
            Foundation.exit(code.rawValue == 0 ? 1 : code.rawValue)
        }
    }
}
