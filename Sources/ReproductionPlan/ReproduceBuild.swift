// `swift run reproduce` builds only `reproduce`; the chapters it runs are executables of their
// own. So when `reproduce` runs from a package's build folder, it first brings every product of
// that package up to date with `swift build` (a few seconds when nothing changed), so that a
// fresh clone needs one command and an edited chapter is never run stale.
import Common
import Results
import Training
import Foundation

public enum ReproduceBuild {
    /// The package root and configuration when `executables` is a SwiftPM build folder
    /// (<root>/.build/release, or .build/<triple>/release), else nil.
    public static func package(of executables: URL) -> (root: URL, configuration: String)? {
        let configuration = executables.lastPathComponent
        guard ["release", "debug"].contains(configuration) else { return nil }
        var candidate = executables.deletingLastPathComponent()
        for _ in 0..<2 {
            if candidate.lastPathComponent == ".build" {
                let root = candidate.deletingLastPathComponent()
                let manifest = root.appendingPathComponent("Package.swift")
                return FileManager.default.fileExists(atPath: manifest.path) ? (root, configuration) : nil
            }
            candidate = candidate.deletingLastPathComponent()
        }
        return nil
    }

    /// Runs `swift build -c <configuration>` in `root`, with this process's terminal. The manifest
    /// is evaluated afresh (`--manifest-cache none`): Package.swift finds the chapters' folders
    /// itself, so a cached evaluation would miss a chapter added since.
    public static func buildAll(root: URL, configuration: String) throws {
        let swift = Process()
        swift.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        swift.arguments = ["swift", "build", "-c", configuration, "--manifest-cache", "none"]
        swift.currentDirectoryURL = root
        do {
            try swift.run()
        } catch {
            throw ChapterError("cannot run swift build in \(root.path): \(error.localizedDescription)")
        }
        swift.waitUntilExit()
        guard swift.terminationReason == .exit, swift.terminationStatus == 0 else {
            throw ChapterError("swift build -c \(configuration) failed in \(root.path); its message is above")
        }
    }
}
