import Common
import Results
import Foundation

// The published checkpoints in the registry, and how a run's checkpoint stands against them: the
// report calls a checkpoint published only when the sha256 of every weight file matches a hash
// the registry holds with its source.

/// A published checkpoint: its architecture as config.json states it, and each weight file's
/// sha256 (nil where the registry does not know it).
public struct PublishedCheckpoint: Codable, Sendable {
    public let architecture: String
    public let files: [String: String?]
    /// Where the hashes and architecture were read.
    public let source: String
    public let note: String?
}

/// What the report may say about the checkpoint behind a number.
public enum CheckpointStanding: Sendable, Equatable {
    /// Every weight file's sha256 is the published one (the registry's, or the hub's at the commit
    /// the directory was downloaded at).
    case published
    /// The registry does not know the published hashes (or the checkpoint), so nothing could be checked.
    case unverified
    /// A checkpoint that is not the published one, with what differs.
    case userSupplied(differences: [String])
    /// The mini preset's own models.
    case projectMade
}

extension PublishedRegistry {
    /// Whether `files` are exactly the published weight files of `standsFor`.
    public func isPublished(_ files: [CheckpointIdentity.WeightFile], standsFor: String) -> Bool {
        guard let published = checkpoints?[standsFor], published.files.count == files.count else { return false }
        return files.allSatisfy { file in published.files[file.name].flatMap { $0 } == file.sha256 }
    }

    public func standing(of identity: CheckpointIdentity) -> CheckpointStanding {
        if identity.origin == .projectMade { return .projectMade }
        if isPublished(identity.weightFiles, standsFor: identity.standsFor) { return .published }
        // Without hashes of its own the registry takes the hub's (a downloaded directory's, rechecked when read).
        let unknownToRegistry: CheckpointStanding = identity.hub != nil ? .published : .unverified
        guard let published = checkpoints?[identity.standsFor] else { return unknownToRegistry }
        var differences: [String] = []
        if identity.architecture != published.architecture {
            differences.append("architecture \(identity.architecture), published \(published.architecture)")
        }
        let known = published.files.compactMapValues { $0 }
        if known.isEmpty, differences.isEmpty { return unknownToRegistry }
        let hashes = identity.weightFiles.map { "\($0.name) sha256 \($0.sha256)" }.joined(separator: ", ")
        differences.append(known.isEmpty ? "\(hashes) (the published hash is unknown to the registry)"
                                         : "\(hashes), published \(known.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))")
        return .userSupplied(differences: differences)
    }
}

extension CheckpointStanding {
    /// A few words for a chapter's progress line.
    public var summary: String {
        switch self {
        case .published: "the published checkpoint"
        case .unverified: "not verified as the published checkpoint (the registry holds no published sha256 for it)"
        case .userSupplied: "user-supplied checkpoint, not the published one"
        case .projectMade: "project-made"
        }
    }
}
