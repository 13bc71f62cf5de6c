// Replacing a directory (a fine-tuned model) so that a kill at any moment leaves the old one or
// the new one whole: the new one is written beside the old, the old renamed aside, the new renamed
// into place, and only then the old removed. Between the two renames no directory has the name;
// `recoverReplacedDirectories` puts the old one back at the next start.
import Foundation

/// The steps of `replaceDirectory`, each one file-system operation; tests stop it after each.
public enum DirectoryReplacementStep: Int, CaseIterable, Sendable {
    case renamedOldAside, renamedNewIntoPlace, removedOld
}

/// The name a directory being replaced waits under: `.NAME.replaced`, beside it.
func asideURL(of target: URL) -> URL {
    target.deletingLastPathComponent().appendingPathComponent(".\(target.lastPathComponent).replaced")
}

/// Moves the whole directory `staging` to `target`, replacing what is there. `after` runs after
/// each step: a test throws from it to stop there as a kill would (nothing is undone on a throw).
public func replaceDirectory(_ target: URL, with staging: URL, after: (DirectoryReplacementStep) throws -> Void = { _ in }) throws {
    let manager = FileManager.default
    let aside = asideURL(of: target)
    func rename(_ from: URL, _ to: URL) throws {
        guard Foundation.rename(from.path, to.path) == 0 else {
            throw ChapterError("cannot rename \(from.path) to \(to.path): \(String(cString: strerror(errno)))")
        }
    }
    try? manager.removeItem(at: aside)  // a previous replacement's, already superseded
    let hadOld = manager.fileExists(atPath: target.path)
    if hadOld { try rename(target, aside) }
    try after(.renamedOldAside)
    try rename(staging, target)
    try after(.renamedNewIntoPlace)
    if hadOld { try manager.removeItem(at: aside) }
    try after(.removedOld)
}

/// Writes the directory `target` whole or not at all: `fill` writes into a staging directory
/// beside it (`stagingURL`), which then replaces `target` (`replaceDirectory`), after a
/// replacement a killed process left half done is put right (`recoverReplacedDirectories`).
public func writeDirectoryAtomically(_ target: URL, _ fill: (URL) throws -> Void) throws {
    let manager = FileManager.default
    let parent = target.deletingLastPathComponent()
    try manager.createDirectory(at: parent, withIntermediateDirectories: true)
    recoverReplacedDirectories(in: parent)
    let staging = stagingURL(for: target)
    try? manager.removeItem(at: staging)
    try manager.createDirectory(at: staging, withIntermediateDirectories: true)
    defer { try? manager.removeItem(at: staging) }
    try fill(staging)
    try replaceDirectory(target, with: staging)
}

/// Undoes what a kill in `replaceDirectory` left in `parent`: an old directory aside whose new one
/// never arrived goes back under its name; one whose new one did is removed.
public func recoverReplacedDirectories(in parent: URL) {
    let manager = FileManager.default
    for name in (try? manager.contentsOfDirectory(atPath: parent.path)) ?? [] where name.hasPrefix(".") && name.hasSuffix(".replaced") {
        let aside = parent.appendingPathComponent(name)
        let target = parent.appendingPathComponent(String(name.dropFirst().dropLast(".replaced".count)))
        if manager.fileExists(atPath: target.path) {
            try? manager.removeItem(at: aside)
        } else {
            _ = Foundation.rename(aside.path, target.path)
        }
    }
}
