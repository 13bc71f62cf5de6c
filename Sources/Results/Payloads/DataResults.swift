// The `data` chapter's payload: the split every other chapter trains and scores on.
import Datasets

public struct DataResults: ChapterPayload, Equatable {
    public static let chapter = "data"
    public var source: String
    public var split: String
    public var validationFraction: Double?
    public var heldOutClasses: [String]
    public var trainClasses: [String]
    public var counts: SplitCounts
    public var checksums: ListChecksums
    public var imageCheck: String?
    public var unreadableSkipped: [String]?
    public var figures: [String]
    public var miniFood: MiniFoodFacts?
    /// This run's experiment beside the paper's, quantity by quantity (`SimilarityRow`).
    public var similarity: [SimilarityRow]?

    public init(source: String, split: String, validationFraction: Double?, heldOutClasses: [String], trainClasses: [String], counts: SplitCounts, checksums: ListChecksums, imageCheck: String?, unreadableSkipped: [String]?, figures: [String], miniFood: MiniFoodFacts?, similarity: [SimilarityRow]? = nil) {
        (self.source, self.split, self.validationFraction, self.heldOutClasses, self.trainClasses, self.counts, self.checksums, self.imageCheck, self.unreadableSkipped, self.figures, self.miniFood, self.similarity)
            = (source, split, validationFraction, heldOutClasses, trainClasses, counts, checksums, imageCheck, unreadableSkipped, figures, miniFood, similarity)
    }
}

/// One value for each part of the data: the trained classes' training photos, their test photos
/// (the paper's 0.2 held back from training) and the held-out classes' photos.
public struct SplitValues<Value: Codable & Sendable & Equatable>: Codable, Sendable, Equatable {
    public var train: Value
    public var test: Value
    public var heldOut: Value

    public init(train: Value, test: Value, heldOut: Value) {
        (self.train, self.test, self.heldOut) = (train, test, heldOut)
    }

    private enum CodingKeys: String, CodingKey {
        case train, test, heldOut
        /// The name older files gave `test`.
        case validation
    }

    /// Reads `test`, or in a file written before it was named so, `validation`.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(train: try c.decode(Value.self, forKey: .train),
                  test: try c.decodeIfPresent(Value.self, forKey: .test) ?? c.decode(Value.self, forKey: .validation),
                  heldOut: try c.decode(Value.self, forKey: .heldOut))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(train, forKey: .train)
        try c.encode(test, forKey: .test)
        try c.encode(heldOut, forKey: .heldOut)
    }
}

/// How many images each part has.
public typealias SplitCounts = SplitValues<Int>
/// SHA-256 of each part's list, one "class/id" line per image.
public typealias ListChecksums = SplitValues<String>

public struct MiniFoodFacts: Codable, Sendable, Equatable {
    public var sizes: MiniFoodSizes
    public var colours: [String]
    public var patterns: [String]
    public var bases: [String]
    public var compositions: Int
    public var pretrainingCompositions: Int
    public var pretrainCaptionPairs: Int
    public var pretrainLabelledImages: Int
    public var mislabelledTrain: Int
    public var captionTemplates: [String]
    public var zeroShotTemplate: String
    public var renderMsPer1000Images: Double
    public var pretrainingListSha256: [String: String]
    public var pixelSha256First256: [String: String]
    /// How crowded each group's classification task is: for the trained and for the held-out
    /// classes, the mean number of other classes of the same group sharing two of a class's three
    /// attributes.
    public var meanNearNeighbours: GroupNearNeighbours?

    public init(sizes: MiniFoodSizes, colours: [String], patterns: [String], bases: [String], compositions: Int, pretrainingCompositions: Int, pretrainCaptionPairs: Int, pretrainLabelledImages: Int, mislabelledTrain: Int, captionTemplates: [String], zeroShotTemplate: String, renderMsPer1000Images: Double, pretrainingListSha256: [String: String], pixelSha256First256: [String: String], meanNearNeighbours: GroupNearNeighbours? = nil) {
        (self.sizes, self.colours, self.patterns, self.bases, self.compositions, self.pretrainingCompositions, self.pretrainCaptionPairs, self.pretrainLabelledImages, self.mislabelledTrain, self.captionTemplates, self.zeroShotTemplate, self.renderMsPer1000Images, self.pretrainingListSha256, self.pixelSha256First256, self.meanNearNeighbours)
            = (sizes, colours, patterns, bases, compositions, pretrainingCompositions, pretrainCaptionPairs, pretrainLabelledImages, mislabelledTrain, captionTemplates, zeroShotTemplate, renderMsPer1000Images, pretrainingListSha256, pixelSha256First256, meanNearNeighbours)
    }
}

public struct GroupNearNeighbours: Codable, Sendable, Equatable {
    public var trained: Double
    public var heldOut: Double

    public init(trained: Double, heldOut: Double) {
        (self.trained, self.heldOut) = (trained, heldOut)
    }
}
