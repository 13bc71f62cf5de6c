import Foundation

/// Why an image or a preprocessor config could not be read or written. Every case names the file.
public enum ImagingError: Error, Equatable, CustomStringConvertible {
    case unreadable(file: String, reason: String)
    case unsupportedFormat(file: String)
    case corruptJPEG(file: String, reason: String)
    case corruptPNG(file: String, reason: String)
    case unwritable(file: String, reason: String)
    case invalidProcessorConfig(file: String, reason: String)

    public var description: String {
        switch self {
        case let .unreadable(file, reason):
            return "\(file): cannot read image file: \(reason)"
        case let .unsupportedFormat(file):
            return "\(file): unsupported image format (expected JPEG or PNG)"
        case let .corruptJPEG(file, reason):
            return "\(file): corrupt or truncated JPEG: \(reason)"
        case let .corruptPNG(file, reason):
            return "\(file): corrupt or truncated PNG: \(reason)"
        case let .unwritable(file, reason):
            return "\(file): cannot write image: \(reason)"
        case let .invalidProcessorConfig(file, reason):
            return "\(file): invalid preprocessor config: \(reason)"
        }
    }
}

extension ImagingError: LocalizedError {
    public var errorDescription: String? { description }
}
