// The free-space check before training, at its statvfs boundary, on a real file system of 1 MiB
// (a tmpfs; skipped with a notice where this process may not mount one).
import Common
import Foundation
import Testing
import TestSupport

@Suite struct FreeSpaceTests {
    @Test func aNeedBeyondTheFreeSpaceIsRefusedAndOneWithinItPasses() throws {
        let scratch = try ScratchDirectory()
        guard let disk = try SmallFileSystem(at: scratch.url.appendingPathComponent("disk"), bytes: 1 << 20) else { return }
        defer { disk.unmount() }
        let free = disk.freeBytes
        #expect(free > 0 && free <= 1 << 20)
        let cache = disk.url.appendingPathComponent("cache/vit-fine-tuning")  // not yet made: its file system is the mount's
        try requireFreeSpace(in: cache, for: "trainer checkpoints", bytes: free)
        let error = #expect(throws: ChapterError.self) { try requireFreeSpace(in: cache, for: "trainer checkpoints", bytes: 2 * free) }
        #expect(error?.description == "\(cache.path): trainer checkpoints need about 2.1 MB, but only 1.0 MB is free there")
        try disk.fill()
        #expect(throws: ChapterError.self) { try requireFreeSpace(in: cache, for: "the fine-tuned model", bytes: 1) }
    }
}
