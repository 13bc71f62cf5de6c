// What a chapter writes under `results` in results/<chapter>.json, and the registry of every
// chapter's payload type. A payload carries numbers and facts; beside them it states the metrics
// the report compares (literal ids, so a search for "clip-finetune.test" finds the field it reads)
// and the sentences the chapter ends with, which paper.md quotes. Both are computed from the
// results file when read, so rewording one never means running a chapter again. Accuracies are
// fractions in [0, 1] in the payload, never percentages.

/// A payload one chapter writes; `chapter` names its results file.
public protocol ChapterPayload: Codable, Sendable {
    static var chapter: String { get }
    /// The numbers the report compares, under their ids; nil lists every number outside lists
    /// by dotted path instead.
    static func metrics(of file: ChapterResultsFile<Self>) -> [Metric]?
    /// The chapter's closing sentences about its numbers; nil when it has none.
    static func summary(of file: ChapterResultsFile<Self>) -> String?
}

extension ChapterPayload {
    public static func metrics(of file: ChapterResultsFile<Self>) -> [Metric]? { nil }
    public static func summary(of file: ChapterResultsFile<Self>) -> String? { nil }
}

/// Every chapter's payload type, in the paper's order: the results folder reads these, and the
/// report iterates them. A new chapter adds its line here.
public enum ChapterPayloads {
    public static let all: [any ChapterPayload.Type] = [
        DataResults.self, CLIPZeroShotResults.self, ViTResults.self, CLIPFineTuneResults.self, CostResults.self,
        CIFARResults.self, LiTResults.self, WiSEFTResults.self, ScalingResults.self,
    ]
}

/// How many classes a model was trained on (91 on Food-101) and how many were held out (10).
public struct ClassCounts: Codable, Sendable, Equatable {
    public var trained: Int
    public var heldOut: Int

    public init(trained: Int, heldOut: Int) {
        (self.trained, self.heldOut) = (trained, heldOut)
    }
}
