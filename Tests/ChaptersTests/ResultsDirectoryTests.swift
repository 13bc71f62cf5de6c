// The README's row "--results where no directory can be made": refused before any work (or any
// figure), in one plain line naming the directory and why, and nothing written.
import Foundation
import TestSupport
import Testing

@Suite struct ResultsDirectoryTests {
    @Test func aResultsDirectoryUnderAFileIsRefusedBeforeAnyWork() throws {
        let work = try ScratchDirectory()
        let file = work.url.appendingPathComponent("a-file")
        try Data("not a directory".utf8).write(to: file)
        let results = file.appendingPathComponent("results")
        let run = try runProduct("data", ["--quick", "--results", results.path], in: work.url)
        #expect(run.status == 1)
        #expect(run.stderr == "data [mini]: error: \(results.path): cannot be created (\(file.path) is not a directory)\n", "\(run.stderr)")
        #expect(run.stdout.isEmpty, "\(run.stdout)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: work.url.path) == ["a-file"])
    }
}
