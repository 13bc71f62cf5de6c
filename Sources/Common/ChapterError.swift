// The error a chapter raises for its own conditions (a missing option, an impossible
// combination). Library errors reach the same exit path: `ChapterRun.fail` prints any
// error as one line on stderr and exits non-zero.
public struct ChapterError: Error, CustomStringConvertible, Sendable {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
