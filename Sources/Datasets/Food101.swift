import Foundation
import Imaging

/// One image of Food-101, as its lists name it: "apple_pie/1005649" is
/// images/apple_pie/1005649.jpg.
public struct Food101Entry: Hashable, Sendable {
    public let classIndex: Int
    /// "<class>/<id>", for messages and listings: bytes that are not UTF-8 show as U+FFFD.
    public let path: String
    /// The same as the list's bytes: how the file is found on disk, whatever its encoding.
    public let pathBytes: [UInt8]

    public init(classIndex: Int, path: String) {
        (self.classIndex, self.path, pathBytes) = (classIndex, path, Array(path.utf8))
    }

    init(classIndex: Int, pathBytes: [UInt8]) {
        (self.classIndex, path, self.pathBytes) = (classIndex, String(decoding: pathBytes, as: UTF8.self), pathBytes)
    }
}

/// Food-101's metadata, read from the dataset's own directory layout:
/// meta/classes.txt (class ids), meta/labels.txt (their display names, same order),
/// meta/train.txt and meta/test.txt (the official lists), images/<class>/<id>.jpg.
public struct Food101: Sendable {
    public let root: URL
    /// The class ids of meta/classes.txt, in order: "apple_pie", "baby_back_ribs", ...
    public let classes: [String]
    /// The names prompts use, from meta/labels.txt in lower case: "apple pie".
    public let classNames: [String]
    public let officialTrain: [Food101Entry]
    public let officialTest: [Food101Entry]

    public init(root: URL) throws {
        let meta = root.appendingPathComponent("meta")
        func contents(_ name: String) throws -> Data {
            let file = meta.appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: file.path) else { throw DatasetError.missingFile(file.path) }
            return data
        }
        try self.init(root: root, classes: contents("classes.txt"), labels: contents("labels.txt"),
                      train: contents("train.txt"), test: contents("test.txt"))
    }

    /// Parses the four meta files' bytes; errors name them as files under `root`/meta.
    init(root: URL, classes classesData: Data, labels labelsData: Data, train trainData: Data, test testData: Data) throws {
        let meta = root.appendingPathComponent("meta")
        let classesFile = meta.appendingPathComponent("classes.txt").path
        let labelsFile = meta.appendingPathComponent("labels.txt").path
        let classLines = Self.lines(of: classesData), labelLines = try Self.textLines(of: labelsData, file: labelsFile)
        let classes = classLines.map(\.text), labels = labelLines.map(\.text)
        guard !classes.isEmpty else { throw DatasetError.malformed(file: classesFile, line: 1, reason: "no classes") }
        guard labels.count == classes.count else {
            throw DatasetError.malformed(file: labelsFile, line: labels.count,
                                         reason: "\(labels.count) labels for \(classes.count) classes in classes.txt")
        }
        // A repeated class id would leave one of its two classes without images; a repeated label
        // would give two classes the same zero-shot prompt.
        try Self.checkDistinct(classLines.map { ($0.number, $0.bytes, $0.text) }, file: classesFile, what: "class")
        // A class is a folder of images/: one path component that stays inside it.
        if let line = classLines.first(where: { [Array(".".utf8), Array("..".utf8)].contains($0.bytes) || $0.bytes.contains(0x2F) || $0.bytes.contains(0) }) {
            throw DatasetError.malformed(file: classesFile, line: line.number, reason: "class '\(line.text)' is not a folder name inside images/")
        }
        try Self.checkDistinct(labelLines.map { ($0.number, Array($0.text.lowercased().utf8), $0.text.lowercased()) }, file: labelsFile, what: "label")
        // Classes are folder names, found by their bytes: a name that is not UTF-8 is read as it is.
        let classIndex = Dictionary(uniqueKeysWithValues: classLines.enumerated().map { ($1.bytes, $0) })
        let trainFile = meta.appendingPathComponent("train.txt").path, testFile = meta.appendingPathComponent("test.txt").path
        let train = try Self.entries(in: trainData, file: trainFile, classIndex: classIndex)
        let test = try Self.entries(in: testData, file: testFile, classIndex: classIndex)
        // The paper's split pools both lists: a photo listed twice would land in training and
        // validation alike.
        var listed: [[UInt8]: String] = [:]
        for (file, entries) in [(trainFile, train), (testFile, test)] {
            for (number, entry) in entries {
                let place = "\(URL(fileURLWithPath: file).lastPathComponent) line \(number)"
                if let first = listed.updateValue(place, forKey: entry.pathBytes) {
                    throw DatasetError.malformed(file: file, line: number, reason: "'\(entry.path)' is already listed on \(first)")
                }
            }
        }

        if let empty = Self.firstEmptyClass(classes.count, (train + test).map(\.entry)) {
            throw DatasetError.emptyClass(name: classes[empty], place: trainFile + " or test.txt")
        }
        self.init(root: root, classes: classes, classNames: labels.map { $0.lowercased() },
                  officialTrain: train.map(\.entry), officialTest: test.map(\.entry))
    }

    private init(root: URL, classes: [String], classNames: [String], officialTrain: [Food101Entry], officialTest: [Food101Entry]) {
        self.root = root
        self.classes = classes
        self.classNames = classNames
        self.officialTrain = officialTrain
        self.officialTest = officialTest
    }

    /// Every listed image: the official training list, then the test list.
    public var allEntries: [Food101Entry] { officialTrain + officialTest }

    /// The image file of a UTF-8 entry (`file(of:)` finds any).
    public func url(of entry: Food101Entry) -> URL {
        root.appendingPathComponent("images").appendingPathComponent(entry.path + ".jpg")
    }

    /// The image file of `entry` by its bytes: images/<class>/<id>.jpg, whatever the names' encoding.
    public func file(of entry: Food101Entry) -> RawPath {
        RawPath(root.appendingPathComponent("images")).appending(entry.pathBytes + Array(".jpg".utf8))
    }

    /// The same dataset without `excluded` (images found unreadable); fails if that empties a class.
    public func excluding(_ excluded: Set<Food101Entry>) throws -> Food101 {
        let reduced = Food101(root: root, classes: classes, classNames: classNames,
                              officialTrain: officialTrain.filter { !excluded.contains($0) },
                              officialTest: officialTest.filter { !excluded.contains($0) })
        if let empty = Self.firstEmptyClass(classes.count, reduced.allEntries) {
            throw DatasetError.emptyClass(name: classes[empty], place: root.appendingPathComponent("images/\(classes[empty])").path + " that can be read")
        }
        return reduced
    }

    private static func firstEmptyClass(_ classCount: Int, _ entries: [Food101Entry]) -> Int? {
        let populated = Set(entries.map(\.classIndex))
        return (0..<classCount).first { !populated.contains($0) }
    }

    /// The file's non-blank lines, trimmed, with their 1-based line numbers: as text for
    /// messages and as bytes for finding files. Lines end at LF (a CRLF's CR is trimmed with the
    /// other whitespace) and a leading UTF-8 BOM is skipped, as text tools read them. A line that
    /// is not UTF-8 is kept as its bytes (trimmed of ASCII whitespace): Linux names are bytes.
    private static func lines(of data: Data) -> [(number: Int, text: String, bytes: [UInt8])] {
        let content = data.starts(with: [0xEF, 0xBB, 0xBF]) ? data.dropFirst(3) : data[...]
        return content.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated().compactMap { index, line in
            let bytes: [UInt8]
            if let text = String(bytes: line, encoding: .utf8) {
                bytes = Array(text.trimmingCharacters(in: .whitespacesAndNewlines).utf8)
            } else {
                let isSpace = { (byte: UInt8) in [0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20].contains(byte) }
                bytes = Array(line.drop(while: isSpace).reversed().drop(while: isSpace).reversed())
            }
            return bytes.isEmpty ? nil : (index + 1, String(decoding: bytes, as: UTF8.self), bytes)
        }
    }

    /// `lines(of:)` of a file of text (labels become prompts): a line that is not UTF-8 is refused.
    private static func textLines(of data: Data, file: String) throws -> [(number: Int, text: String)] {
        let content = data.starts(with: [0xEF, 0xBB, 0xBF]) ? data.dropFirst(3) : data[...]
        if let bad = content.split(separator: 0x0A, omittingEmptySubsequences: false).firstIndex(where: { String(bytes: $0, encoding: .utf8) == nil }) {
            throw DatasetError.malformed(file: file, line: bad + 1, reason: "not UTF-8 text")
        }
        return lines(of: data).map { ($0.number, $0.text) }
    }

    private static func checkDistinct(_ lines: [(number: Int, bytes: [UInt8], text: String)], file: String, what: String) throws {
        var firstLine: [[UInt8]: Int] = [:]
        for (number, bytes, text) in lines {
            if let first = firstLine[bytes] {
                throw DatasetError.malformed(file: file, line: number, reason: "\(what) '\(text)' is already on line \(first)")
            }
            firstLine[bytes] = number
        }
    }

    /// A list's entries with their line numbers.
    private static func entries(in data: Data, file: String, classIndex: [[UInt8]: Int]) throws -> [(number: Int, entry: Food101Entry)] {
        try lines(of: data).map { number, line, bytes in
            let parts = bytes.split(separator: 0x2F, omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[1].isEmpty, !parts[1].contains(0) else {
                throw DatasetError.malformed(file: file, line: number, reason: "expected <class>/<id>, got '\(line)'")
            }
            guard let index = classIndex[Array(parts[0])] else {
                throw DatasetError.malformed(file: file, line: number, reason: "class '\(String(decoding: parts[0], as: UTF8.self))' is not in classes.txt")
            }
            return (number, Food101Entry(classIndex: index, pathBytes: bytes))
        }
    }
}
