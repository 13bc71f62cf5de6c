// Issue #28's rows for names and label lists: an image whose file name is not UTF-8 is read as
// the bytes it is (the shell passes bytes; Swift's own arguments would have replaced them with
// U+FFFD), and `--labels-file` gives thousands of labels in one linear pass with the checks of
// `--label`.
import Foundation
import TestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Writes `contents` to the file whose name in `directory` is the bytes `name` (not necessarily UTF-8).
private func writeFile(named name: [UInt8], in directory: URL, _ contents: Data) throws {
    let path = Array(directory.path.utf8) + [UInt8(ascii: "/")] + name
    let descriptor = (path.map { CChar(bitPattern: $0) } + [0]).withUnsafeBufferPointer { open($0.baseAddress!, O_WRONLY | O_CREAT | O_TRUNC, 0o600) }
    guard descriptor >= 0 else { throw SpawnFailure(description: "cannot create a file named \(name): \(String(cString: strerror(errno)))") }
    defer { close(descriptor) }
    let written = contents.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    guard written == contents.count else { throw SpawnFailure(description: "short write") }
}

/// Runs `vitclip arguments` followed by `images`, each given as bytes through bash's `printf %b`
/// (octal escapes such as `\351`), the way a shell passes a name it globbed.
private func runVitclip(_ arguments: [String], escapedImages images: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
    let expansions = images.indices.map { #""$(printf '%b' "$IMAGE_\#($0)")""# }.joined(separator: " ")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/bash")
    process.arguments = ["-c", #"exec "$0" "$@" "# + expansions, try productURL("vitclip").path] + arguments
    var environment = ProcessInfo.processInfo.environment
    for (index, image) in images.enumerated() { environment["IMAGE_\(index)"] = image }
    process.environment = environment
    let out = Pipe(), err = Pipe()
    (process.standardOutput, process.standardError) = (out, err)
    try process.run()
    let stdout = out.fileHandleForReading.readDataToEndOfFile(), stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
}

@Suite struct RawNameAndLabelsFileTests {
    @Test("images named in Latin-1 (not UTF-8) are read as the bytes they are, two names differing only there told apart")
    func nonUTF8ImageNamesAreRead() throws {
        let scratch = try ScratchDirectory()
        let edges = try Data(contentsOf: URL(fileURLWithPath: png))
        let other = try Data(contentsOf: Fixtures.url("models/images/ramps.png"))
        // "pâté.png" and "pâtè.png" in Latin-1: both decode to "p\u{FFFD}t\u{FFFD}.png".
        try writeFile(named: Array("p".utf8) + [0xE2] + Array("t".utf8) + [0xE9] + Array(".png".utf8), in: scratch.url, edges)
        try writeFile(named: Array("p".utf8) + [0xE2] + Array("t".utf8) + [0xE8] + Array(".png".utf8), in: scratch.url, other)
        let dir = scratch.url.path
        for command in [["classify", "--checkpoint", vitCheckpoint, "--json"], ["zero-shot", "--checkpoint", clipCheckpoint, "--json", "--label", "pie", "--label", "cake"]] {
            let raw = try runVitclip(command, escapedImages: [#"\#(dir)/p\342t\351.png"#, #"\#(dir)/p\342t\350.png"#])
            #expect(raw.status == 0, "\(raw.stderr)")
            let named = try runProduct("vitclip", command + [png, Fixtures.url("models/images/ramps.png").path])
            #expect(named.status == 0, "\(named.stderr)")
            #expect(!raw.stdout.isEmpty && raw.stdout == named.stdout, "\(raw.stdout) vs \(named.stdout)")
        }
        // A name that is not there is still reported missing, shown with U+FFFD.
        let missing = try runVitclip(["classify", "--checkpoint", vitCheckpoint], escapedImages: [#"\#(dir)/p\342t\344.png"#])
        #expect(missing.status != 0 && missing.stderr.contains("p\u{FFFD}t\u{FFFD}.png: cannot read image file: no such file"), "\(missing.stderr)")
    }

    @Test("--labels-file: 20,000 labels, CRLF and a BOM, classify as the same --label list; an empty line or a repeat is named by its line")
    func aLabelsFileGivesManyLabels() throws {
        let scratch = try ScratchDirectory()
        let file = scratch.url.appendingPathComponent("labels.txt")
        try (Data([0xEF, 0xBB, 0xBF]) + Data("pie\r\ncake\n".utf8)).write(to: file)
        let fromFile = try runProduct("vitclip", ["zero-shot", "--checkpoint", clipCheckpoint, "--json", "--labels-file", file.path, png])
        let fromOptions = try runProduct("vitclip", ["zero-shot", "--checkpoint", clipCheckpoint, "--json", "--label", "pie", "--label", "cake", png])
        #expect(fromFile.status == 0 && fromFile.stdout == fromOptions.stdout, "\(fromFile.stderr)")

        try Data("pie\n\ncake\n".utf8).write(to: file)
        try expectOneLineFailure(["zero-shot", "--checkpoint", clipCheckpoint, "--labels-file", file.path, png], mentioning: "\(file.path):2: label is empty")
        try Data("pie\nwaffle\n".utf8).write(to: file)
        try expectOneLineFailure(["zero-shot", "--checkpoint", clipCheckpoint, "--label", "waffle", "--labels-file", file.path, png],
                                 mentioning: "\(file.path):2: label 'waffle' is given twice")
        try expectOneLineFailure(["zero-shot", "--checkpoint", clipCheckpoint, "--labels-file", scratch.url.appendingPathComponent("none").path, png],
                                 mentioning: "none: no such file")
        let pipe = scratch.url.appendingPathComponent("labels.fifo")
        #expect(mkfifo(pipe.path, 0o600) == 0)
        try expectOneLineFailure(["zero-shot", "--checkpoint", clipCheckpoint, "--labels-file", pipe.path, png],
                                 mentioning: "labels.fifo: not a regular file")

        // 20,000 labels, the last repeating the first: refused by the (linear) check in well under
        // the 28 s that as many --label options take to parse.
        try Data(((0..<20_000).map { "dish \($0)" } + ["dish 0"]).joined(separator: "\n").utf8).write(to: file)
        let started = Date()
        try expectOneLineFailure(["zero-shot", "--checkpoint", clipCheckpoint, "--labels-file", file.path, png], mentioning: "\(file.path):20001: label 'dish 0' is given twice")
        let seconds = Date().timeIntervalSince(started)
        print("20,000 labels from --labels-file checked in \(String(format: "%.2f", seconds)) s")
        #expect(seconds < 5)
    }
}
