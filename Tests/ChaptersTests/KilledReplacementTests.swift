// Replacing a fine-tuned model killed by a real SIGKILL at its file operations: strace injects
// the signal (before the call takes effect) at the rename of the old model aside, at the rename
// of the new one into place, and during the old one's removal (at the rmdir of its directory, the
// removal's last call naming it). `-P` limits strace's count to calls naming one path; it follows
// a traced path through a rename, so the rename into place is caught by the staging directory's
// name, `.NAME.PID.partial`, named once the process exists (it starts stopped, strace attaches,
// then it runs). After the recovery the next start runs, the
// model directory is whole, and (training being deterministic) the very bytes the first run
// saved; with the old remove-then-move, a kill at the move left no model. Skipped, with a
// notice, without strace.
import Common
import Foundation
import TestSupport
import Testing

/// Where strace kills the save.
enum ReplacementKill: String, CaseIterable, Sendable {
    case renamingOldAside, renamingNewIntoPlace, removingOld

    /// The calls counted, the path they must name (for the process of an id), and which of them
    /// is killed. The aside path is first named by `replaceDirectory`'s clearing of an older one
    /// (an unlink that fails), then by the removal.
    func injection(model: URL, aside: URL) -> (calls: String, path: (Int32) -> URL, nth: Int) {
        switch self {
        case .renamingOldAside: ("rename,renameat,renameat2", { _ in model }, 1)
        case .renamingNewIntoPlace:
            ("rename,renameat,renameat2", { pid in model.deletingLastPathComponent().appendingPathComponent(".\(model.lastPathComponent).\(pid).partial") }, 1)
        case .removingOld: ("unlink,unlinkat,rmdir", { _ in aside }, 2)
        }
    }
}

private let strace = "/usr/bin/strace"

private let cases: [(String, ReplacementKill)] = ["vit", "clip-finetune"].flatMap { chapter in ReplacementKill.allCases.map { (chapter, $0) } }

@Suite(.serialized) struct KilledReplacementTests {
    @Test(arguments: cases)
    func aSaveKilledAtEachFileOperationLeavesAWholeModel(chapter: String, kill: ReplacementKill) throws {
        guard FileManager.default.isExecutableFile(atPath: strace) else {
            print("notice: \(strace) is absent; skipping the SIGKILL-at-each-file-operation check")
            return
        }
        guard let workspace = try PaperWorkspace() else { return }
        let command = workspace.arguments(checkpoint: chapter == "vit" ? workspace.vit : workspace.clip, run: "run")
        let first = try runProduct(chapter, command)
        #expect(first.status == 0, "\(first.stderr)")
        let model = try fineTunedModel(chapter, cache: workspace.scratch.url.appendingPathComponent("run/cache"))
        let saved = try snapshot(model)
        #expect(saved["model.safetensors"] != nil && saved["config.json"] != nil)
        let aside = model.deletingLastPathComponent().appendingPathComponent(".\(model.lastPathComponent).replaced")

        let (calls, path, nth) = kill.injection(model: model, aside: aside)
        let killed = try runUnderStrace(chapter, command, path: path, calls: calls, killAt: nth)
        #expect(killed.terminationReason == .uncaughtSignal && killed.terminationStatus == SIGKILL, "\(chapter) ended with \(killed.terminationStatus)")
        // What the kill left, before any recovery: it struck the operation it was meant to.
        let manager = FileManager.default
        let asideFiles = (try? manager.contentsOfDirectory(atPath: aside.path)) ?? []
        switch kill {
        case .renamingOldAside: #expect(manager.fileExists(atPath: model.path) && !manager.fileExists(atPath: aside.path))
        case .renamingNewIntoPlace: #expect(!manager.fileExists(atPath: model.path) && asideFiles.count == saved.count)
        case .removingOld:
            #expect(manager.fileExists(atPath: model.path) && manager.fileExists(atPath: aside.path))
            print("\(chapter): killed removing the old model with \(asideFiles.count) of its \(saved.count) files left")
        }

        // The recovery the next start runs (ViT's at its start, CLIP's before its save).
        if chapter == "vit" {
            removeLeftovers(in: model.deletingLastPathComponent(), ownedByThisRun: false)
        } else {
            recoverReplacedDirectories(in: model.deletingLastPathComponent())
        }
        #expect(try snapshot(model) == saved, "\(kill): the model is not whole")
        #expect(!manager.fileExists(atPath: aside.path))
    }
}

/// The fine-tuned model directory a first run of `chapter` saved under `cache`.
private func fineTunedModel(_ chapter: String, cache: URL) throws -> URL {
    if chapter == "vit" { return cache.appendingPathComponent("vit-fine-tuned-paper-quick") }
    let runs = cache.appendingPathComponent("clip-finetune")
    let names = try FileManager.default.contentsOfDirectory(atPath: runs.path).filter { !$0.hasPrefix(".") }.sorted()
    return try #require(names.map { runs.appendingPathComponent($0).appendingPathComponent("model") }
        .first { FileManager.default.fileExists(atPath: $0.path) }, "no saved model in \(names)")
}

private func snapshot(_ directory: URL) throws -> [String: Data] {
    let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
    return try Dictionary(uniqueKeysWithValues: names.map { ($0, try Data(contentsOf: directory.appendingPathComponent($0))) })
}

/// Runs the product under strace, which sends SIGKILL at the `nth` of `calls` that names
/// `path(pid)` (before the call takes effect); returns the product's process, ended by it. The
/// product starts stopped (a shell that stops itself, then execs it: the same process id), so
/// strace is attached, and the path named, before it runs.
private func runUnderStrace(_ name: String, _ arguments: [String], path: (Int32) -> URL, calls: String, killAt nth: Int) throws -> Process {
    let product = Process()
    product.executableURL = URL(fileURLWithPath: "/bin/sh")
    product.arguments = ["-c", #"kill -STOP $$; exec "$0" "$@""#, try productURL(name).path] + arguments
    product.standardOutput = FileHandle.nullDevice
    product.standardError = FileHandle.nullDevice
    try product.run()
    let pid = product.processIdentifier
    try waitUntil("process \(pid) stops itself") { processStatus(pid, "State:")?.hasPrefix("T") == true }
    let tracer = Process()
    tracer.executableURL = URL(fileURLWithPath: strace)
    tracer.arguments = ["-f", "-qq", "-o", "/dev/null", "-p", "\(pid)", "-P", path(pid).path, "-e", "trace=\(calls)",
                        "-e", "inject=\(calls):signal=KILL:when=\(nth)"]
    tracer.standardError = FileHandle.nullDevice
    try tracer.run()
    try waitUntil("strace attaches to process \(pid)") { (processStatus(pid, "TracerPid:").flatMap { Int($0) } ?? 0) != 0 }
    kill(pid, SIGCONT)
    product.waitUntilExit()
    tracer.waitUntilExit()
    return product
}

/// The value of `field` in /proc/PID/status.
private func processStatus(_ pid: Int32, _ field: String) -> String? {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
    return text.split(separator: "\n").first { $0.hasPrefix(field) }.map { $0.dropFirst(field.count).trimmingCharacters(in: .whitespaces) }
}

private struct Timeout: Error, CustomStringConvertible {
    let description: String
}

/// Polls `condition` every 10 ms for up to 30 s.
private func waitUntil(_ what: String, _ condition: () -> Bool) throws {
    let deadline = Date().addingTimeInterval(30)
    while !condition() {
        guard Date() < deadline else { throw Timeout(description: "timed out waiting until \(what)") }
        usleep(10_000)
    }
}
