// Results files name checkpoints relative to the working directory, so committed results do not
// carry the directories of the machine that made them.
import Common
import Results
import Training
import Foundation
import Testing

@Suite struct RecordedPathTests {
    @Test func pathsUnderTheWorkingDirectoryAreRecordedRelative() {
        let here = FileManager.default.currentDirectoryPath
        #expect(URL(fileURLWithPath: here + "/cache/mini-clip-1f3a").recordedPath == "cache/mini-clip-1f3a")
        #expect(URL(fileURLWithPath: here + "/cache/../results/x.json").recordedPath == "results/x.json")
        #expect(URL(fileURLWithPath: "/nonexistent-root/models/clip").recordedPath == "/nonexistent-root/models/clip")
        #expect(URL(fileURLWithPath: here + "-sibling/model").recordedPath.hasPrefix("/"), "a sibling directory is not under it")
    }
}
