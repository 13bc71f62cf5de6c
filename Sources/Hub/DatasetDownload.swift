// The paper preset's datasets from their homes, checked as torchvision checks them (the
// archive's md5) before anything is unpacked: Food-101 (ETH Zurich's tarball, 5 GB) into
// DIR/food-101/{images,meta}, CIFAR-10's binary version into DIR/cifar-10-batches-bin. The
// unpacked folder appears whole, by one rename, or not at all; the archive is then removed, and
// `<folder>.download.json` beside it records where it came from and its md5.
import Common
import Foundation

public struct DatasetSource: Sendable {
    public var name: String
    public var url: String
    public var md5: String
    /// The folder the archive holds, and what that folder must contain.
    public var folder: String
    public var contents: [String]

    public static let food101 = DatasetSource(name: "food101", url: "https://data.vision.ee.ethz.ch/cvl/food-101.tar.gz",
                                              md5: "85eeb15f3717b99a5da872d97d918f87", folder: "food-101", contents: ["images", "meta"])
    public static let cifar10 = DatasetSource(name: "cifar10", url: "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz",
                                              md5: "c32a1d4ab5d03f1284b67883e8d87530", folder: "cifar-10-batches-bin",
                                              contents: ["data_batch_1.bin", "test_batch.bin", "batches.meta.txt"])

    public static func named(_ name: String) -> DatasetSource? { [food101, cifar10].first { $0.name == name } }

    /// The same dataset from another address (a mirror, a test server), with its md5 when given.
    public func from(url: String?, md5: String?) -> DatasetSource {
        var source = self
        if let url { source.url = url }
        if let md5 { source.md5 = md5.lowercased() }
        return source
    }
}

public enum DatasetDownload {
    struct Record: Codable { let url: String; let md5: String }

    /// Fetches, verifies and unpacks `source` into `directory`; returns `directory/<folder>`. A
    /// folder already unpacked from an archive of the same md5 is kept as it is.
    @discardableResult
    public static func run(_ source: DatasetSource, to directory: URL, settings: TransferSettings = TransferSettings()) throws -> URL {
        let folder = directory.appendingPathComponent(source.folder)
        let recordURL = directory.appendingPathComponent(source.folder + ".download.json")
        if let data = try? Data(contentsOf: recordURL), let record = try? JSONDecoder().decode(Record.self, from: data),
           record.md5 == source.md5, isUnpacked(folder, source) {
            if !settings.quiet { ProgressLine.emit("\(source.name): complete in \(folder.path)\n") }
            return folder
        }
        let archive = directory.appendingPathComponent(source.folder + ".tar.gz")  // libarchive reads it by its content
        let givenBy = source.md5 == DatasetSource.named(source.name)?.md5 ? "the published md5 is" : "--md5 gave"
        let expected = ExpectedFile(name: source.url, size: nil, algorithm: .md5, digest: source.md5, advertisedBy: givenBy)
        try VerifiedTransfer.fetch(source.url, to: archive, expected: expected, credential: nil, settings: settings)
        if !settings.quiet { ProgressLine.emit("\(source.name): md5 verified, unpacking \(archive.lastPathComponent)\n") }
        let staging = directory.appendingPathComponent(".\(source.folder).unpacking")
        try? FileManager.default.removeItem(at: staging)
        try ArchiveUnpacking.unpack(archive, into: staging)
        defer { try? FileManager.default.removeItem(at: staging) }
        let unpacked = staging.appendingPathComponent(source.folder)
        guard isUnpacked(unpacked, source) else {
            throw ChapterError("\(archive.path): holds no \(source.folder)/ with \(source.contents.joined(separator: ", ")); not the \(source.name) archive")
        }
        try? FileManager.default.removeItem(at: folder)
        guard rename(unpacked.path, folder.path) == 0 else {
            throw ChapterError("\(folder.path): cannot be put in place (\(String(cString: strerror(errno))))")
        }
        try writeAtomically(try JSONEncoder().encode(Record(url: source.url, md5: source.md5)), to: recordURL)
        try FileManager.default.removeItem(at: archive)
        if !settings.quiet { ProgressLine.emit("\(source.name): unpacked to \(folder.path)\n") }
        return folder
    }

    static func isUnpacked(_ folder: URL, _ source: DatasetSource) -> Bool {
        source.contents.allSatisfy { FileManager.default.fileExists(atPath: folder.appendingPathComponent($0).path) }
    }
}
