// Broken Food-101 meta files and trees, and places the data chapter cannot write: one error that
// names the file (and line), a non-zero exit, nothing written. None of these need the shared sample.
@testable import Datasets
import Foundation
import Imaging
import Testing
import TestSupport

/// Parses meta files given as text, as if they sat in /food-101/meta.
private func food101(classes: String, labels: String, train: String = "a/1\nb/2\n", test: String = "") throws -> Food101 {
    try Food101(root: URL(fileURLWithPath: "/food-101"), classes: Data(classes.utf8), labels: Data(labels.utf8),
                train: Data(train.utf8), test: Data(test.utf8))
}

/// A Food-101 tree of `classCount` classes ("dish_0", ...) with four training photos and one test
/// photo each, all copies of one fixture JPEG.
private func makeSmallFood101Tree(in root: URL, classCount: Int) throws {
    let fm = FileManager.default
    let meta = root.appendingPathComponent("meta")
    try fm.createDirectory(at: meta, withIntermediateDirectories: true)
    let photo = try Data(contentsOf: Fixtures.url("imaging/rgb420_97x61.jpg"))
    let classes = (0..<classCount).map { "dish_\($0)" }
    var train: [String] = [], test: [String] = []
    for name in classes {
        try fm.createDirectory(at: root.appendingPathComponent("images/\(name)"), withIntermediateDirectories: true)
        for id in 0..<5 {
            try photo.write(to: root.appendingPathComponent("images/\(name)/\(id).jpg"))
            if id < 4 { train.append("\(name)/\(id)") } else { test.append("\(name)/\(id)") }
        }
    }
    for (file, lines) in [("classes.txt", classes), ("labels.txt", classes.map { $0.replacingOccurrences(of: "_", with: " ") }),
                          ("train.txt", train), ("test.txt", test)] {
        try (lines.joined(separator: "\n") + "\n").write(to: meta.appendingPathComponent(file), atomically: true, encoding: .utf8)
    }
}

@Suite struct HostileFood101MetaTests {
    @Test func aRepeatedClassIdIsNamedWithBothLines() throws {
        #expect(throws: DatasetError.malformed(file: "/food-101/meta/classes.txt", line: 3, reason: "class 'a' is already on line 1")) {
            try food101(classes: "a\nb\na\n", labels: "A\nB\nC\n")
        }
    }

    @Test("a repeated label (in any case) is refused: two classes would share one zero-shot prompt")
    func aRepeatedLabelIsNamed() throws {
        #expect(throws: DatasetError.malformed(file: "/food-101/meta/labels.txt", line: 2, reason: "label 'apple pie' is already on line 1")) {
            try food101(classes: "a\nb\n", labels: "Apple pie\napple Pie\n")
        }
    }

    @Test func emptyListsAreNamed() throws {
        #expect(throws: DatasetError.malformed(file: "/food-101/meta/labels.txt", line: 0, reason: "0 labels for 2 classes in classes.txt")) {
            try food101(classes: "a\nb\n", labels: "\n\n")
        }
        #expect(throws: DatasetError.malformed(file: "/food-101/meta/classes.txt", line: 1, reason: "no classes")) {
            try food101(classes: "", labels: "")
        }
        #expect(throws: DatasetError.emptyClass(name: "b", place: "/food-101/meta/train.txt or test.txt")) {
            try food101(classes: "a\nb\n", labels: "A\nB\n", train: "a/1\n")
        }
    }

    @Test("a list line that is not UTF-8 is looked up by its bytes: an unknown class is named, shown with U+FFFD")
    func aNonUTF8LineIsLookedUpByItsBytes() throws {
        let error = try #require(throws: DatasetError.self) {
            try Food101(root: URL(fileURLWithPath: "/food-101"), classes: Data("a\n".utf8), labels: Data("A\n".utf8),
                        train: Data([0xFF, 0x2F, 0x31, 0x0A]), test: Data())
        }
        #expect(error.description == "/food-101/meta/train.txt:1: class '\u{FFFD}' is not in classes.txt")
    }

    @Test("a class folder and photo named in Latin-1 (not UTF-8) are found on disk by their bytes and decoded")
    func nonUTF8ClassAndPhotoNamesAreFoundOnDisk() throws {
        let work = try ScratchDirectory()
        let tree = work.url.appendingPathComponent("food-101")
        try makeSmallFood101Tree(in: tree, classCount: 2)
        // "crème_brûlée" and its photo "pâté" in Latin-1, made with POSIX calls (Foundation's paths are text).
        let dish = Array("cr".utf8) + [0xE8] + Array("me_br".utf8) + [0xFB] + Array("l".utf8) + [0xE9, 0x65]
        let photo = Array("p".utf8) + [0xE2] + Array("t".utf8) + [0xE9]
        let folder = RawPath(tree.appendingPathComponent("images")).appending(dish)
        #expect(folder.withCString { mkdir($0, 0o755) } == 0)
        let jpeg = try Data(contentsOf: Fixtures.url("imaging/rgb420_97x61.jpg"))
        let descriptor = folder.appending(photo + Array(".jpg".utf8)).withCString { open($0, O_WRONLY | O_CREAT | O_TRUNC, 0o644) }
        #expect(descriptor >= 0)
        #expect(jpeg.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) } == jpeg.count)
        close(descriptor)
        func append(_ bytes: [UInt8], to name: String) throws {
            let handle = try FileHandle(forWritingTo: tree.appendingPathComponent("meta/\(name)"))
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(bytes))
            try handle.close()
        }
        try append(dish + [0x0A], to: "classes.txt")
        try append(Array("Creme brulee\n".utf8), to: "labels.txt")
        try append(dish + [0x2F] + photo + [0x0A], to: "test.txt")

        let food = try Food101(root: tree)
        let entry = try #require(food.officialTest.last)
        #expect(entry.classIndex == 2 && entry.pathBytes == dish + [0x2F] + photo)
        #expect(food.classes[2] == "cr\u{FFFD}me_br\u{FFFD}l\u{FFFD}e")
        let dataset = Food101Dataset(food, entries: food.officialTest, classes: [0, 1, 2])
        #expect(try dataset.image(at: dataset.count - 1) == Image(encoded: jpeg, name: "fixture"))
        #expect(findUnreadableImages(food.allEntries.map(food.file(of:)), check: .decode).isEmpty)
        #expect(findUnreadableImages(food.allEntries.map(food.file(of:)), check: .markers).isEmpty)
    }
}

@Suite struct HostileFood101ImageTests {
    @Test("the training loader refuses a decompression bomb by its header, as vitclip does")
    func aDecompressionBombInTheTreeIsRefusedByTheLoader() throws {
        let work = try ScratchDirectory()
        let tree = work.url.appendingPathComponent("food-101")
        try makeSmallFood101Tree(in: tree, classCount: 2)
        let bomb = tree.appendingPathComponent("images/dish_1/4.jpg")
        try Data(contentsOf: Fixtures.url("imaging/bomb_65000x65000.jpg")).write(to: bomb)
        let food = try Food101(root: tree)
        let dataset = Food101Dataset(food, entries: food.officialTest, classes: [0, 1])
        #expect(throws: ImagingError.tooManyPixels(file: bomb.path, width: 65000, height: 65000, limit: Image.maximumPixels)) {
            try dataset.image(at: 1)
        }
        let found = findUnreadableImages(food.allEntries.map(food.url(of:)), check: .decode)
        #expect(found.count == 1 && found[0].reason.contains("possible decompression bomb"))
    }
}

@Suite(.serialized) struct HostileDataChapterTests {
    @Test(arguments: [false, true])
    func aListedPhotoThatDoesNotExistIsNamedAndNothingIsWritten(quick: Bool) throws {
        let work = try ScratchDirectory()
        let tree = work.url.appendingPathComponent("food-101")
        try makeSmallFood101Tree(in: tree, classCount: 12)
        let missing = tree.appendingPathComponent("images/dish_11/2.jpg")
        try FileManager.default.removeItem(at: missing)

        let outcome = try runProduct("data", ["--preset", "paper", "--food101", tree.path] + (quick ? ["--quick"] : []), in: work.url)
        #expect(outcome.status != 0)
        let lines = outcome.stderr.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].contains("\(missing.path): ") && lines[0].contains("no such file"), "\(outcome.stderr)")
        #expect(!FileManager.default.fileExists(atPath: work.url.appendingPathComponent("results").path))
        #expect(!FileManager.default.fileExists(atPath: work.url.appendingPathComponent("figures").path))
    }

    @Test("a results directory that cannot be created stops the chapter with one line")
    func anUnwritableResultsDirectoryIsNamed() throws {
        let work = try ScratchDirectory()
        // A regular file where a directory must go: unwritable even for root, unlike permissions.
        let blocker = work.url.appendingPathComponent("not-a-directory")
        try Data("x".utf8).write(to: blocker)
        let results = blocker.appendingPathComponent("results")
        let outcome = try runProduct("data", ["--quick", "--results", results.path], in: work.url)
        #expect(outcome.status != 0)
        let lines = outcome.stderr.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].hasPrefix("data [mini]: error:") && lines[0].contains(results.path), "\(outcome.stderr)")
        #expect(try Data(contentsOf: blocker) == Data("x".utf8))
        #expect(lines.first?.contains("cannot be created (\(blocker.path) is not a directory)") == true, "\(outcome.stderr)")
        #expect(!FileManager.default.fileExists(atPath: work.url.appendingPathComponent("figures").path), "no work before the check")
    }
}
