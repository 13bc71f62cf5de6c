import Common
import Imaging

/// How much of MiniFood to render. The sizes keep the whole mini reproduction, pretraining
/// included, inside minutes on two cores: images are rendered on the fly, never stored.
public struct MiniFoodSizes: Codable, Sendable, Equatable {
    /// Pixels per side.
    public var imageSize: Int
    /// Images of each trained class, split 0.8:0.2 into train and test as Food-101's are.
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

    /// The mini preset: 80 training and 20 test images per class, 100 per held-out class;
    /// 50,000 caption pairs (130 of each of the 384 compositions) and 28,300 labelled images
    /// (100 of each of the 283 the labelled corpus shows).
    public static let standard = MiniFoodSizes(imageSize: 32, imagesPerClass: 100, heldOutPerClass: 100,
                                               captionPairs: 50_000, labelledImages: 28_300, labelNoise: 0.05)
    /// A smoke test's worth.
    public static let quick = MiniFoodSizes(imageSize: 32, imagesPerClass: 10, heldOutPerClass: 5,
                                            captionPairs: 1_000, labelledImages: 566, labelNoise: 0.05)
}

/// The parts of MiniFood, each a `MiniFoodDataset`.
public enum MiniFoodPart: String, CaseIterable, Codable, Sendable {
    case pretrainCaptions = "pretrain-captions"
    case pretrainLabelled = "pretrain-labelled"
    case train, test
    case heldOut = "held-out"

    /// The name the part's random streams derive from: the test part keeps its old name,
    /// "validation", so the world renders as it did.
    var streamName: String { self == .test ? "validation" : rawValue }
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
    public let test: MiniFoodDataset
    public let heldOut: MiniFoodDataset

    public static let testFraction = 0.2

    public init(seed: UInt64, sizes: MiniFoodSizes, world: MiniFoodWorld = .standard) {
        self.world = world
        self.sizes = sizes
        self.seed = seed
        let root = SeededGenerator(seed: seed)
        let trained = world.trained, heldOutDishes = world.heldOut

        // Pretraining draws its compositions in turn, each image from its own stream (a
        // pretraining part's name, never a downstream part's, so no image is both).
        func pretrainingSamples(_ count: Int, _ dishes: [Dish], _ part: MiniFoodPart) -> [MiniFoodSample] {
            (0..<count).map { i in
                MiniFoodSample(dish: dishes[i % dishes.count], label: i % dishes.count,
                               name: "\(i)", stream: root.derived(part.streamName).derived(UInt64(i)))
            }
        }
        // Downstream images are numbered within their class, like Food-101's files.
        func classSamples(_ dishes: [Dish], perClass: Int, _ part: MiniFoodPart) -> [[MiniFoodSample]] {
            dishes.enumerated().map { label, dish in
                (0..<perClass).map { i in
                    MiniFoodSample(dish: dish, label: label, name: "\(i)",
                                   stream: root.derived(part.streamName).derived(UInt64(label)).derived(UInt64(i)))
                }
            }
        }

        func dataset(_ part: MiniFoodPart, _ classes: [Dish], _ samples: [MiniFoodSample]) -> MiniFoodDataset {
            MiniFoodDataset(part: part, classes: classes, classNames: classes.map(world.name(of:)), imageSize: sizes.imageSize, samples: samples)
        }
        pretrainCaptions = dataset(.pretrainCaptions, world.captioned, pretrainingSamples(sizes.captionPairs, world.captioned, .pretrainCaptions))
        pretrainLabelled = dataset(.pretrainLabelled, world.pretraining, pretrainingSamples(sizes.labelledImages, world.pretraining, .pretrainLabelled))
        let pool = stratifiedSplit(classSamples(trained, perClass: sizes.imagesPerClass, .train),
                                   testFraction: Self.testFraction, generator: root.derived("split"))
        train = dataset(.train, trained, Self.mislabelling(pool.train.flatMap { $0 }, share: sizes.labelNoise,
                                                           classCount: trained.count, generator: root.derived("label-noise")))
        test = dataset(.test, trained, pool.test.flatMap { $0 })
        heldOut = dataset(.heldOut, heldOutDishes, classSamples(heldOutDishes, perClass: sizes.heldOutPerClass, .heldOut).flatMap { $0 })
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
        case .test: test
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
    /// Their made-up names, what prompts and captions call them.
    public let classNames: [String]
    public let imageSize: Int
    public let samples: [MiniFoodSample]
    private var rendered: [Image]?

    init(part: MiniFoodPart, classes: [Dish], classNames: [String], imageSize: Int, samples: [MiniFoodSample]) {
        self.part = part
        self.classes = classes
        self.classNames = classNames
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
    public func label(at index: Int) -> Int { samples[index].label }

    public func image(at index: Int) -> Image {
        if let rendered { return rendered[index] }
        var stream = samples[index].stream.derived("image")
        return renderDish(samples[index].dish, side: imageSize, generator: &stream)
    }

    /// The sample's caption in one of `CaptionTemplates`, fixed by its stream (pretraining
    /// labels are never wrong, so the label names the dish).
    public func caption(at index: Int) -> String {
        var stream = samples[index].stream.derived("caption")
        return CaptionTemplates.caption(for: samples[index].dish, name: classNames[samples[index].label], using: &stream)
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
