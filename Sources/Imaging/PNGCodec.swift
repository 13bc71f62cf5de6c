import CCairo
import Foundation

/// Decodes a PNG through Cairo. Cairo hands back native-endian 32-bit pixels, premultiplied by
/// alpha when the file has transparency; un-premultiplying and dropping alpha reproduces Pillow's
/// `convert("RGB")` exactly for opaque pixels. Translucent pixels lose the precision that
/// premultiplication discarded (fully transparent ones become black, where Pillow keeps the
/// stored colour).
func decodePNG(_ data: Data, name: String) throws -> Image {
    let header = try PNGHeader(data, name: name)
    try Image.checkDimensions(width: header.width, height: header.height, name: name)
    guard header.bitDepth <= 8 else {
        // Pillow reads 16-bit grey as 32-bit integers that convert("RGB") clips to 255, where Cairo
        // scales them: the two would disagree on every pixel, so such files are refused, not guessed at.
        throw ImagingError.unsupportedPixelFormat(file: name, reason: "16-bit PNG; save it with 8 bits per channel")
    }
    return try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> Image in
        let source = PNGByteSource(raw)
        let surface = withExtendedLifetime(source) {
            cairo_image_surface_create_from_png_stream(readPNGBytes, Unmanaged.passUnretained(source).toOpaque())
        }
        defer { cairo_surface_destroy(surface) }
        let status = cairo_surface_status(surface)
        guard status == CAIRO_STATUS_SUCCESS else {
            throw ImagingError.corruptPNG(file: name, reason: String(cString: cairo_status_to_string(status)))
        }

        let format = cairo_image_surface_get_format(surface)
        guard format == CAIRO_FORMAT_ARGB32 || format == CAIRO_FORMAT_RGB24 else {
            throw ImagingError.corruptPNG(file: name, reason: "unsupported PNG pixel format (cairo format \(format.rawValue))")
        }
        cairo_surface_flush(surface)
        let width = Int(cairo_image_surface_get_width(surface))
        let height = Int(cairo_image_surface_get_height(surface))
        let stride = Int(cairo_image_surface_get_stride(surface))
        guard width > 0, height > 0, let base = cairo_image_surface_get_data(surface) else {
            throw ImagingError.corruptPNG(file: name, reason: "empty image")
        }
        let premultiplied = format == CAIRO_FORMAT_ARGB32

        let pixels = [UInt8](unsafeUninitializedCapacity: width * height * 3) { rgb, initialized in
            let dst = rgb.baseAddress!
            for y in 0..<height {
                let row = UnsafeRawPointer(base + y * stride).assumingMemoryBound(to: UInt32.self)
                for x in 0..<width {
                    let argb = row[x]
                    var r = (argb >> 16) & 0xFF, g = (argb >> 8) & 0xFF, b = argb & 0xFF
                    let alpha = argb >> 24
                    if premultiplied && alpha != 255 {
                        r = unpremultiply(r, alpha)
                        g = unpremultiply(g, alpha)
                        b = unpremultiply(b, alpha)
                    }
                    let o = (y * width + x) * 3
                    dst[o] = UInt8(r)
                    dst[o + 1] = UInt8(g)
                    dst[o + 2] = UInt8(b)
                }
            }
            initialized = width * height * 3
        }
        return Image(width: width, height: height, pixels: pixels)
    }
}

/// A PNG's IHDR chunk, which the format requires to come first: Cairo decodes the whole image in
/// one call, so its size must be checked before that call.
struct PNGHeader {
    let width: Int
    let height: Int
    let bitDepth: Int

    init(_ data: Data, name: String) throws {
        let bytes = [UInt8](data.prefix(25))
        guard bytes.count == 25, bytes[12..<16].elementsEqual("IHDR".utf8) else {
            throw ImagingError.corruptPNG(file: name, reason: "no IHDR chunk at the start")
        }
        func bigEndian(at offset: Int) -> Int { bytes[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) } }
        width = bigEndian(at: 16)
        height = bigEndian(at: 20)
        bitDepth = Int(bytes[24])
    }
}

/// Cairo's own rounding when it un-premultiplies for `cairo_surface_write_to_png`.
@inline(__always)
private func unpremultiply(_ channel: UInt32, _ alpha: UInt32) -> UInt32 {
    alpha == 0 ? 0 : min(255, (channel * 255 + alpha / 2) / alpha)
}

extension Image {
    /// Writes an 8-bit RGB PNG through Cairo, atomically (a temporary file renamed into place).
    public func writePNG(to url: URL) throws {
        let encoded = try pngData(name: url.path)
        do {
            try encoded.write(to: url, options: .atomic)
        } catch {
            throw ImagingError.unwritable(file: url.path, reason: error.localizedDescription)
        }
    }

    /// The PNG encoding of this image; `name` identifies the destination in errors.
    func pngData(name: String) throws -> Data {
        let surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, Int32(clamping: width), Int32(clamping: height))
        defer { cairo_surface_destroy(surface) }
        let status = cairo_surface_status(surface)
        guard status == CAIRO_STATUS_SUCCESS, let base = cairo_image_surface_get_data(surface) else {
            throw ImagingError.unwritable(file: name, reason: String(cString: cairo_status_to_string(status)))
        }
        cairo_surface_flush(surface)
        let stride = Int(cairo_image_surface_get_stride(surface))
        pixels.withUnsafeBufferPointer { rgb in
            let src = rgb.baseAddress!
            for y in 0..<height {
                let row = UnsafeMutableRawPointer(base + y * stride).assumingMemoryBound(to: UInt32.self)
                for x in 0..<width {
                    let o = (y * width + x) * 3
                    row[x] = 0xFF00_0000 | UInt32(src[o]) << 16 | UInt32(src[o + 1]) << 8 | UInt32(src[o + 2])
                }
            }
        }
        cairo_surface_mark_dirty(surface)

        let sink = PNGByteSink()
        let written = withExtendedLifetime(sink) {
            cairo_surface_write_to_png_stream(surface, writePNGBytes, Unmanaged.passUnretained(sink).toOpaque())
        }
        guard written == CAIRO_STATUS_SUCCESS else {
            throw ImagingError.unwritable(file: name, reason: String(cString: cairo_status_to_string(written)))
        }
        return sink.bytes
    }
}

/// The encoded bytes Cairo pulls from while decoding.
private final class PNGByteSource {
    let bytes: UnsafeRawBufferPointer
    var offset = 0
    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }
}

private let readPNGBytes: cairo_read_func_t = { closure, destination, length in
    let source = Unmanaged<PNGByteSource>.fromOpaque(closure!).takeUnretainedValue()
    let count = Int(length)
    guard let destination, count <= source.bytes.count - source.offset else { return CAIRO_STATUS_READ_ERROR }
    if count > 0 {
        destination.update(from: source.bytes.baseAddress!.advanced(by: source.offset).assumingMemoryBound(to: UInt8.self),
                           count: count)
    }
    source.offset += count
    return CAIRO_STATUS_SUCCESS
}

/// The encoded bytes Cairo pushes while encoding.
private final class PNGByteSink {
    var bytes = Data()
}

private let writePNGBytes: cairo_write_func_t = { closure, source, length in
    let sink = Unmanaged<PNGByteSink>.fromOpaque(closure!).takeUnretainedValue()
    if let source { sink.bytes.append(source, count: Int(length)) }
    return CAIRO_STATUS_SUCCESS
}
