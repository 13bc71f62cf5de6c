// Between one image's pixel values [3, H, W] and its 8-bit RGB pixels, for augmentations that
// act on 8-bit images (timm's RandAugment, through Pillow) in a pipeline that stores processed
// values: every value a processor writes is one of its 256 per channel (`valueTables`), so the
// 8-bit image is recovered exactly and written back bit for bit.
extension ImageProcessor {
    /// The 8-bit image whose pixel values `values` (planes R, G, B of `height` x `width`) are, or
    /// nil if a value is not one this processor writes for an 8-bit value (within 1e-4, which lets
    /// black written as (0 - mean) / std in double precision through), or the processor does not
    /// rescale and normalise with a positive std.
    public func image(fromPixelValues values: UnsafePointer<Float>, height: Int, width: Int) -> Image? {
        guard imageStd.allSatisfy({ $0 > 0 }), doRescale, doNormalize, rescaleFactor > 0 else { return nil }
        let tables = valueTables(), plane = height * width
        var pixels = [UInt8](repeating: 0, count: 3 * plane)
        let found = tables.withUnsafeBufferPointer { tables in
            pixels.withUnsafeMutableBufferPointer { pixels in
                for channel in 0..<3 {
                    let table = tables.baseAddress! + channel * 256, source = values + channel * plane
                    let (mean, std) = (imageMean[channel], imageStd[channel])
                    for index in 0..<plane {
                        let value = source[index]
                        // The 8-bit value the normalisation inverts to, then its nearer neighbour if closer.
                        var nearest = min(255, max(0, Int(((Double(value) * std + mean) / rescaleFactor).rounded())))
                        if nearest > 0 && abs(table[nearest - 1] - value) < abs(table[nearest] - value) { nearest -= 1 }
                        if nearest < 255 && abs(table[nearest + 1] - value) < abs(table[nearest] - value) { nearest += 1 }
                        guard abs(table[nearest] - value) <= 1e-4 else { return false }
                        pixels[3 * index + channel] = UInt8(nearest)
                    }
                }
                return true
            }
        }
        return found ? Image(width: width, height: height, pixels: pixels) : nil
    }

    /// Writes `image`'s pixel values as planes R, G, B into `out`: what `pixelValues` writes
    /// for an image of the output size.
    public func writePixelValues(of image: Image, into out: UnsafeMutablePointer<Float>) {
        let tables = valueTables(), plane = image.height * image.width
        image.pixels.withUnsafeBufferPointer { pixels in
            tables.withUnsafeBufferPointer { tables in
                for index in 0..<plane {
                    for channel in 0..<3 { out[channel * plane + index] = tables[channel * 256 + Int(pixels[3 * index + channel])] }
                }
            }
        }
    }
}
