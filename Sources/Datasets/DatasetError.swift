import Foundation

/// Why a dataset could not be read. Every case names the file (or class) at fault, so a
/// chapter can print it as its one error line.
public enum DatasetError: Error, Equatable, CustomStringConvertible, LocalizedError {
    case missingFile(String)
    case malformed(file: String, line: Int, reason: String)
    case emptyClass(name: String, place: String)
    case corruptImage(file: String, reason: String)
    case unusable(String)

    public var description: String {
        switch self {
        case let .missingFile(file):
            return "\(file): no such file"
        case let .malformed(file, line, reason):
            return "\(file):\(line): \(reason)"
        case let .emptyClass(name, place):
            return "class '\(name)' has no images in \(place)"
        case let .corruptImage(file, reason):
            return "\(file): \(reason)"
        case let .unusable(reason):
            return reason
        }
    }

    public var errorDescription: String? { description }
}
