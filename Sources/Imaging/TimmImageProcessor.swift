import Dispatch
import Foundation

/// timm's eval transform (`transforms_imagenet_eval`, through torchvision on PIL images), from a
/// checkpoint's pretrained_cfg: resize with Pillow so that the shorter side is
/// ⌊input / crop_pct⌋ (crop mode "center"; "squash" resizes both sides to it), center crop to the
/// input size with torchvision's offsets (half the excess rounded half to even, zero padding where
/// the image is smaller), scale to [0, 1] by a float32 division by 255, and normalise with the
/// mean and std in float32. `pixelValues` returns exactly the float32 values timm feeds the model.
public struct TimmImageProcessor: Equatable, Sendable {
    public enum CropMode: String, Sendable {
        case center, squash
    }

    public let height: Int
    public let width: Int
    public let resample: ResampleFilter
    public let cropPercentage: Double
    public let cropMode: CropMode
    public let mean: [Double]
    public let std: [Double]

    /// `interpolation` is timm's name ("bicubic", "bilinear", ...). Throws on settings timm would
    /// not use for eval, or that this type does not reproduce (non-square center crops, which timm
    /// resizes by aspect ratio, and the "border" mode).
    public init(inputSize: (height: Int, width: Int), interpolation: String, cropPercentage: Double, cropMode: String,
                mean: [Double], std: [Double]) throws {
        func invalid(_ reason: String) -> ImagingError {
            .invalidProcessorConfig(file: "timm pretrained_cfg", reason: reason)
        }
        guard inputSize.height > 0, inputSize.width > 0 else {
            throw invalid("input_size must be positive, got \(inputSize.height)x\(inputSize.width)")
        }
        guard let filter = Self.filters[interpolation] else {
            throw invalid("unsupported interpolation '\(interpolation)' (supported: \(Self.filters.keys.sorted().joined(separator: ", ")))")
        }
        guard let mode = CropMode(rawValue: cropMode) else { throw invalid("unsupported crop_mode '\(cropMode)' (supported: center, squash)") }
        guard mode == .squash || inputSize.height == inputSize.width else {
            throw invalid("crop_mode center with a non-square input_size \(inputSize.height)x\(inputSize.width) is not supported")
        }
        guard cropPercentage > 0, Int((Double(max(inputSize.height, inputSize.width)) / cropPercentage).rounded(.down)) > 0 else {
            throw invalid("crop_pct must be positive, got \(cropPercentage)")
        }
        guard mean.count == 3, std.count == 3, std.allSatisfy({ $0 != 0 }) else {
            throw invalid("mean and std need 3 values, std nonzero; got \(mean) and \(std)")
        }
        height = inputSize.height
        width = inputSize.width
        resample = filter
        self.cropPercentage = cropPercentage
        self.cropMode = mode
        self.mean = mean
        self.std = std
    }

    /// torchvision's InterpolationMode names, as Pillow filters.
    static let filters: [String: ResampleFilter] = [
        "nearest": .nearest, "bilinear": .bilinear, "bicubic": .bicubic, "box": .box, "hamming": .hamming, "lanczos": .lanczos,
    ]

    public var outputSize: (height: Int, width: Int) { (height, width) }

    /// A batch's pixel values, shape (N, 3, height, width); images are processed in parallel.
    public func pixelValues(_ images: [Image]) -> [Float] {
        let perImage = 3 * height * width
        let tables = valueTables()
        return [Float](unsafeUninitializedCapacity: images.count * perImage) { out, initialized in
            if let base = out.baseAddress {
                tables.withUnsafeBufferPointer { tables in
                    let destination = SendablePointer(base), lookup = SendablePointer(UnsafeMutablePointer(mutating: tables.baseAddress!))
                    DispatchQueue.concurrentPerform(iterations: images.count) { i in
                        write(images[i], into: destination.value + i * perImage, lookup: lookup.value)
                    }
                }
            }
            initialized = images.count * perImage
        }
    }

    /// The size torchvision's Resize gives an image: the shorter side to ⌊input / crop_pct⌋ and the
    /// longer in proportion, truncated (`_compute_resized_output_size`); or both sides, squashed.
    public func resizedSize(height imageHeight: Int, width imageWidth: Int) -> (height: Int, width: Int) {
        let scaled = { (side: Int) in Int((Double(side) / cropPercentage).rounded(.down)) }
        if cropMode == .squash { return (scaled(height), scaled(width)) }
        let short = scaled(height)
        if imageWidth <= imageHeight { return (Int(Double(short * imageHeight) / Double(imageWidth)), short) }
        return (short, Int(Double(short * imageWidth) / Double(imageHeight)))
    }

    /// For each channel, the output float of each 8-bit value: ToTensor's v / 255 and Normalize's
    /// (x − mean) / std, each in float32 as torch computes them.
    private func valueTables() -> [Float] {
        var tables = [Float](repeating: 0, count: 3 * 256)
        for channel in 0..<3 {
            let m = Float(mean[channel]), s = Float(std[channel])
            for value in 0..<256 { tables[channel * 256 + value] = (Float(value) / 255 - m) / s }
        }
        return tables
    }

    /// Resizes only the part of the image that survives the crop, then maps it through the tables
    /// into three planes; padding is the 8-bit value 0, as torchvision pads the PIL image.
    private func write(_ image: Image, into out: UnsafeMutablePointer<Float>, lookup: UnsafePointer<Float>) {
        let resized = resizedSize(height: image.height, width: image.width)
        let top = Self.cropOffset(source: resized.height, crop: height), left = Self.cropOffset(source: resized.width, crop: width)
        let rows = max(0, top)..<min(resized.height, top + height), columns = max(0, left)..<min(resized.width, left + width)
        let plane = height * width
        if rows.count < height || columns.count < width {
            for channel in 0..<3 { (out + channel * plane).update(repeating: lookup[channel * 256], count: plane) }
        }
        let window = image.resampledWindow(width: resized.width, height: resized.height, filter: resample, columns: columns, rows: rows)
        window.withUnsafeBufferPointer { window in
            let source = window.baseAddress!
            for y in rows {
                let row = source + (y - rows.lowerBound) * columns.count * 3
                let outRow = (y - top) * width + columns.lowerBound - left
                for x in 0..<columns.count {
                    out[outRow + x] = lookup[Int(row[3 * x])]
                    out[plane + outRow + x] = lookup[256 + Int(row[3 * x + 1])]
                    out[2 * plane + outRow + x] = lookup[512 + Int(row[3 * x + 2])]
                }
            }
        }
    }

    /// Where torchvision's center_crop starts its window along one axis: round((source − crop) / 2)
    /// with Python's rounding (half to even); when the crop is larger, the image is first padded by
    /// ⌊(crop − source) / 2⌋ before it, a negative offset.
    public static func cropOffset(source: Int, crop: Int) -> Int {
        if crop > source { return -((crop - source) / 2) }
        return Int((Double(source - crop) / 2).rounded(.toNearestOrEven))
    }
}

/// Lets the batch workers share the output buffer and the tables; each writes a disjoint slice.
private struct SendablePointer: @unchecked Sendable {
    let value: UnsafeMutablePointer<Float>
    init(_ value: UnsafeMutablePointer<Float>) { self.value = value }
}
