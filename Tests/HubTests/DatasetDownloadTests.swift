// Food-101- and CIFAR-10-shaped tarballs from a loopback dataset host: fetched, md5-checked
// (against md5sum's digest), unpacked where the chapters read them; a wrong md5 or an entry that
// would land outside the destination refused, with nothing unpacked.
import Common
import Foundation
@testable import Hub
import Testing
import TestSupport

/// md5sum's digest of `file` (coreutils), independent of the code under test.
func md5sum(_ file: URL) throws -> String {
    let process = Process(), out = Pipe()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["md5sum", file.path]
    process.standardOutput = out
    try process.run()
    let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return String(text.prefix(32))
}

/// Writes each file under `root` and returns the (archive name, path) entries.
func tree(_ root: URL, _ files: [String: String]) throws -> [(name: String, path: URL)] {
    try files.sorted { $0.key < $1.key }.map { name, content in
        let url = root.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(content.utf8).write(to: url)
        return (name, url)
    }
}

let food101Files = [
    "food-101/images/apple_pie/1005649.jpg": "not really a jpeg, but bytes to compare",
    "food-101/images/baklava/1006121.jpg": "another photo",
    "food-101/meta/classes.txt": "apple_pie\nbaklava\n",
    "food-101/meta/labels.txt": "Apple pie\nBaklava\n",
    "food-101/meta/train.txt": "apple_pie/1005649\n",
    "food-101/meta/test.txt": "baklava/1006121\n",
]

struct ServedDataset {
    let scratch: ScratchDirectory
    let server: HubStandIn
    let archive: URL
    let destination: URL

    init(_ entries: (URL) throws -> [(name: String, path: URL)], path: String = "/food-101.tar.gz", faults: [String: HubStandIn.Fault] = [:]) throws {
        scratch = try ScratchDirectory()
        archive = scratch.url.appendingPathComponent("served.tar.gz")
        try HubStandIn.tarball(archive, try entries(scratch.url.appendingPathComponent("tree")))
        server = try HubStandIn(.init(datasets: [path: archive.path], faults: faults))
        destination = scratch.url.appendingPathComponent("data")
    }

    func url(_ path: String = "/food-101.tar.gz") -> String { "http://127.0.0.1:\(server.port)\(path)" }
}

@Suite struct DatasetDownloadTests {
    @Test func food101IsFetchedCheckedAndUnpackedToImagesAndMeta() throws {
        let served = try ServedDataset({ try tree($0, food101Files) }, faults: ["food-101.tar.gz": .init(cut_once: true)])
        let md5 = try md5sum(served.archive)
        let folder = try DatasetDownload.run(DatasetSource.food101.from(url: served.url(), md5: md5), to: served.destination, settings: quickTransfer)
        #expect(folder.path == served.destination.appendingPathComponent("food-101").path)
        for (name, content) in food101Files {
            #expect(try String(contentsOf: served.destination.appendingPathComponent(name), encoding: .utf8) == content, "\(name)")
        }
        let left = try FileManager.default.contentsOfDirectory(atPath: served.destination.path).sorted()
        #expect(left == ["food-101", "food-101.download.json"], "\(left)")  // the archive and the staging folder are gone
        // Unpacked once: a second run asks the host for nothing.
        let before = try served.server.requests.count
        try DatasetDownload.run(DatasetSource.food101.from(url: served.url(), md5: md5), to: served.destination, settings: quickTransfer)
        #expect(try served.server.requests.count == before)
    }

    @Test func cifar10BinaryBatchesAreUnpacked() throws {
        let served = try ServedDataset({ root in
            let batches = root.appendingPathComponent("cifar-10-batches-bin")
            try writeCIFAR10Batches(to: batches, trainLabels: Array(0..<10), testLabels: [3, 4], classNames: (0..<10).map { "class\($0)" })
            return try FileManager.default.contentsOfDirectory(atPath: batches.path).map { ("cifar-10-batches-bin/\($0)", batches.appendingPathComponent($0)) }
        }, path: "/cifar-10-binary.tar.gz")
        let md5 = try md5sum(served.archive)
        let folder = try DatasetDownload.run(DatasetSource.cifar10.from(url: served.url("/cifar-10-binary.tar.gz"), md5: md5),
                                             to: served.destination, settings: quickTransfer)
        let expected = served.scratch.url.appendingPathComponent("tree/cifar-10-batches-bin")
        for name in ["data_batch_1.bin", "data_batch_5.bin", "test_batch.bin", "batches.meta.txt"] {
            #expect(try Data(contentsOf: folder.appendingPathComponent(name)) == Data(contentsOf: expected.appendingPathComponent(name)), "\(name)")
        }
    }

    @Test func aWrongMD5IsRefusedNamingBothAndNothingIsUnpacked() throws {
        let served = try ServedDataset { try tree($0, food101Files) }
        let wrong = String(repeating: "0", count: 32)
        let error = try #require(throws: ChapterError.self) {
            try DatasetDownload.run(DatasetSource.food101.from(url: served.url(), md5: wrong), to: served.destination, settings: quickTransfer)
        }
        let actual = try md5sum(served.archive)
        #expect(error.message.contains(served.url()) && error.message.contains(wrong) && error.message.contains(actual), "\(error.message)")
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: served.destination.path)) ?? []).isEmpty)
    }

    @Test(arguments: ["../escape.txt", "food-101/../../escape.txt", "/tmp/vitclip-hub-test-escape.txt"])
    func anEntryEscapingTheDestinationIsRefused(hostile: String) throws {
        let served = try ServedDataset { root in
            try tree(root, food101Files) + [(hostile, try tree(root, ["payload": "escaped"])[0].path)]
        }
        let md5 = try md5sum(served.archive)
        let error = try #require(throws: ChapterError.self) {
            try DatasetDownload.run(DatasetSource.food101.from(url: served.url(), md5: md5), to: served.destination, settings: quickTransfer)
        }
        #expect(error.message.contains("'\(hostile)'") && error.message.contains("outside"), "\(error.message)")
        #expect(!FileManager.default.fileExists(atPath: served.scratch.url.appendingPathComponent("escape.txt").path))
        #expect(!FileManager.default.fileExists(atPath: "/tmp/vitclip-hub-test-escape.txt"))
        let left = try FileManager.default.contentsOfDirectory(atPath: served.destination.path)
        #expect(left == ["food-101.tar.gz"], "\(left)")  // the verified archive only: nothing unpacked, no staging folder
    }
}
