import Common
// What can be wrong with a timm configuration, worded so that the message alone says which
// architecture and which argument is at fault.

public enum TimmError: Error, Equatable, CustomStringConvertible {
    case unknownArchitecture(String, supported: [String])
    /// An argument this implementation does not compute (a different block, pooling, stem...).
    case unsupportedArgument(architecture: String, key: String, value: String)
    case badArgument(architecture: String, key: String, expected: String, found: String)

    public var description: String {
        switch self {
        case let .unknownArchitecture(name, supported):
            return "timm architecture '\(name)' is not supported (supported: \(supported.joined(separator: ", ")))"
        case let .unsupportedArgument(architecture, key, value):
            return "\(architecture): model argument \(key) = \(value) is not supported"
        case let .badArgument(architecture, key, expected, found):
            return "\(architecture): model argument \(key) should be \(expected), found \(found)"
        }
    }
}
