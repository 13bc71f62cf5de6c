// The data chapter's similarity table: the quantities that decide the paper's findings, the
// paper's experiment beside this run's, so that a reader can tell a miniature's effect from a
// method's.

/// One quantity of the table.
public struct SimilarityRow: Codable, Sendable, Equatable {
    /// A stable name ("images_per_trained_class").
    public var id: String
    /// The paper's value, or nil when none can be stated (`paperNote` says why).
    public var paper: Double?
    public var paperNote: String?
    /// This run's value, computed from its data and settings; nil when it cannot be counted.
    public var thisRun: Double?
    /// How both are counted, with their sources.
    public var note: String

    public init(id: String, paper: Double?, paperNote: String? = nil, thisRun: Double?, note: String) {
        (self.id, self.paper, self.paperNote, self.thisRun, self.note) = (id, paper, paperNote, thisRun, note)
    }
}
