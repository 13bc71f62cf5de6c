import Foundation

// Pillow's `Image.transform(size, Image.AFFINE, matrix, BICUBIC, fillcolor=fill)` and
// `Image.rotate(angle, BICUBIC, fillcolor=fill)` on 8-bit RGB (libImaging/Geometry.c): each output
// pixel centre (x + 0.5, y + 0.5) maps through the matrix to an input point; outside the image it
// keeps the fill, inside it is Pillow's 4 x 4 bicubic (a = -1) in double precision, columns clipped
// to the image, the first row clipped and each further row outside the image repeating the one
// before, clipped to 0...255 and truncated.
extension Image {
    /// The output pixel (x, y) samples the input at (a0 x + a1 y + a2, a3 x + a4 y + a5), at pixel centres.
    public func affineTransformed(_ matrix: [Double], fill: [UInt8]) -> Image {
        precondition(matrix.count == 6 && fill.count == 3, "an affine transform needs 6 coefficients and an RGB fill")
        var out = [UInt8](repeating: 0, count: pixels.count)
        let (w, h) = (width, height)
        let (a0, a1, a2, a3, a4, a5) = (matrix[0], matrix[1], matrix[2], matrix[3], matrix[4], matrix[5])
        pixels.withUnsafeBufferPointer { source in
            out.withUnsafeMutableBufferPointer { out in
                let source = source.baseAddress!
                for y in 0..<h {
                    for x in 0..<w {
                        let o = 3 * (y * w + x)
                        let (cx, cy) = (Double(x) + 0.5, Double(y) + 0.5)
                        var xin = a0 * cx + a1 * cy + a2, yin = a3 * cx + a4 * cy + a5
                        guard xin >= 0 && xin < Double(w) && yin >= 0 && yin < Double(h) else {
                            (out[o], out[o + 1], out[o + 2]) = (fill[0], fill[1], fill[2])
                            continue
                        }
                        xin -= 0.5
                        yin -= 0.5
                        let column = Int(xin.rounded(.down)), row = Int(yin.rounded(.down))
                        let dx = xin - Double(column), dy = yin - Double(row)
                        let c0 = 3 * min(max(column - 1, 0), w - 1), c1 = 3 * min(max(column, 0), w - 1)
                        let c2 = 3 * min(max(column + 1, 0), w - 1), c3 = 3 * min(max(column + 2, 0), w - 1)
                        for band in 0..<3 {
                            @inline(__always) func rowValue(_ r: Int) -> Double {
                                let line = source + r * 3 * w + band
                                return cubic(Double(line[c0]), Double(line[c1]), Double(line[c2]), Double(line[c3]), dx)
                            }
                            let v1 = rowValue(min(max(row - 1, 0), h - 1))
                            let v2 = row >= 0 && row < h ? rowValue(row) : v1
                            let v3 = row + 1 >= 0 && row + 1 < h ? rowValue(row + 1) : v2
                            let v4 = row + 2 >= 0 && row + 2 < h ? rowValue(row + 2) : v3
                            let value = cubic(v1, v2, v3, v4, dy)
                            out[o + band] = value <= 0 ? 0 : value >= 255 ? 255 : UInt8(value)
                        }
                    }
                }
            }
        }
        return Image(width: width, height: height, pixels: out)
    }

    /// `Image.rotate(degrees, BICUBIC, fillcolor=fill)`: counter-clockwise about the centre, same size.
    public func rotated(degrees: Double, fill: [UInt8]) -> Image {
        var angle = fmod(degrees, 360)
        if angle != 0 && angle < 0 { angle += 360 }
        if angle == 0 { return self }
        let radians = -(angle * (Double.pi / 180))
        let (cosine, sine) = (roundedTo15Digits(cos(radians)), roundedTo15Digits(sin(radians)))
        var matrix = [cosine, sine, 0.0, roundedTo15Digits(-sin(radians)), cosine, 0.0]
        let (centreX, centreY) = (Double(width) / 2, Double(height) / 2)
        matrix[2] = matrix[0] * -centreX + matrix[1] * -centreY + 0.0 + centreX
        matrix[5] = matrix[3] * -centreX + matrix[4] * -centreY + 0.0 + centreY
        return affineTransformed(matrix, fill: fill)
    }
}

/// Python's `round(value, 15)`: correctly rounded to 15 decimals, as printf's "%.15f" is.
private func roundedTo15Digits(_ value: Double) -> Double {
    Double(String(format: "%.15f", value))!
}

/// Pillow's BICUBIC macro: the cubic through four samples at fraction `d` between the middle two.
@inline(__always)
private func cubic(_ v1: Double, _ v2: Double, _ v3: Double, _ v4: Double, _ d: Double) -> Double {
    let p1 = v2, p2 = -v1 + v3, p3 = 2 * (v1 - v2) + v3 - v4, p4 = -v1 + v2 - v3 + v4
    return p1 + d * (p2 + d * (p3 + d * p4))
}
