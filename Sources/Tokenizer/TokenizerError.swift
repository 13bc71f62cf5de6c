import Foundation

/// Why a tokenizer could not be built: always names the file at fault.
public struct TokenizerError: Error, CustomStringConvertible, Equatable, Sendable {
    public enum Reason: Equatable, Sendable {
        /// No file at that path.
        case missing
        /// The file exists but could not be read (a directory, no permission, ...).
        case unreadable(String)
        /// The file was read but its contents are not what the tokenizer needs.
        case malformed(String)
    }

    /// The file at fault (vocab.json or merges.txt).
    public let file: URL
    public let reason: Reason

    public init(file: URL, reason: Reason) {
        self.file = file
        self.reason = reason
    }

    public var description: String {
        switch reason {
        case .missing:
            return "tokenizer file \(file.lastPathComponent) not found at \(file.path)"
        case .unreadable(let why):
            return "cannot read tokenizer file \(file.lastPathComponent) at \(file.path): \(why)"
        case .malformed(let why):
            return "malformed tokenizer file \(file.lastPathComponent) at \(file.path): \(why)"
        }
    }
}
