import Foundation

/// Reading and writing Hugging Face `preprocessor_config.json` files.
///
/// Decoding follows transformers' constructors: absent keys take the class defaults, "size" and
/// "crop_size" may be an int, a [height, width] list or a dict (an int "size" means the shortest
/// edge for CLIP and a square for ViT, as `get_size_dict` decides), and mean/std may be a scalar.
/// The class comes from "image_processor_type" (or the older "feature_extractor_type").
extension ImageProcessor: Codable {
    /// Loads a preprocessor_config.json; errors name the file.
    public init(contentsOf url: URL) throws {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            let missing = !FileManager.default.fileExists(atPath: url.path)
            throw ImagingError.invalidProcessorConfig(file: url.path, reason: missing ? "no such file" : "cannot be read")
        }
        try self.init(jsonData: data, file: url.path)
    }

    /// Decodes a preprocessor_config.json's bytes; `file` names them in errors.
    public init(jsonData data: Data, file: String) throws {
        do {
            self = try JSONDecoder().decode(ImageProcessor.self, from: data)
        } catch let ImagingError.invalidProcessorConfig(_, reason) {
            throw ImagingError.invalidProcessorConfig(file: file, reason: reason)
        } catch {
            throw ImagingError.invalidProcessorConfig(file: file, reason: describe(error))
        }
    }

    /// Writes this processor as a preprocessor_config.json that transformers loads back to the
    /// same settings, atomically (a temporary file renamed into place).
    public func write(to url: URL) throws {
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(self).write(to: url, options: .atomic)
        } catch {
            throw ImagingError.unwritable(file: url.path, reason: error.localizedDescription)
        }
    }

    private enum Key: String, CodingKey {
        case imageProcessorType = "image_processor_type"
        case featureExtractorType = "feature_extractor_type"
        case doResize = "do_resize"
        case size
        case resample
        case doCenterCrop = "do_center_crop"
        case cropSize = "crop_size"
        case doRescale = "do_rescale"
        case rescaleFactor = "rescale_factor"
        case doNormalize = "do_normalize"
        case imageMean = "image_mean"
        case imageStd = "image_std"
        case doConvertRGB = "do_convert_rgb"
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        let typeName = try container.decodeIfPresent(String.self, forKey: .imageProcessorType)
            ?? container.decodeIfPresent(String.self, forKey: .featureExtractorType)
        func invalid(_ reason: String) -> ImagingError {
            .invalidProcessorConfig(file: "preprocessor config", reason: reason)
        }
        let kind: Kind
        switch typeName {
        case let name? where name.hasPrefix("CLIP"): kind = .clip
        case let name? where name.hasPrefix("ViT"): kind = .vit
        case let name?: throw invalid("unsupported image processor type \(name)")
        case nil: throw invalid("no image_processor_type or feature_extractor_type")
        }

        let size: Size
        switch try container.decodeIfPresent(SizeSetting.self, forKey: .size) {
        case nil:
            size = kind == .clip ? .shortestEdge(224) : .exact(height: 224, width: 224)
        case let .side(side)?:
            size = kind == .clip ? .shortestEdge(side) : .exact(height: side, width: side)
        case let .size(resolved)?:
            size = resolved
        }
        var cropSize = PixelSize(height: 224, width: 224)
        var doCenterCrop = false
        if kind == .clip {
            doCenterCrop = try container.decodeIfPresent(Bool.self, forKey: .doCenterCrop) ?? true
            switch try container.decodeIfPresent(SizeSetting.self, forKey: .cropSize) {
            case nil: break
            case let .side(side)?: cropSize = PixelSize(height: side, width: side)
            case let .size(.exact(height, width))?: cropSize = PixelSize(height: height, width: width)
            case .size(.shortestEdge)?: throw invalid("crop_size needs height and width")
            }
        }
        let defaultMean = kind == .clip ? openAICLIPMean : imageNetStandardMean
        let defaultStd = kind == .clip ? openAICLIPStd : imageNetStandardStd
        let resampleCode = try container.decodeIfPresent(Int.self, forKey: .resample)
        let resample: ResampleFilter
        switch resampleCode {
        case nil: resample = kind == .clip ? .bicubic : .bilinear
        case let code?:
            guard let filter = ResampleFilter(rawValue: code) else { throw invalid("unsupported resample \(code)") }
            resample = filter
        }
        try self.init(
            kind: kind,
            doResize: container.decodeIfPresent(Bool.self, forKey: .doResize) ?? true,
            size: size,
            resample: resample,
            doCenterCrop: doCenterCrop,
            cropSize: cropSize,
            doRescale: container.decodeIfPresent(Bool.self, forKey: .doRescale) ?? true,
            rescaleFactor: container.decodeIfPresent(Double.self, forKey: .rescaleFactor) ?? 1.0 / 255.0,
            doNormalize: container.decodeIfPresent(Bool.self, forKey: .doNormalize) ?? true,
            imageMean: container.decodeIfPresent(ChannelValues.self, forKey: .imageMean)?.values ?? defaultMean,
            imageStd: container.decodeIfPresent(ChannelValues.self, forKey: .imageStd)?.values ?? defaultStd,
            doConvertRGB: container.decodeIfPresent(Bool.self, forKey: .doConvertRGB) ?? (kind == .clip))
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(kind.rawValue, forKey: .imageProcessorType)
        try container.encode(doResize, forKey: .doResize)
        switch size {
        case let .shortestEdge(edge):
            try container.encode(["shortest_edge": edge], forKey: .size)
        case let .exact(height, width):
            try container.encode(["height": height, "width": width], forKey: .size)
        }
        try container.encode(resample.rawValue, forKey: .resample)
        if kind == .clip {
            try container.encode(doCenterCrop, forKey: .doCenterCrop)
            try container.encode(["height": cropSize.height, "width": cropSize.width], forKey: .cropSize)
        }
        try container.encode(doRescale, forKey: .doRescale)
        try container.encode(rescaleFactor, forKey: .rescaleFactor)
        try container.encode(doNormalize, forKey: .doNormalize)
        try container.encode(imageMean, forKey: .imageMean)
        try container.encode(imageStd, forKey: .imageStd)
        try container.encode(doConvertRGB, forKey: .doConvertRGB)
    }
}

/// A "size"/"crop_size" value before the processor class decides what a bare int means.
private enum SizeSetting: Decodable {
    case side(Int)
    case size(ImageProcessor.Size)

    init(from decoder: Decoder) throws {
        let single = try decoder.singleValueContainer()
        if let side = try? single.decode(Int.self) {
            self = .side(side)
        } else if let pair = try? single.decode([Int].self) {
            guard pair.count == 2 else { throw invalid(decoder, "a size list needs [height, width]") }
            self = .size(.exact(height: pair[0], width: pair[1]))
        } else {
            let dict = try single.decode([String: Int?].self)
            if let height = dict["height"] ?? nil, let width = dict["width"] ?? nil {
                self = .size(.exact(height: height, width: width))
            } else if let edge = dict["shortest_edge"] ?? nil {
                self = .size(.shortestEdge(edge))
            } else {
                throw invalid(decoder, "a size needs shortest_edge, or height and width; got \(dict.keys.sorted())")
            }
        }
    }
}

/// image_mean / image_std: one value per channel, or one value for all three.
private struct ChannelValues: Decodable {
    let values: [Double]

    init(from decoder: Decoder) throws {
        let single = try decoder.singleValueContainer()
        if let value = try? single.decode(Double.self) {
            values = [value, value, value]
        } else {
            values = try single.decode([Double].self)
        }
    }
}

private func invalid(_ decoder: Decoder, _ reason: String) -> DecodingError {
    .dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: reason))
}

/// A short account of a JSON decoding failure: where, and what.
private func describe(_ error: Error) -> String {
    let context: DecodingError.Context
    switch error as? DecodingError {
    case let .dataCorrupted(c)?: context = c
    case let .keyNotFound(_, c)?: context = c
    case let .typeMismatch(_, c)?: context = c
    case let .valueNotFound(_, c)?: context = c
    default: return String(describing: error)
    }
    let path = context.codingPath.map(\.stringValue).joined(separator: ".")
    let underlying = (context.underlyingError as NSError?).map { " (\($0.localizedDescription))" } ?? ""
    return (path.isEmpty ? "" : "\(path): ") + context.debugDescription + underlying
}
