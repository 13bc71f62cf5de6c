extension Image {
    /// transformers' `center_crop`: the centred `width` x `height` window, the top-left corner
    /// rounded toward the origin; where the window is larger than the image, the image is first
    /// centred on a black canvas, an odd pixel of padding going before it (top or left).
    public func centerCropped(width: Int, height: Int) -> Image {
        precondition(width > 0 && height > 0, "crop size must be positive, got \(width)x\(height)")
        let window = CenterCrop(sourceHeight: self.height, sourceWidth: self.width, height: height, width: width)
        var out = [UInt8](repeating: 0, count: width * height * 3)
        pixels.withUnsafeBufferPointer { source in
            out.withUnsafeMutableBufferPointer { out in
                for y in window.sourceRows {
                    let from = (y * self.width + window.sourceColumns.lowerBound) * 3
                    let to = ((y - window.top) * width + window.sourceColumns.lowerBound - window.left) * 3
                    (out.baseAddress! + to).update(from: source.baseAddress! + from,
                                                   count: window.sourceColumns.count * 3)
                }
            }
        }
        return Image(width: width, height: height, pixels: out)
    }
}

/// Where transformers' `center_crop` places its window on a source image: output pixel (y, x)
/// is source pixel (y + top, x + left), or black padding when that lies outside the source.
struct CenterCrop {
    let top: Int
    let left: Int
    /// The source rows and columns that land inside the window.
    let sourceRows: Range<Int>
    let sourceColumns: Range<Int>

    init(sourceHeight: Int, sourceWidth: Int, height: Int, width: Int) {
        top = Self.offset(source: sourceHeight, crop: height)
        left = Self.offset(source: sourceWidth, crop: width)
        sourceRows = max(0, top)..<min(sourceHeight, top + height)
        sourceColumns = max(0, left)..<min(sourceWidth, left + width)
    }

    /// `(source - crop) // 2` when cropping; when padding, transformers pads by
    /// `ceil((crop - source) / 2)` before the leading edge, which is the same shift negated.
    private static func offset(source: Int, crop: Int) -> Int {
        crop <= source ? (source - crop) / 2 : -((crop - source + 1) / 2)
    }
}
