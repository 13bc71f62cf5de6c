import Foundation

/// timm's RandomResizedCropAndInterpolation (timm/data/transforms.py), FT-CLIP's training crop
/// above 32 px: a box of `scale` of the image's area at a log-uniform aspect ratio in `ratio`, up
/// to 10 tries to fit, else a central crop at the nearest ratio in range; then torchvision's
/// resized_crop, which crops and resizes with Pillow (bicubic for FT-CLIP's --train_interpolation).
public struct RandomResizedCrop: Equatable, Sendable {
    public let width: Int
    public let height: Int
    public let scale: ClosedRange<Double>
    public let ratio: ClosedRange<Double>
    public let filter: ResampleFilter

    public init(width: Int, height: Int, scale: ClosedRange<Double> = 0.08...1, ratio: ClosedRange<Double> = (3.0 / 4)...(4.0 / 3),
                filter: ResampleFilter = .bicubic) {
        precondition(width > 0 && height > 0 && scale.lowerBound > 0 && ratio.lowerBound > 0,
                     "RandomResizedCrop needs a positive size, scale and ratio")
        (self.width, self.height, self.scale, self.ratio, self.filter) = (width, height, scale, ratio, filter)
    }

    /// A crop box in an image: rows top..<top+height, columns left..<left+width.
    public struct Box: Equatable, Sendable {
        public let top, left, height, width: Int
        public init(top: Int, left: Int, height: Int, width: Int) { (self.top, self.left, self.height, self.width) = (top, left, height, width) }
    }

    /// timm's get_params for an image of `imageWidth` x `imageHeight`.
    public func box<G: RandomNumberGenerator>(imageWidth: Int, imageHeight: Int, using generator: inout G) -> Box {
        let area = Double(imageWidth * imageHeight), logRatio = log(ratio.lowerBound)...log(ratio.upperBound)
        for _ in 0..<10 {
            let targetArea = uniform(scale, &generator) * area
            let aspect = exp(uniform(logRatio, &generator))
            let w = Int((targetArea * aspect).squareRoot().rounded(.toNearestOrEven))
            let h = Int((targetArea / aspect).squareRoot().rounded(.toNearestOrEven))
            if w <= imageWidth && h <= imageHeight {
                let top = Int.random(in: 0...(imageHeight - h), using: &generator)
                let left = Int.random(in: 0...(imageWidth - w), using: &generator)
                return Box(top: top, left: left, height: h, width: w)
            }
        }
        let inRatio = Double(imageWidth) / Double(imageHeight)
        var (w, h) = (imageWidth, imageHeight)
        if inRatio < ratio.lowerBound {
            h = Int((Double(w) / ratio.lowerBound).rounded(.toNearestOrEven))
        } else if inRatio > ratio.upperBound {
            w = Int((Double(h) * ratio.upperBound).rounded(.toNearestOrEven))
        }
        return Box(top: (imageHeight - h) / 2, left: (imageWidth - w) / 2, height: h, width: w)
    }

    /// One random resized crop of `image`.
    public func apply<G: RandomNumberGenerator>(to image: Image, using generator: inout G) -> Image {
        image.resizedCrop(box(imageWidth: image.width, imageHeight: image.height, using: &generator), width: width, height: height, filter: filter)
    }

    /// random.uniform(a, b): a + (b - a) x random().
    private func uniform<G: RandomNumberGenerator>(_ range: ClosedRange<Double>, _ generator: inout G) -> Double {
        range.lowerBound + (range.upperBound - range.lowerBound) * Double.random(in: 0..<1, using: &generator)
    }
}

extension Image {
    /// `image.crop((left, top, left + width, top + height))` of a box inside the image.
    public func cropped(_ box: RandomResizedCrop.Box) -> Image {
        precondition(box.top >= 0 && box.left >= 0 && box.height > 0 && box.width > 0
                     && box.top + box.height <= height && box.left + box.width <= width, "crop box outside the image")
        var out = [UInt8](repeating: 0, count: 3 * box.width * box.height)
        pixels.withUnsafeBufferPointer { source in
            out.withUnsafeMutableBufferPointer { out in
                for row in 0..<box.height {
                    let from = source.baseAddress! + 3 * ((box.top + row) * width + box.left)
                    (out.baseAddress! + 3 * row * box.width).update(from: from, count: 3 * box.width)
                }
            }
        }
        return Image(width: box.width, height: box.height, pixels: out)
    }

    /// torchvision's resized_crop on a PIL image: the box cropped, then resized by Pillow.
    public func resizedCrop(_ box: RandomResizedCrop.Box, width: Int, height: Int, filter: ResampleFilter) -> Image {
        cropped(box).resized(width: width, height: height, filter: filter)
    }
}
