import Common
import Imaging

/// How much of MiniFood to render. The sizes keep the whole mini reproduction, pretraining
/// included, inside minutes on two cores: images are rendered on the fly, never stored.
public struct MiniFoodSizes: Codable, Sendable, Equatable {
    /// Pixels per side.
    public var imageSize: Int
    /// Images of each trained class, split 0.8:0.2 into train and validation as Food-101's are.
    public var imagesPerClass: Int
    /// Images of each held-out class.
    public var heldOutPerClass: Int
    /// Image-caption pairs the mini CLIP pretrains on.
    public var captionPairs: Int
    /// Labelled images the mini ViT pretrains on (ImageNet-21k's stand-in).
    public var labelledImages: Int
    /// The share of training images given a wrong label, as Food-101's training set has.
    public var labelNoise: Double

    public init(imageSize: Int, imagesPerClass: Int, heldOutPerClass: Int, captionPairs: Int, labelledImages: Int, labelNoise: Double) {
        self.imageSize = imageSize
        self.imagesPerClass = imagesPerClass
        self.heldOutPerClass = heldOutPerClass
        self.captionPairs = captionPairs
        self.labelledImages = labelledImages
        self.labelNoise = labelNoise
    }

    /// The mini preset: 40 training and 10 validation images per class, 50 per held-out class.
    public static let standard = MiniFoodSizes(imageSize: 32, imagesPerClass: 50, heldOutPerClass: 50,
                                               captionPairs: 20_000, labelledImages: 14_150, labelNoise: 0.05)
    /// A smoke test's worth.
    public static let quick = MiniFoodSizes(imageSize: 32, imagesPerClass: 10, heldOutPerClass: 5,
                                            captionPairs: 1_000, labelledImages: 566, labelNoise: 0.05)
}

/// The parts of MiniFood, each a `MiniFoodDataset`.
public enum MiniFoodPart: String, CaseIterable, Codable, Sendable {
    case pretrainCaptions = "pretrain-captions"
    case pretrainLabelled = "pretrain-labelled"
    case train, validation
    case heldOut = "held-out"
}

/// MiniFood: an embedded world of procedurally rendered dishes where zero-shot transfer to
/// unseen class names can genuinely work or fail (see `MiniFoodWorld` for who plays what).
public struct MiniFood: Sendable {
    public let world: MiniFoodWorld
    public let sizes: MiniFoodSizes
    public let seed: UInt64
    public let pretrainCaptions: MiniFoodDataset
    public let pretrainLabelled: MiniFoodDataset
    public let train: MiniFoodDataset
    public let validation: MiniFoodDataset
    public let heldOut: MiniFoodDataset

    public static let validationFraction = 0.2

    public init(seed: UInt64, sizes: MiniFoodSizes, world: MiniFoodWorld = .standard) {
        self.world = world
        self.sizes = sizes
        self.seed = seed
        let root = SeededGenerator(seed: seed)
        let pretraining = world.pretraining, trained = world.trained, heldOutDishes = world.heldOut

        // Pretraining draws its compositions in turn, each image from its own stream.
        func pretrainingSamples(_ count: Int, _ part: MiniFoodPart) -> [MiniFoodSample] {
            (0..<count).map { i in
                MiniFoodSample(dish: pretraining[i % pretraining.count], label: i % pretraining.count,
                               name: "\(i)", stream: root.derived(part.rawValue).derived(UInt64(i)))
            }
        }
        // Downstream images are numbered within their class, like Food-101's files.
        func classSamples(_ dishes: [Dish], perClass: Int, _ part: MiniFoodPart) -> [[MiniFoodSample]] {
            dishes.enumerated().map { label, dish in
                (0..<perClass).map { i in
                    MiniFoodSample(dish: dish, label: label, name: "\(i)",
                                   stream: root.derived(part.rawValue).derived(UInt64(label)).derived(UInt64(i)))
                }
            }
        }

        pretrainCaptions = MiniFoodDataset(part: .pretrainCaptions, classes: pretraining, imageSize: sizes.imageSize,
                                           samples: pretrainingSamples(sizes.captionPairs, .pretrainCaptions))
        pretrainLabelled = MiniFoodDataset(part: .pretrainLabelled, classes: pretraining, imageSize: sizes.imageSize,
                                           samples: pretrainingSamples(sizes.labelledImages, .pretrainLabelled))
        let pool = stratifiedSplit(classSamples(trained, perClass: sizes.imagesPerClass, .train),
                                   validationFraction: Self.validationFraction, generator: root.derived("split"))
        train = MiniFoodDataset(part: .train, classes: trained, imageSize: sizes.imageSize,
                                samples: Self.mislabelling(pool.train.flatMap { $0 }, share: sizes.labelNoise,
                                                           classCount: trained.count, generator: root.derived("label-noise")))
        validation = MiniFoodDataset(part: .validation, classes: trained, imageSize: sizes.imageSize, samples: pool.validation.flatMap { $0 })
        heldOut = MiniFoodDataset(part: .heldOut, classes: heldOutDishes, imageSize: sizes.imageSize,
                                  samples: classSamples(heldOutDishes, perClass: sizes.heldOutPerClass, .heldOut).flatMap { $0 })
    }

    /// Photo `number` of `dish` from a stream of its own, outside every part and independent of
    /// the sizes: the figures show these, so a smoke run draws the same figures as a full one.
    public func example(of dish: Dish, number: Int) -> Image {
        var stream = SeededGenerator(seed: seed).derived("examples").derived(dish.identifier).derived(UInt64(number))
        return renderDish(dish, side: sizes.imageSize, generator: &stream)
    }

    public func dataset(_ part: MiniFoodPart) -> MiniFoodDataset {
        switch part {
        case .pretrainCaptions: pretrainCaptions
        case .pretrainLabelled: pretrainLabelled
        case .train: train
        case .validation: validation
        case .heldOut: heldOut
        }
    }

    /// Gives `round(share * n)` samples, chosen by the generator, a wrong label drawn uniformly
    /// from the other classes; the image still shows the true dish.
    private static func mislabelling(_ samples: [MiniFoodSample], share: Double, classCount: Int, generator: SeededGenerator) -> [MiniFoodSample] {
        var generator = generator
        var result = samples
        let wrong = generator.shuffled(Array(samples.indices)).prefix(Int((share * Double(samples.count)).rounded()))
        for index in wrong.sorted() {
            let offset = 1 + generator.int(below: classCount - 1)
            result[index].label = (samples[index].label + offset) % classCount
        }
        return result
    }
}

/// One image of MiniFood: the dish it shows, the label it carries (wrong for a few training
/// images), its name within its class and the random stream it is rendered from.
public struct MiniFoodSample: Sendable {
    public let dish: Dish
    public fileprivate(set) var label: Int
    public let name: String
    let stream: SeededGenerator
}

/// A part of MiniFood as a `Dataset`: images are rendered when asked for.
public struct MiniFoodDataset: Dataset {
    public let part: MiniFoodPart
    /// The dishes labels refer to, in label order.
    public let classes: [Dish]
    public let imageSize: Int
    public let samples: [MiniFoodSample]
    private var rendered: [Image]?

    init(part: MiniFoodPart, classes: [Dish], imageSize: Int, samples: [MiniFoodSample]) {
        self.part = part
        self.classes = classes
        self.imageSize = imageSize
        self.samples = samples
    }

    /// The same part with every image rendered now, on `workers` threads, and kept: 3 KB an
    /// image at 32 x 32, so a training loop reads each epoch after the first for free.
    public func prerendered(workers: Int = 2) -> MiniFoodDataset {
        var copy = self
        copy.rendered = concurrentMap(count, workers: workers) { image(at: $0) }
        return copy
    }

    public var count: Int { samples.count }
    public var classNames: [String] { classes.map(\.name) }
    public func label(at index: Int) -> Int { samples[index].label }

    public func image(at index: Int) -> Image {
        if let rendered { return rendered[index] }
        var stream = samples[index].stream.derived("image")
        return renderDish(samples[index].dish, side: imageSize, generator: &stream)
    }

    /// The sample's caption in one of `CaptionTemplates`, fixed by its stream.
    public func caption(at index: Int) -> String {
        var stream = samples[index].stream.derived("caption")
        return CaptionTemplates.caption(for: samples[index].dish, using: &stream)
    }

    /// "red_dotted_soup/17", the form the split lists and their checksums use.
    public func identifier(at index: Int) -> String {
        "\(samples[index].dish.identifier)/\(samples[index].name)"
    }

    /// One line per sample, its identifier (and its caption for the captions corpus), the
    /// form the checksums in results/data.json cover.
    public func listing() -> String {
        samples.indices.map { index in
            identifier(at: index) + (part == .pretrainCaptions ? "\t" + caption(at: index) : "") + "\n"
        }.joined()
    }

    /// Whether the sample's label names another dish than the one it shows.
    public func isMislabelled(at index: Int) -> Bool {
        classes[samples[index].label] != samples[index].dish
    }

    /// How many samples carry a label other than their dish's.
    public var mislabelledCount: Int {
        samples.indices.filter(isMislabelled).count
    }
}
