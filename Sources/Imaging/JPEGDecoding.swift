import CTurboJPEG
import Foundation

/// Decodes a JPEG with libjpeg-turbo exactly as Pillow's `Image.open(...).convert("RGB")` does.
///
/// Pillow leaves libjpeg at its defaults (accurate integer IDCT, fancy upsampling) and asks it for
/// RGB, or for grayscale that `convert` then replicates into three channels, which libjpeg's own
/// gray-to-RGB conversion also does. TurboJPEG's flags 0 select the same defaults. CMYK (and YCCK)
/// files come out as CMYK, which Pillow treats as Adobe-inverted and converts with its own formula.
/// Any libjpeg warning, such as "premature end of JPEG file", is an error: a truncated file would
/// otherwise decode to a silently grey image.
func decodeJPEG(_ data: Data, name: String) throws -> Image {
    guard let handle = tjInitDecompress() else {
        throw ImagingError.corruptJPEG(file: name, reason: "cannot initialise libturbojpeg")
    }
    defer { tjDestroy(handle) }

    return try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> Image in
        let jpeg = raw.bindMemory(to: UInt8.self)
        let jpegSize = UInt(jpeg.count)
        func failure() -> ImagingError {
            .corruptJPEG(file: name, reason: String(cString: tjGetErrorStr2(handle)))
        }

        var width: Int32 = 0, height: Int32 = 0, subsampling: Int32 = 0, colorspace: Int32 = 0
        guard tjDecompressHeader3(handle, jpeg.baseAddress, jpegSize,
                                  &width, &height, &subsampling, &colorspace) == 0 else {
            throw failure()
        }
        try Image.checkDimensions(width: Int(width), height: Int(height), name: name)
        let isCMYK = colorspace == Int32(TJCS_CMYK.rawValue) || colorspace == Int32(TJCS_YCCK.rawValue)
        let pixelFormat = isCMYK ? TJPF_CMYK : TJPF_RGB
        let pixelCount = Int(width) * Int(height)

        var decoded = [UInt8](repeating: 0, count: pixelCount * (isCMYK ? 4 : 3))
        let status = decoded.withUnsafeMutableBufferPointer { out in
            tjDecompress2(handle, jpeg.baseAddress, jpegSize, out.baseAddress,
                          width, 0, height, Int32(pixelFormat.rawValue), 0)
        }
        guard status == 0 else { throw failure() }

        if isCMYK { decoded = rgbFromInvertedCMYK(decoded, pixelCount: pixelCount) }
        return Image(width: Int(width), height: Int(height), pixels: decoded)
    }
}

/// Pillow's "CMYK;I" unpacking (Adobe stores inverted ink) followed by its `cmyk2rgb`:
/// each channel is `(255 - k) - c * (255 - k) / 255`, the division rounded as Pillow's MULDIV255.
private func rgbFromInvertedCMYK(_ cmyk: [UInt8], pixelCount: Int) -> [UInt8] {
    [UInt8](unsafeUninitializedCapacity: pixelCount * 3) { rgb, initialized in
        cmyk.withUnsafeBufferPointer { cmyk in
            let src = cmyk.baseAddress!, dst = rgb.baseAddress!
            for i in 0..<pixelCount {
                let inkless = Int(src[4 * i + 3])  // 255 - k, after inversion
                for c in 0..<3 {
                    let ink = 255 - Int(src[4 * i + c])
                    let t = ink * inkless + 128
                    dst[3 * i + c] = UInt8(inkless - (((t >> 8) + t) >> 8))
                }
            }
        }
        initialized = pixelCount * 3
    }
}
