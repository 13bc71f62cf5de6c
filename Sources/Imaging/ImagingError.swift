import Foundation

/// Why an image or a preprocessor config could not be read or written. Every case names the file.
public enum ImagingError: Error, Equatable, CustomStringConvertible {
    case unreadable(file: String, reason: String)
    case unsupportedFormat(file: String)
    case corruptJPEG(file: String, reason: String)
    case corruptPNG(file: String, reason: String)
    case badDimensions(file: String, width: Int, height: Int)
    case unsupportedPixelFormat(file: String, reason: String)
    case tooManyPixels(file: String, width: Int, height: Int, limit: Int)
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
        case let .badDimensions(file, width, height):
            return "\(file): image header gives no pixels (\(width) x \(height))"
        case let .unsupportedPixelFormat(file, reason):
            return "\(file): unsupported image: \(reason)"
        case let .tooManyPixels(file, width, height, limit):
            return "\(file): image of \(width) x \(height) pixels exceeds the limit of \(limit) (possible decompression bomb); not decoded"
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
