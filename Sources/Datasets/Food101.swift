import Foundation

/// One image of Food-101, as its lists name it: "apple_pie/1005649" is
/// images/apple_pie/1005649.jpg.
public struct Food101Entry: Hashable, Sendable {
    public let classIndex: Int
    public let path: String
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
        let classLines = try Self.lines(of: classesData, file: classesFile), labelLines = try Self.lines(of: labelsData, file: labelsFile)
        let classes = classLines.map(\.text), labels = labelLines.map(\.text)
        guard !classes.isEmpty else { throw DatasetError.malformed(file: classesFile, line: 1, reason: "no classes") }
        guard labels.count == classes.count else {
            throw DatasetError.malformed(file: labelsFile, line: labels.count,
                                         reason: "\(labels.count) labels for \(classes.count) classes in classes.txt")
        }
        // A repeated class id would leave one of its two classes without images; a repeated label
        // would give two classes the same zero-shot prompt.
        try Self.checkDistinct(classLines, file: classesFile, what: "class")
        // A class is a folder of images/: one path component that stays inside it.
        if let (number, name) = classLines.first(where: { [".", ".."].contains($0.text) || $0.text.contains("/") || $0.text.contains("\0") }) {
            throw DatasetError.malformed(file: classesFile, line: number, reason: "class '\(name)' is not a folder name inside images/")
        }
        try Self.checkDistinct(labelLines.map { ($0.number, $0.text.lowercased()) }, file: labelsFile, what: "label")
        let classIndex = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
        let trainFile = meta.appendingPathComponent("train.txt").path, testFile = meta.appendingPathComponent("test.txt").path
        let train = try Self.entries(in: trainData, file: trainFile, classIndex: classIndex)
        let test = try Self.entries(in: testData, file: testFile, classIndex: classIndex)
        // The paper's split pools both lists: a photo listed twice would land in training and
        // validation alike.
        var listed: [String: String] = [:]
        for (file, entries) in [(trainFile, train), (testFile, test)] {
            for (number, entry) in entries {
                let place = "\(URL(fileURLWithPath: file).lastPathComponent) line \(number)"
                if let first = listed.updateValue(place, forKey: entry.path) {
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

    public func url(of entry: Food101Entry) -> URL {
        root.appendingPathComponent("images").appendingPathComponent(entry.path + ".jpg")
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

    /// The file's non-blank lines, trimmed, with their 1-based line numbers. Lines end at LF
    /// (a CRLF's CR is trimmed with the other whitespace) and a leading UTF-8 BOM is skipped, as
    /// text tools read them. A line that is not UTF-8 is refused: file names are read as UTF-8.
    private static func lines(of data: Data, file: String) throws -> [(number: Int, text: String)] {
        let bytes = data.starts(with: [0xEF, 0xBB, 0xBF]) ? data.dropFirst(3) : data[...]
        return try bytes.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated().compactMap { index, line in
            guard let text = String(bytes: line, encoding: .utf8) else {
                throw DatasetError.malformed(file: file, line: index + 1, reason: "not UTF-8 text")
            }
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            return trimmed.isEmpty ? nil : (index + 1, trimmed)
        }
    }

    private static func checkDistinct(_ lines: [(number: Int, text: String)], file: String, what: String) throws {
        var firstLine: [String: Int] = [:]
        for (number, text) in lines {
            if let first = firstLine[text] {
                throw DatasetError.malformed(file: file, line: number, reason: "\(what) '\(text)' is already on line \(first)")
            }
            firstLine[text] = number
        }
    }

    /// A list's entries with their line numbers.
    private static func entries(in data: Data, file: String, classIndex: [String: Int]) throws -> [(number: Int, entry: Food101Entry)] {
        try lines(of: data, file: file).map { number, line in
            let parts = line.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[1].isEmpty, !parts[1].contains("\0") else {
                throw DatasetError.malformed(file: file, line: number, reason: "expected <class>/<id>, got '\(line)'")
            }
            guard let index = classIndex[String(parts[0])] else {
                throw DatasetError.malformed(file: file, line: number, reason: "class '\(parts[0])' is not in classes.txt")
            }
            return (number, Food101Entry(classIndex: index, path: line))
        }
    }
}
