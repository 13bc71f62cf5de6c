// Between one image's pixel values [3, H, W] and its 8-bit RGB pixels, for augmentations that
// act on 8-bit images (timm's RandAugment, through Pillow) in a pipeline that stores processed
// values: every value a processor writes is one of its 256 per channel (`valueTables`), so the
// 8-bit image is recovered exactly and written back bit for bit.
extension ImageProcessor {
    /// The 8-bit image whose pixel values `values` (planes R, G, B of `height` x `width`) are, or
    /// nil if a value is not one this processor writes for an 8-bit value (within 1e-4, which lets
    /// black written as (0 - mean) / std in double precision through) or its std is negative.
    public func image(fromPixelValues values: UnsafePointer<Float>, height: Int, width: Int) -> Image? {
        guard imageStd.allSatisfy({ $0 > 0 }) else { return nil }
        let tables = valueTables(), plane = height * width
        var pixels = [UInt8](repeating: 0, count: 3 * plane)
        let found = tables.withUnsafeBufferPointer { tables in
            pixels.withUnsafeMutableBufferPointer { pixels in
                for channel in 0..<3 {
                    let table = tables.baseAddress! + channel * 256, source = values + channel * plane
                    for index in 0..<plane {
                        let value = source[index]
                        var (low, high) = (0, 255)
                        while low < high {
                            let middle = (low + high) / 2
                            if table[middle] < value { low = middle + 1 } else { high = middle }
                        }
                        if low > 0 && value - table[low - 1] < table[low] - value { low -= 1 }
                        guard abs(table[low] - value) <= 1e-4 else { return false }
                        pixels[3 * index + channel] = UInt8(low)
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
