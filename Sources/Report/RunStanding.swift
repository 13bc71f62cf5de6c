import Common
import Results
import Foundation

// What the report may claim about a run beyond its numbers: whether it was a quick run (smoke-test
// sizes, never judged), which checkpoints it started from and whether they are the published
// ones.

extension Metric {
    /// This metric with what its results file says about the run: quick, checkpoints, precision.
    func made(by file: any ChapterResultsFileProtocol) -> Metric {
        var metric = self
        metric.quick = file.quick == true
        metric.checkpoints = file.checkpoints ?? []
        metric.precision = file.precisionUsed
        return metric
    }
}

extension ResultsFolder {
    /// The chapters whose results files say they were quick runs.
    public var quickChapters: [String] {
        files.filter { $0.quick == true }.map(\.chapter)
    }

    /// Every checkpoint the run's chapters started from, once each (by path and hashes), with the
    /// chapters that used it.
    public var checkpointUses: [(identity: CheckpointIdentity, chapters: [String])] {
        var uses: [(identity: CheckpointIdentity, chapters: [String])] = []
        for file in files {
            for identity in file.checkpoints ?? [] {
                if let index = uses.firstIndex(where: { $0.identity.path == identity.path && $0.identity.weightFiles == identity.weightFiles }) {
                    uses[index].chapters.append(file.chapter)
                } else {
                    uses.append((identity, [file.chapter]))
                }
            }
        }
        return uses
    }
}

/// "quick run: smoke-test sizes, no verdicts", with the chapters it concerns; nil when none was quick.
public func quickStatement(_ results: ResultsFolder) -> String? {
    let quick = results.quickChapters
    guard !quick.isEmpty else { return nil }
    return "**Quick run: smoke-test sizes, no verdicts.** \(quick.joined(separator: ", ")) ran with `--quick`: "
        + "their numbers show that the pipeline runs end to end, and are set beside the published ones without a verdict."
}

/// One line per checkpoint the run started from: published, not verified, user-supplied (with what
/// differs) or project-made; nil when no results file records one.
public func checkpointStatement(_ results: ResultsFolder, registry: PublishedRegistry) -> String? {
    let uses = results.checkpointUses
    guard !uses.isEmpty else { return nil }
    let lines = uses.map { use in
        "- \(use.identity.standsFor) (\(use.chapters.joined(separator: ", ")); \(use.identity.path)): "
            + standingWords(registry.standing(of: use.identity), use.identity)
    }
    return "Checkpoints this run started from:\n\n" + lines.joined(separator: "\n")
}

func standingWords(_ standing: CheckpointStanding, _ identity: CheckpointIdentity) -> String {
    switch standing {
    case .published:
        if let hub = identity.hub { return "published (hub sha256 at commit \(hub.commit) of \(hub.repo))" }
        return "the published checkpoint (the sha256 of every weight file matches the registry's)"
    case .unverified:
        return "not verified as the published checkpoint: the registry does not hold the published weights' sha256 "
            + "(\(identity.weightFiles.map { "\($0.name) \($0.sha256)" }.joined(separator: ", ")) here)"
    case .userSupplied(let differences): return "user-supplied checkpoint, not the published one: \(differences.joined(separator: "; "))"
    case .projectMade: return "project-made mini model (\(identity.architecture))"
    }
}

/// A few words for a figure's subtitle or a verdict: nil when every checkpoint is the published one.
func checkpointCaveat(_ identities: [CheckpointIdentity], registry: PublishedRegistry) -> String? {
    let standings = identities.map { registry.standing(of: $0) }
    if standings.contains(where: { if case .userSupplied = $0 { true } else { false } }) { return "user-supplied checkpoint, not the published one" }
    if standings.contains(.unverified) { return "checkpoint not verified as the published one" }
    return nil
}
