import Common
import Results
import Training
import Foundation
import Testing
@testable import Report

@Suite struct BadResultsTests {
    /// Loads a folder holding one file with `contents`; returns the error's message.
    private func loadError(file name: String, _ contents: String) throws -> String {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data(contents.utf8).write(to: directory.appendingPathComponent(name))
        do {
            _ = try ResultsFolder(directory: directory)
        } catch {
            return String(describing: error)
        }
        Issue.record("\(name) loaded without an error")
        return ""
    }

    @Test func malformedJSONNamesTheFile() throws {
        let message = try loadError(file: "vit.json", "{ not json")
        #expect(message.contains("vit.json"))
        #expect(message.contains("invalid JSON"))
        #expect(!message.contains("\n"))
    }

    @Test func aMissingFieldIsNamedWithItsPlace() throws {
        let message = try loadError(file: "clip.json", """
            {"schema_version": 1, "chapter": "clip", "preset": "mini", "seed": 1, "git_commit": "x",
             "machine": {"cores": 2, "memory_bytes": 1, "os": "linux"}, "started": "t", "seconds": 1,
             "results": {"summary": "s", "model": "m", "checkpoint_source": "c", "dataset": "d", "templates": [],
                         "extended": {"value": 0.5, "images": 10}}}
            """)
        #expect(message.contains("clip.json"))
        #expect(message.contains("missing \"test\" in results"))
    }

    @Test func aFileOfAnotherChapterIsRefused() throws {
        let message = try loadError(file: "cost.json", """
            {"schema_version": 1, "chapter": "vit", "preset": "mini", "seed": 1, "git_commit": "x",
             "machine": {"cores": 2, "memory_bytes": 1, "os": "linux"}, "started": "t", "seconds": 1,
             "results": {"summary": "s", "approaches": [], "tier_rule": "r"}}
            """)
        #expect(message.contains("cost.json"))
        #expect(message.contains("expected \"cost\""))
    }

    @Test func anUnknownSchemaOrPresetIsRefused() throws {
        let schema = try loadError(file: "wise-ft.json", """
            {"schema_version": 2, "chapter": "wise-ft", "preset": "mini", "seed": 1, "git_commit": "x",
             "machine": {"cores": 2, "memory_bytes": 1, "os": "linux"}, "started": "t", "seconds": 1,
             "results": {"summary": "s", "dataset": "d", "points": []}}
            """)
        #expect(schema.contains("wise-ft.json") && schema.contains("schema_version 2"))
        let preset = try loadError(file: "lit.json", """
            {"schema_version": 1, "chapter": "lit", "preset": "huge", "seed": 1, "git_commit": "x",
             "started": "t", "seconds": 1, "results": {}}
            """)
        #expect(preset.contains("lit.json"))
    }

    @Test func aMissingResultsDirectoryIsAnErrorNotAnEmptyReport() throws {
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent("no-such-results-\(UUID().uuidString)")
        #expect(throws: ChapterError.self) { try ResultsFolder(directory: missing) }
    }
}
