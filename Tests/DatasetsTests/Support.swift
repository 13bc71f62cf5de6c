import Foundation
import Imaging
import Testing
import TestSupport

/// The 120 real Food-101 photos in ../shared beside the repository, if present.
let sharedSample = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("shared/data/food101-sample")
let sharedSampleExists = FileManager.default.fileExists(atPath: sharedSample.appendingPathComponent("meta/classes.txt").path)
let skipNotice: Comment = "../shared/data/food101-sample is absent: Food-101 tests skipped"

/// A fresh temporary directory, removed by the caller.
func temporaryDirectory(_ name: String) throws -> URL {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    return directory
}

/// A 101-class tree in Food-101's layout made of real photos: the 10 classes of the shared
/// sample, and 91 more whose images are links to the photos of class `k % 10`, with
/// consistent meta files. Each class has 8 training and 4 test photos.
func makeFood101Tree(in root: URL) throws {
    let fm = FileManager.default
    let meta = root.appendingPathComponent("meta"), images = root.appendingPathComponent("images")
    try fm.createDirectory(at: meta, withIntermediateDirectories: true)
    func read(_ name: String) throws -> [String] {
        try String(contentsOf: sharedSample.appendingPathComponent("meta/\(name)"), encoding: .utf8)
            .split(whereSeparator: \.isNewline).map(String.init)
    }
    let realClasses = try read("classes.txt"), realLabels = try read("labels.txt")
    let realTrain = try read("train.txt"), realTest = try read("test.txt")
    var classes = realClasses, labels = realLabels, train = realTrain, test = realTest
    // Every class gets a real directory of links to single files, so no test can reach
    // through a linked directory into the shared sample.
    func link(_ line: String, as name: String) throws {
        let id = line.split(separator: "/")[1]
        let directory = images.appendingPathComponent(name)
        try fm.createDirectory(at: directory, withIntermediateDirectories: true)
        try fm.createSymbolicLink(at: directory.appendingPathComponent("\(id).jpg"),
                                  withDestinationURL: sharedSample.appendingPathComponent("images/\(line).jpg"))
    }
    for line in realTrain + realTest { try link(line, as: String(line.split(separator: "/")[0])) }
    for (k, name) in Food101Fixture.classIDs.dropFirst(10).enumerated() {
        let source = realClasses[k % 10] + "/"
        classes.append(name)
        labels.append(Food101Fixture.label(of: name))
        for line in realTrain where line.hasPrefix(source) {
            try link(line, as: name)
            train.append(name + "/" + line.dropFirst(source.count))
        }
        for line in realTest where line.hasPrefix(source) {
            try link(line, as: name)
            test.append(name + "/" + line.dropFirst(source.count))
        }
    }
    for (file, lines) in [("classes.txt", classes), ("labels.txt", labels), ("train.txt", train), ("test.txt", test)] {
        try (lines.joined(separator: "\n") + "\n").write(to: meta.appendingPathComponent(file), atomically: true, encoding: .utf8)
    }
}

/// The file of the first photo that a tree's meta/train.txt lists for `className`.
func firstPhoto(of className: String, in root: URL) throws -> URL {
    let lines = try String(contentsOf: root.appendingPathComponent("meta/train.txt"), encoding: .utf8).split(separator: "\n")
    let line = try #require(lines.first { $0.hasPrefix(className + "/") })
    return root.appendingPathComponent("images/\(line).jpg")
}

/// Replaces the first photo of `className` in a tree by its first half: a truncated JPEG.
/// The link is replaced by a copy, so the shared sample is never touched.
func truncatePhoto(of className: String, in root: URL) throws -> URL {
    let file = try firstPhoto(of: className, in: root)
    let bytes = try Data(contentsOf: file)
    try FileManager.default.removeItem(at: file)
    try bytes.prefix(bytes.count / 2).write(to: file)
    return file
}
