import Dispatch

/// Hugging Face's slow (PIL-based) image processors, CLIPImageProcessor and ViTImageProcessor:
/// resize with Pillow on 8-bit RGB, center crop (CLIP), rescale, normalise, channels first.
/// `pixelValues` returns exactly the float32 values of their `pixel_values`.
public struct ImageProcessor: Equatable, Sendable {
    public enum Kind: String, Sendable {
        case clip = "CLIPImageProcessor"
        case vit = "ViTImageProcessor"
    }

    /// The "size" setting: CLIP's default scales the shortest edge (keeping the aspect ratio),
    /// ViT's resizes to an exact height and width.
    public enum Size: Equatable, Sendable {
        case shortestEdge(Int)
        case exact(height: Int, width: Int)
    }

    public struct PixelSize: Equatable, Sendable {
        public let height: Int
        public let width: Int
        public init(height: Int, width: Int) {
            self.height = height
            self.width = width
        }
    }

    public let kind: Kind
    public let doResize: Bool
    public let size: Size
    public let resample: ResampleFilter
    /// CLIP only; ViT never crops.
    public let doCenterCrop: Bool
    public let cropSize: PixelSize
    public let doRescale: Bool
    public let rescaleFactor: Double
    public let doNormalize: Bool
    public let imageMean: [Double]
    public let imageStd: [Double]
    /// Kept for the config's round trip: an `Image` is always RGB already.
    public let doConvertRGB: Bool

    /// Throws when the settings are inconsistent, or when they would make the output size depend
    /// on the input image (no fixed-size batch could be formed).
    public init(kind: Kind, doResize: Bool = true, size: Size, resample: ResampleFilter,
                doCenterCrop: Bool = false, cropSize: PixelSize = PixelSize(height: 224, width: 224),
                doRescale: Bool = true, rescaleFactor: Double = 1.0 / 255.0,
                doNormalize: Bool = true, imageMean: [Double], imageStd: [Double],
                doConvertRGB: Bool) throws {
        func invalid(_ reason: String) -> ImagingError {
            .invalidProcessorConfig(file: "\(kind.rawValue) settings", reason: reason)
        }
        switch size {
        case let .shortestEdge(edge):
            guard edge > 0 else { throw invalid("size must be positive, got shortest_edge \(edge)") }
            guard kind == .clip else { throw invalid("ViTImageProcessor needs size height and width") }
        case let .exact(height, width):
            guard height > 0, width > 0 else { throw invalid("size must be positive, got \(height)x\(width)") }
        }
        guard kind == .clip || !doCenterCrop else { throw invalid("ViTImageProcessor does not center crop") }
        guard cropSize.height > 0, cropSize.width > 0 else {
            throw invalid("crop_size must be positive, got \(cropSize.height)x\(cropSize.width)")
        }
        guard imageMean.count == 3, imageStd.count == 3 else {
            throw invalid("image_mean and image_std need 3 values, got \(imageMean.count) and \(imageStd.count)")
        }
        // Explicit bounds (this module is built -Ounchecked): a side past `maximumSide` would
        // allocate gigabytes per image. (A crop larger than the resize pads, as transformers does.)
        let sides: [Int]
        switch size {
        case let .shortestEdge(edge): sides = [edge]
        case let .exact(height, width): sides = [height, width]
        }
        guard (sides + [cropSize.height, cropSize.width]).allSatisfy({ $0 <= Self.maximumSide }) else {
            throw invalid("size and crop_size must be at most \(Self.maximumSide) pixels, got size \(sides) and crop_size \(cropSize.height)x\(cropSize.width)")
        }
        guard rescaleFactor.isFinite, (imageMean + imageStd).allSatisfy(\.isFinite), !imageStd.contains(0) else {
            throw invalid("rescale_factor, image_mean and image_std must be finite and image_std non-zero, got \(rescaleFactor), \(imageMean), \(imageStd)")
        }
        let fixedSize: Bool
        if doCenterCrop {
            fixedSize = true
        } else if case .exact = size {
            fixedSize = doResize
        } else {
            fixedSize = false
        }
        guard fixedSize else { throw invalid("output size would depend on the image (no center crop, no fixed resize)") }

        self.kind = kind
        self.doResize = doResize
        self.size = size
        self.resample = resample
        self.doCenterCrop = doCenterCrop
        self.cropSize = cropSize
        self.doRescale = doRescale
        self.rescaleFactor = rescaleFactor
        self.doNormalize = doNormalize
        self.imageMean = imageMean
        self.imageStd = imageStd
        self.doConvertRGB = doConvertRGB
    }

    /// The largest size or crop side accepted: 4096 pixels.
    public static let maximumSide = 4096

    /// openai/clip-vit-base-patch32's preprocessor_config.json.
    public static let clip = try! ImageProcessor(
        kind: .clip, size: .shortestEdge(224), resample: .bicubic,
        doCenterCrop: true, cropSize: PixelSize(height: 224, width: 224),
        imageMean: openAICLIPMean, imageStd: openAICLIPStd, doConvertRGB: true)

    /// google/vit-base-patch16-224's preprocessor_config.json.
    public static let vit = try! ImageProcessor(
        kind: .vit, size: .exact(height: 224, width: 224), resample: .bilinear,
        imageMean: imageNetStandardMean, imageStd: imageNetStandardStd, doConvertRGB: false)

    /// The (height, width) of every image's output planes.
    public var outputSize: (height: Int, width: Int) {
        if doCenterCrop { return (cropSize.height, cropSize.width) }
        guard case let .exact(height, width) = size else { preconditionFailure("validated in init") }
        return (height, width)
    }

    /// One image's `pixel_values`: 3 planes (R, G, B) of `outputSize`, channels first.
    public func pixelValues(_ image: Image) -> [Float] {
        pixelValues([image])
    }

    /// A batch's `pixel_values`, shape (N, 3, height, width); images are processed in parallel.
    public func pixelValues(_ images: [Image]) -> [Float] {
        let (height, width) = outputSize
        let perImage = 3 * height * width
        let tables = valueTables()
        return [Float](unsafeUninitializedCapacity: images.count * perImage) { out, initialized in
            if let base = out.baseAddress {
                tables.withUnsafeBufferPointer { tables in
                    let destination = UncheckedSendable(base), lookup = UncheckedSendable(tables.baseAddress!)
                    if images.count == 1 {
                        write(images[0], into: destination.value, lookup: lookup.value)
                    } else {
                        DispatchQueue.concurrentPerform(iterations: images.count) { i in
                            write(images[i], into: destination.value + i * perImage, lookup: lookup.value)
                        }
                    }
                }
            }
            initialized = images.count * perImage
        }
    }

    /// The resize target transformers picks for an image of this size (`get_resize_output_image_size`).
    func resizedSize(height: Int, width: Int) -> (height: Int, width: Int) {
        switch size {
        case let .exact(height, width):
            return (height, width)
        case let .shortestEdge(edge):
            let (short, long) = width <= height ? (width, height) : (height, width)
            let newLong = Int(Double(edge * long) / Double(short))
            return width <= height ? (newLong, edge) : (edge, newLong)
        }
    }

    /// For each channel, the output float of each 8-bit value. transformers rescales in float64
    /// then casts to float32, and normalises in float32; a table reproduces both roundings.
    func valueTables() -> [Float] {
        var tables = [Float](repeating: 0, count: 3 * 256)
        for channel in 0..<3 {
            let mean = Float(imageMean[channel]), std = Float(imageStd[channel])
            for value in 0..<256 {
                var x = doRescale ? Float(Double(value) * rescaleFactor) : Float(value)
                if doNormalize { x = (x - mean) / std }
                tables[channel * 256 + value] = x
            }
        }
        return tables
    }

    /// Resizes only the part of the image that survives the crop, then maps it through the tables
    /// into three planes; crop padding is the 8-bit value 0, as transformers pads before rescaling.
    private func write(_ image: Image, into out: UnsafeMutablePointer<Float>, lookup: UnsafePointer<Float>) {
        let resized = doResize ? resizedSize(height: image.height, width: image.width) : (image.height, image.width)
        let (height, width) = outputSize
        let crop = CenterCrop(sourceHeight: resized.0, sourceWidth: resized.1, height: height, width: width)
        let window = image.resampledWindow(width: resized.1, height: resized.0, filter: resample,
                                           columns: crop.sourceColumns, rows: crop.sourceRows)
        let plane = height * width
        if crop.sourceRows.count < height || crop.sourceColumns.count < width {
            for channel in 0..<3 {
                (out + channel * plane).update(repeating: lookup[channel * 256], count: plane)
            }
        }
        let windowWidth = crop.sourceColumns.count
        window.withUnsafeBufferPointer { window in
            let src = window.baseAddress!
            for y in crop.sourceRows {
                let row = src + (y - crop.sourceRows.lowerBound) * windowWidth * 3
                let outRow = (y - crop.top) * width + crop.sourceColumns.lowerBound - crop.left
                for x in 0..<windowWidth {
                    let o = outRow + x
                    out[o] = lookup[Int(row[3 * x])]
                    out[plane + o] = lookup[256 + Int(row[3 * x + 1])]
                    out[2 * plane + o] = lookup[512 + Int(row[3 * x + 2])]
                }
            }
        }
    }
}

/// transformers' OPENAI_CLIP_MEAN / OPENAI_CLIP_STD and IMAGENET_STANDARD_MEAN / _STD.
let openAICLIPMean = [0.48145466, 0.4578275, 0.40821073]
let openAICLIPStd = [0.26862954, 0.26130258, 0.27577711]
let imageNetStandardMean = [0.5, 0.5, 0.5]
let imageNetStandardStd = [0.5, 0.5, 0.5]

/// Lets the batch workers share the output buffer and the tables; each writes a disjoint slice.
private struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
