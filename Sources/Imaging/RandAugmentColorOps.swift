// RandAugment's colour operations on 8-bit RGB, as Pillow 13 computes them for timm's
// auto_augment.py: the ImageOps look-up tables (autocontrast, equalize, invert, posterize,
// solarize, timm's solarize_add) and ImageEnhance's blends with a degenerate image (Color,
// Contrast, Brightness, Sharpness).
extension Image {
    /// `image.point(lut)` with one 256-entry table per band, `tables` R then G then B.
    func lookedUp(_ tables: [UInt8]) -> Image {
        precondition(tables.count == 3 * 256, "a look-up needs 3 x 256 entries, got \(tables.count)")
        var out = [UInt8](repeating: 0, count: pixels.count)
        pixels.withUnsafeBufferPointer { source in
            tables.withUnsafeBufferPointer { tables in
                out.withUnsafeMutableBufferPointer { out in
                    for index in stride(from: 0, to: source.count, by: 3) {
                        out[index] = tables[Int(source[index])]
                        out[index + 1] = tables[256 + Int(source[index + 1])]
                        out[index + 2] = tables[512 + Int(source[index + 2])]
                    }
                }
            }
        }
        return Image(width: width, height: height, pixels: out)
    }

    /// One table applied to every band.
    func lookedUp(each table: [UInt8]) -> Image { lookedUp(table + table + table) }

    /// `image.histogram()`: 256 counts per band, R then G then B.
    func histogram() -> [Int] {
        var counts = [Int](repeating: 0, count: 3 * 256)
        pixels.withUnsafeBufferPointer { source in
            counts.withUnsafeMutableBufferPointer { counts in
                for index in stride(from: 0, to: source.count, by: 3) {
                    counts[Int(source[index])] += 1
                    counts[256 + Int(source[index + 1])] += 1
                    counts[512 + Int(source[index + 2])] += 1
                }
            }
        }
        return counts
    }

    /// ImageOps.autocontrast with no cutoff: each band stretched from its lowest to its highest value.
    public func autoContrasted() -> Image {
        let counts = histogram()
        var tables = [UInt8]()
        for band in 0..<3 {
            let bandCounts = counts[(band * 256)..<(band * 256 + 256)]
            let low = bandCounts.firstIndex { $0 > 0 }! - band * 256, high = bandCounts.lastIndex { $0 > 0 }! - band * 256
            guard high > low else { tables += (0...255).map(UInt8.init); continue }
            let scale = 255.0 / Double(high - low), offset = -Double(low) * scale
            tables += (0...255).map { UInt8(max(0, min(255, Int(Double($0) * scale + offset)))) }
        }
        return lookedUp(tables)
    }

    /// ImageOps.equalize: each band through its cumulative histogram, in Pillow's integer steps.
    public func equalized() -> Image {
        let counts = histogram()
        var tables = [UInt8]()
        for band in 0..<3 {
            let bandCounts = Array(counts[(band * 256)..<(band * 256 + 256)])
            let present = bandCounts.filter { $0 > 0 }
            let step = present.count <= 1 ? 0 : (present.reduce(0, +) - present.last!) / 255
            guard step > 0 else { tables += (0...255).map(UInt8.init); continue }
            var running = step / 2
            for value in 0..<256 {
                tables.append(UInt8(min(255, running / step)))
                running += bandCounts[value]
            }
        }
        return lookedUp(tables)
    }

    /// ImageOps.invert.
    public func inverted() -> Image { lookedUp(each: (0...255).map { UInt8(255 - $0) }) }

    /// ImageOps.posterize: keeps the `bits` most significant bits (0 keeps none: black).
    public func posterized(bits: Int) -> Image {
        guard bits < 8 else { return self }
        let mask = ~((1 << (8 - max(0, bits))) - 1)
        return lookedUp(each: (0...255).map { UInt8($0 & mask & 255) })
    }

    /// ImageOps.solarize: values at or above `threshold` inverted.
    public func solarized(threshold: Int) -> Image {
        lookedUp(each: (0...255).map { UInt8($0 < threshold ? $0 : 255 - $0) })
    }

    /// timm's solarize_add: `add` added (up to 255) to values below `threshold`.
    public func solarizeAdded(_ add: Int, threshold: Int = 128) -> Image {
        lookedUp(each: (0...255).map { UInt8($0 < threshold ? min(255, $0 + add) : $0) })
    }

    /// The enhancements of PIL.ImageEnhance, each a blend of the image with a degenerate one.
    public enum Enhancement: Sendable {
        /// Towards the image's greyscale (Color), its mean grey (Contrast), black (Brightness),
        /// its SMOOTH-filtered self (Sharpness).
        case color, contrast, brightness, sharpness
    }

    /// `ImageEnhance.<enhancement>(image).enhance(factor)`: factor 1 is the image, 0 the degenerate one.
    public func enhanced(_ enhancement: Enhancement, factor: Double) -> Image {
        let degenerate: [UInt8]
        switch enhancement {
        case .color:
            var grey = [UInt8](repeating: 0, count: pixels.count)
            for (index, value) in greyscale().enumerated() { (grey[3 * index], grey[3 * index + 1], grey[3 * index + 2]) = (value, value, value) }
            degenerate = grey
        case .contrast:
            let grey = greyscale()
            let mean = Double(grey.reduce(0) { $0 + Int($1) }) / Double(grey.count)
            degenerate = [UInt8](repeating: UInt8(Int(mean + 0.5)), count: pixels.count)
        case .brightness: degenerate = [UInt8](repeating: 0, count: pixels.count)
        case .sharpness: degenerate = smoothed()
        }
        return Image(width: width, height: height, pixels: blend(degenerate, pixels, alpha: Float(factor)))
    }

    /// `image.convert("L")`: ITU-R 601-2 luma in Pillow's 16-bit fixed point.
    func greyscale() -> [UInt8] {
        var grey = [UInt8](repeating: 0, count: width * height)
        pixels.withUnsafeBufferPointer { source in
            for index in 0..<grey.count {
                let (r, g, b) = (Int(source[3 * index]), Int(source[3 * index + 1]), Int(source[3 * index + 2]))
                grey[index] = UInt8((r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16)
            }
        }
        return grey
    }

    /// `image.filter(ImageFilter.SMOOTH)`: Pillow's 3x3 kernel (1 1 1 / 1 5 1 / 1 1 1) / 13 in
    /// float with 0.5 added for rounding; the border rows and columns are copied.
    func smoothed() -> [UInt8] {
        var out = pixels
        guard width >= 3 && height >= 3 else { return out }
        let edge = Float(1.0 / 13.0), centre = Float(5.0 / 13.0)
        let rowLength = 3 * width
        pixels.withUnsafeBufferPointer { source in
            out.withUnsafeMutableBufferPointer { out in
                for y in 1..<(height - 1) {
                    let above = source.baseAddress! + (y - 1) * rowLength, row = above + rowLength, below = row + rowLength
                    for x in 1..<(width - 1) {
                        for band in 0..<3 {
                            let i = 3 * x + band
                            var sum: Float = 0.5
                            sum += Float(below[i - 3]) * edge + Float(below[i]) * edge + Float(below[i + 3]) * edge
                            sum += Float(row[i - 3]) * edge + Float(row[i]) * centre + Float(row[i + 3]) * edge
                            sum += Float(above[i - 3]) * edge + Float(above[i]) * edge + Float(above[i + 3]) * edge
                            out[y * rowLength + i] = clip8(sum)
                        }
                    }
                }
            }
        }
        return out
    }
}

/// `Image.blend(first, second, alpha)`: Pillow's float interpolation, truncated; clipped when
/// `alpha` extrapolates beyond [0, 1].
func blend(_ first: [UInt8], _ second: [UInt8], alpha: Float) -> [UInt8] {
    var out = [UInt8](repeating: 0, count: first.count)
    first.withUnsafeBufferPointer { first in
        second.withUnsafeBufferPointer { second in
            out.withUnsafeMutableBufferPointer { out in
                for index in 0..<out.count {
                    let a = Int(first[index]), b = Int(second[index])
                    out[index] = clip8(Float(a) + alpha * Float(b - a))
                }
            }
        }
    }
    return out
}

/// Pillow's clip8 for float sums: 0 at or below 0, 255 at or above 255, truncated between.
@inline(__always)
func clip8(_ value: Float) -> UInt8 {
    value <= 0 ? 0 : value >= 255 ? 255 : UInt8(value)
}
