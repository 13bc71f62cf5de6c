// Where the committed goldens live, and scratch directories for tests that write files.
import Foundation

enum Fixtures {
    /// Tests/Fixtures/models, found from this source file so that tests run from any directory.
    static let models = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/models")

    static func model(_ path: String) -> URL { models.appendingPathComponent(path) }
}

/// A fresh directory under the system's temporary directory, removed when the test ends.
final class ScratchDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("checkpoints-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func file(_ name: String) -> URL { url.appendingPathComponent(name) }
}
