// Nothing lost when a write fails or a process is killed: replacing a fine-tuned model's
// directory stopped after each of its file operations (as a kill would stop it) leaves the old or
// the new directory whole once the next start has recovered; the run lock makes a second run wait
// and names the holder; leftovers of dead processes are cleared, live ones kept.
import Common
import Foundation
import Testing
import TestSupport

private struct Stopped: Error {}

/// A directory holding one file `name` with `contents`.
private func directory(_ url: URL, _ contents: String) throws {
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    try Data(contents.utf8).write(to: url.appendingPathComponent("model.safetensors"))
    try Data((contents + " config").utf8).write(to: url.appendingPathComponent("config.json"))
}

private func contents(_ url: URL) -> [String: String] {
    var files: [String: String] = [:]
    for name in (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? [] {
        files[name] = (try? String(contentsOf: url.appendingPathComponent(name), encoding: .utf8)) ?? "?"
    }
    return files
}

@Suite struct RunDirectoryTests {
    @Test("replacing a model directory, stopped after each file operation, leaves the old or the new one whole",
          arguments: DirectoryReplacementStep.allCases)
    func aReplacementKilledAtAnyStepLeavesOneWholeDirectory(_ stop: DirectoryReplacementStep) throws {
        let scratch = try ScratchDirectory()
        let target = scratch.url.appendingPathComponent("vit-fine-tuned-mini")
        try directory(target, "old")
        let staging = stagingURL(for: target)
        try directory(staging, "new")
        let (old, new) = (contents(target), contents(staging))
        #expect(throws: Stopped.self) { try replaceDirectory(target, with: staging, after: { if $0 == stop { throw Stopped() } }) }
        // The next start, holding the cache: what a killed process left is put right.
        removeLeftovers(in: scratch.url, ownedByThisRun: true)
        let now = contents(target)
        #expect(now == old || now == new, "\(now)")
        #expect(stop == .renamedOldAside ? now == old : now == new)
        let left = try FileManager.default.contentsOfDirectory(atPath: scratch.url.path).filter { $0 != target.lastPathComponent }
        // This process is alive, so its own staging directory is not a leftover; nothing else remains.
        #expect(left.allSatisfy { $0 == staging.lastPathComponent }, "\(left)")
    }

    @Test func aReplacementWithNoOldDirectoryPutsTheNewOneInPlace() throws {
        let scratch = try ScratchDirectory()
        let target = scratch.url.appendingPathComponent("model"), staging = stagingURL(for: target)
        try directory(staging, "new")
        try replaceDirectory(target, with: staging)
        #expect(contents(target)["model.safetensors"] == "new")
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.url.path) == ["model"])
    }

    @Test func aDirectoryWrittenAtomicallyReplacesTheOldOneOnlyWhenItsFillSucceeds() throws {
        let scratch = try ScratchDirectory()
        let target = scratch.url.appendingPathComponent("model")
        try directory(target, "old")
        let old = contents(target)
        #expect(throws: Stopped.self) {
            try writeDirectoryAtomically(target) { staging in
                try Data("half".utf8).write(to: staging.appendingPathComponent("model.safetensors"))
                throw Stopped()
            }
        }
        #expect(contents(target) == old)
        try writeDirectoryAtomically(target) { staging in try directory(staging, "new") }
        #expect(contents(target)["model.safetensors"] == "new")
        // No staging directory or old model is left beside it.
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.url.path) == ["model"])
    }

    @Test("leftovers of dead processes are removed; a live process's temporaries and other files are kept")
    func leftoversOfDeadProcessesAreRemoved() throws {
        let scratch = try ScratchDirectory()
        let dead = Int32.max - 7  // no such process
        let live = ProcessInfo.processInfo.processIdentifier
        let names = [".vit.json.\(dead).tmp", ".vit.json.\(live).tmp", ".dat.nosyncA1b2", "results.json", ".lock"]
        for name in names { try Data("x".utf8).write(to: scratch.url.appendingPathComponent(name)) }
        try directory(scratch.url.appendingPathComponent(".vit-fine-tuned-mini.\(dead).partial"), "half")
        removeLeftovers(in: scratch.url, ownedByThisRun: false)
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: scratch.url.path))
                == [".vit.json.\(live).tmp", ".dat.nosyncA1b2", "results.json", ".lock"])
        removeLeftovers(in: scratch.url, ownedByThisRun: true)
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: scratch.url.path)) == [".vit.json.\(live).tmp", "results.json", ".lock"])
    }

    @Test("a second lock on a run directory waits for the first and names the process holding it")
    func aSecondRunWaitsForTheFirst() async throws {
        let scratch = try ScratchDirectory()
        var first: RunDirectoryLock? = try RunDirectoryLock(scratch.url, say: { _ in })
        let heard = LockedLines()
        let second = Task.detached { () throws -> Date in
            _ = try RunDirectoryLock(scratch.url, say: { heard.append($0) })
            return Date()
        }
        try await Task.sleep(for: .milliseconds(300))
        let released = Date()
        first = nil
        let acquired = try await second.value
        #expect(first == nil && acquired >= released)
        #expect(heard.lines == ["waiting for process \(ProcessInfo.processInfo.processIdentifier), which is running in \(scratch.url.path)"])
    }

    @Test("a cache on a file system without room for the run is refused before training, in plain words")
    func tooLittleSpaceIsRefusedUpFront() throws {
        let scratch = try ScratchDirectory()
        let error = #expect(throws: ChapterError.self) {
            try requireFreeSpace(in: scratch.url.appendingPathComponent("cache/vit"), for: "trainer checkpoints", bytes: Int.max / 2)
        }
        #expect(error?.description.hasPrefix("\(scratch.url.path)/cache/vit: trainer checkpoints need about ") == true, "\(String(describing: error))")
        #expect(error?.description.contains("is free there") == true)
    }
}

private final class LockedLines: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []
    func append(_ line: String) { lock.lock(); stored.append(line); lock.unlock() }
    var lines: [String] { lock.lock(); defer { lock.unlock() }; return stored }
}
