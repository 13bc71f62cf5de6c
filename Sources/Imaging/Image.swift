import Foundation

/// An 8-bit RGB image, pixels interleaved (HWC) in row-major order: the layout of
/// `numpy.asarray(PIL.Image.open(path).convert("RGB"))`.
public struct Image: Equatable, Sendable {
    public let width: Int
    public let height: Int
    /// `height * width * 3` bytes: R, G, B of pixel (0, 0), then of (0, 1), ...
    public let pixels: [UInt8]

    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(width > 0 && height > 0, "image dimensions must be positive, got \(width)x\(height)")
        precondition(pixels.count == width * height * 3,
                      "\(width)x\(height) RGB image needs \(width * height * 3) bytes, got \(pixels.count)")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// Decodes a JPEG or PNG file, recognised by its magic bytes rather than its extension.
    /// Like `Image.open`, this ignores any EXIF orientation: pixels come in stored order.
    public init(contentsOf url: URL) throws {
        try self.init(contentsOf: RawPath(url))
    }

    /// Decodes the JPEG or PNG file at `path`'s bytes (a name that is not UTF-8 opens as it is).
    /// A FIFO or a device is refused before anything is read: reading one would block or never end.
    public init(contentsOf path: RawPath) throws {
        let data: Data
        do {
            data = try path.readRegularFile()
        } catch {
            throw ImagingError.unreadable(file: path.description, reason: error.reason)
        }
        try self.init(encoded: data, name: path.description)
    }

    /// The most pixels an image may have: Pillow's `Image.MAX_IMAGE_PIXELS` (89,478,485), above
    /// which Pillow warns of a decompression bomb and at twice which it refuses. We refuse at the
    /// warning, by the header's dimensions and before allocating anything: a JPEG of a few hundred
    /// bytes may claim 65000 x 65000 pixels, which would ask for 12 GB.
    public static let maximumPixels = 89_478_485

    /// Throws unless `width` x `height` is a positive size within `maximumPixels`.
    static func checkDimensions(width: Int, height: Int, name: String) throws {
        guard width > 0, height > 0 else { throw ImagingError.badDimensions(file: name, width: width, height: height) }
        let (pixels, overflow) = width.multipliedReportingOverflow(by: height)
        guard !overflow, pixels <= maximumPixels else {
            throw ImagingError.tooManyPixels(file: name, width: width, height: height, limit: maximumPixels)
        }
    }

    /// Decodes JPEG or PNG bytes; `name` identifies the source in errors.
    public init(encoded data: Data, name: String) throws {
        switch EncodedFormat(sniffing: data) {
        case .jpeg: self = try decodeJPEG(data, name: name)
        case .png: self = try decodePNG(data, name: name)
        case nil: throw ImagingError.unsupportedFormat(file: name)
        }
    }
}

/// The container formats we decode, told apart by their signatures.
enum EncodedFormat {
    case jpeg, png

    init?(sniffing data: Data) {
        let jpegMagic: [UInt8] = [0xFF, 0xD8, 0xFF]
        let pngMagic: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        if data.starts(with: jpegMagic) {
            self = .jpeg
        } else if data.starts(with: pngMagic) {
            self = .png
        } else {
            return nil
        }
    }
}
