// FT-CLIP's training augmentation (LightDXY/FT-CLIP, datasets.py build_transform, which calls
// timm's create_transform), applied to a micro-batch of processed pixels [B, 3, H, W]:
// - the crop: above 32 px timm's bicubic random-resized crop of the decoded photo (the paper
//   preset; drawn as the batch is read); at 32 px and below its build_transform replaces that
//   crop with torchvision's RandomCrop(32, padding=4), black padding. MiniFood is 32 px, so the
//   mini preset runs the padded crop, as FT-CLIP's code would on 32 px images.
// - a horizontal flip with probability 0.5 (timm's default hflip);
// - timm's RandAugment (`randAugment`, FT-CLIP's --aa rand-m9-mstd0.5-inc1: two of the 15
//   "increasing" operations, each applied with probability 0.5 at a magnitude ~N(9, 0.5) clipped
//   to [0, 10], filling with CLIP's mean and resampling bicubic), on the 8-bit image after the
//   crop and flip; with it set timm skips colour jitter, so no jitter runs;
// - timm's RandomErasing after normalisation, mode "pixel", one box: with probability `erasing`
//   a box of 2% to 1/3 of the image, log-uniform aspect ratio in [0.3, 1/0.3], up to 10 tries
//   to fit, filled with standard-normal values per pixel and channel.
// Padding and flips act on the normalised values, which is the same as acting on the pixels
// before normalising (black is written as its normalised value). RandAugment needs the 8-bit
// pixels: the processed values are CLIP's normalisation (FT-CLIP's --clip_mean_and_std) of 8-bit
// values, recovered exactly, augmented, and normalised again bit for bit as the processor would.
import Common
import Foundation
import Imaging
import Results
import TensorCore

public struct FTCLIPAugmentation: Codable, Equatable, Sendable {
    /// RandomCrop's padding at 32 px and below (FT-CLIP's 4); nil for no crop.
    public var cropPadding: Int?
    /// timm's bicubic random-resized crop of the decoded photo (FT-CLIP's crop above 32 px),
    /// drawn by the batches themselves (DatasetPixels.pixels(_:crop:generator:)) before `apply`.
    public var randomResizedCrop: Bool
    public var horizontalFlip: Double
    /// timm's RandomErasing probability (FT-CLIP's --reprob 0.25).
    public var erasing: Double
    /// FT-CLIP's --aa: timm's RandAugment, nil for none.
    public var randAugment: RandAugment?

    public init(cropPadding: Int? = nil, randomResizedCrop: Bool = false, horizontalFlip: Double = 0, erasing: Double = 0,
                randAugment: RandAugment? = nil) {
        (self.cropPadding, self.randomResizedCrop, self.horizontalFlip, self.erasing, self.randAugment)
            = (cropPadding, randomResizedCrop, horizontalFlip, erasing, randAugment)
    }

    /// With RandAugment given as timm's configuration string (nil for none); throws, naming the
    /// reason, on a configuration RandAugment does not implement.
    public init(cropPadding: Int? = nil, horizontalFlip: Double = 0, erasing: Double = 0, randAugmentConfiguration: String?) throws {
        self.init(cropPadding: cropPadding, horizontalFlip: horizontalFlip, erasing: erasing,
                  randAugment: try randAugmentConfiguration.map { try RandAugment($0) })
    }

    /// FT-CLIP's --aa default.
    public static let ftCLIPRandAugment = try! RandAugment("rand-m9-mstd0.5-inc1")

    /// FT-CLIP's parser defaults at `imageSize` pixels: its crop is RandomCrop(padding 4) at 32 px
    /// and below, timm's bicubic random-resized crop above.
    public static func ftCLIPDefaults(imageSize: Int) -> FTCLIPAugmentation {
        imageSize <= 32
            ? FTCLIPAugmentation(cropPadding: 4, horizontalFlip: 0.5, erasing: 0.25, randAugment: ftCLIPRandAugment)
            : FTCLIPAugmentation(randomResizedCrop: true, horizontalFlip: 0.5, erasing: 0.25, randAugment: ftCLIPRandAugment)
    }

    /// Whether `apply` changes nothing (the random-resized crop is the batches' own).
    public var isIdentity: Bool { cropPadding == nil && horizontalFlip == 0 && erasing == 0 && randAugment == nil }

    /// The normalisation RandAugment undoes and redoes: CLIP's (FT-CLIP's --clip_mean_and_std).
    static let normalization = ImageProcessor.clip

    /// timm's img_mean hparam, RandAugment's fill: round(255 x CLIP's mean).
    static let fill = normalization.imageMean.map { UInt8((255 * $0).rounded(.toNearestOrEven)) }

    /// The settings as results files record them.
    public var hyperParameters: HyperParameters {
        [
            "crop": .text(cropPadding.map { "RandomCrop(padding \($0)), FT-CLIP's crop at 32 px" }
                ?? (randomResizedCrop ? "RandomResizedCrop(scale 0.08-1, ratio 3/4-4/3, bicubic), FT-CLIP's crop above 32 px" : "none")),
            "horizontal_flip": .number(horizontalFlip),
            "random_erasing": .number(erasing),
            "rand_augment": .text(randAugment?.configuration ?? "off"),
        ]
    }

    /// Augments `pixels` [B, 3, H, W] in place; `zeroValues` are black's normalised value per channel.
    public func apply(to pixels: Tensor, zeroValues: [Float], generator: inout SeededGenerator) {
        let (batch, height, width) = (pixels.shape[0], pixels.shape[2], pixels.shape[3])
        let plane = height * width, perImage = 3 * plane
        var scratch = [Float](repeating: 0, count: perImage)
        for item in 0..<batch {
            let image = pixels.pointer + item * perImage
            if let padding = cropPadding {
                let top = generator.int(below: 2 * padding + 1) - padding, left = generator.int(below: 2 * padding + 1) - padding
                for channel in 0..<3 {
                    for row in 0..<height {
                        for column in 0..<width {
                            let (r, c) = (row + top, column + left)
                            scratch[channel * plane + row * width + column] = (0..<height).contains(r) && (0..<width).contains(c)
                                ? image[channel * plane + r * width + c] : zeroValues[channel]
                        }
                    }
                }
                image.update(from: scratch, count: perImage)
            }
            if horizontalFlip > 0, generator.chance(horizontalFlip) {
                for line in 0..<(3 * height) {
                    let start = image + line * width
                    for column in 0..<(width / 2) { swap(&start[column], &start[width - 1 - column]) }
                }
            }
            if let randAugment {
                guard let pixels = Self.normalization.image(fromPixelValues: image, height: height, width: width) else {
                    fatalError("FTCLIPAugmentation: RandAugment needs pixels that are CLIP's normalisation of 8-bit values; these are not")
                }
                Self.normalization.writePixelValues(of: randAugment.apply(to: pixels, fill: Self.fill, using: &generator), into: image)
            }
            if erasing > 0, generator.chance(erasing) { erase(image, height: height, width: width, generator: &generator) }
        }
    }

    /// timm's RandomErasing._erase for one image and one box, mode "pixel".
    private func erase(_ image: UnsafeMutablePointer<Float>, height: Int, width: Int, generator: inout SeededGenerator) {
        let area = Double(height * width), logRatio = (log(0.3), log(1 / 0.3))
        for _ in 0..<10 {
            let target = generator.uniform(0.02, 1.0 / 3) * area
            let aspect = exp(generator.uniform(logRatio.0, logRatio.1))
            let h = Int((target * aspect).squareRoot().rounded()), w = Int((target / aspect).squareRoot().rounded())
            guard w < width && h < height else { continue }
            let top = generator.int(below: height - h + 1), left = generator.int(below: width - w + 1)
            for channel in 0..<3 {
                for row in top..<(top + h) {
                    for column in left..<(left + w) {
                        image[(channel * height + row) * width + column] = Float(generator.standardNormal())
                    }
                }
            }
            return
        }
    }
}
