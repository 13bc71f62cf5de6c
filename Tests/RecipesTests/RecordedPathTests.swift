// Results files record paths relative to the run's working directory, so committed results do not
// carry the directories of the machine that made them: checkpoints, payload sources and every
// printed line of `output`.
import ChapterSupport
import Common
import Results
import Training
import Foundation
import Testing

@Suite struct RecordedPathTests {
    @Test func pathsAreRecordedRelativeToTheWorkingDirectory() {
        let here = FileManager.default.currentDirectoryPath
        let depth = here.split(separator: "/").count
        let up = Array(repeating: "..", count: depth).joined(separator: "/")
        #expect(URL(fileURLWithPath: here + "/cache/mini-clip-1f3a").recordedPath == "cache/mini-clip-1f3a")
        #expect(URL(fileURLWithPath: here + "/cache/../results/x.json").recordedPath == "results/x.json")
        #expect(URL(fileURLWithPath: "/nonexistent-root/models/clip").recordedPath == up + "/nonexistent-root/models/clip")
        let sibling = URL(fileURLWithPath: here + "-sibling/model").recordedPath
        #expect(sibling == "../" + URL(fileURLWithPath: here).lastPathComponent + "-sibling/model")
        #expect(URL(fileURLWithPath: here).recordedPath == ".")
    }

    @Test func printedLinesLoseTheirAbsolutePaths() {
        let here = FileManager.default.currentDirectoryPath
        #expect(recordedText("mini CLIP: cached at \(here)/cache/mini-clip-da30") == "mini CLIP: cached at cache/mini-clip-da30")
        #expect(recordedText("figure \(here)/figures/a.png.") == "figure figures/a.png.")
        #expect(recordedText("clip from \(here)/m; training captions (x)") == "clip from m; training captions (x)")
        let outside = recordedText("saved to /nonexistent-root/cache/model, then 12 images/s at 1/3 of a batch / step")
        #expect(outside.hasSuffix("nonexistent-root/cache/model, then 12 images/s at 1/3 of a batch / step"))
        #expect(!outside.contains(" /nonexistent-root"))
    }

    /// What `say` records (the results file's `output`) carries no absolute path; what it prints does.
    @Test func aChapterRunRecordsRelativeOutputLines() throws {
        let here = FileManager.default.currentDirectoryPath
        let options = try RunOptions.parse(["--results", FileManager.default.temporaryDirectory.appendingPathComponent("recorded-path-\(UUID().uuidString)").path])
        defer { try? FileManager.default.removeItem(atPath: options.results) }
        let run = ChapterRun(chapter: "data", options: options)
        run.say("figure \(here)/figures/minifood-contact-sheet.png")
        run.say("wrote /nonexistent-root/results/data.json")
        let lines = run.recordedOutput.map(\.text)
        #expect(lines == ["figure figures/minifood-contact-sheet.png",
                          "wrote " + Array(repeating: "..", count: here.split(separator: "/").count).joined(separator: "/") + "/nonexistent-root/results/data.json"])
        #expect(!lines.contains { $0.contains(" /") })
    }
}

