// What a chapter writes under `results` in results/<chapter>.json, and the registry of every
// chapter's payload type. Payloads carry numbers and facts only: the sentences paper.md and the
// chapters print about them are written by the report (`ChapterSummaries`), so rewording one never
// means running a chapter again. Accuracies are fractions in [0, 1], never percentages.

/// A payload one chapter writes; `chapter` names its results file.
public protocol ChapterPayload: Codable, Sendable {
    static var chapter: String { get }
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
