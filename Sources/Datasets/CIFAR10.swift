import Foundation
import Imaging

/// CIFAR-10 in its binary distribution (cifar-10-batches-bin): data_batch_1..5.bin train,
/// test_batch.bin tests; each record is one label byte then 32x32 R, G and B planes.
/// batches.meta.txt names the classes, one a line.
public struct CIFAR10: Sendable {
    public static let side = 32
    static let recordSize = 1 + 3 * side * side

    public let classNames: [String]
    public let train: CIFAR10Dataset
    public let test: CIFAR10Dataset

    /// `upscaledTo` is the side the images are served at, bilinear as the single-block
    /// baseline fed CIFAR-10 to a 224-pixel ViT; nil serves the native 32x32.
    public init(directory: URL, upscaledTo side: Int? = 224) throws {
        let metaFile = directory.appendingPathComponent("batches.meta.txt")
        guard let meta = FileManager.default.contents(atPath: metaFile.path) else { throw DatasetError.missingFile(metaFile.path) }
        let names = String(decoding: meta, as: UTF8.self).split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !names.isEmpty else { throw DatasetError.malformed(file: metaFile.path, line: 1, reason: "no class names") }
        classNames = names
        let trainFiles = (1...5).map { directory.appendingPathComponent("data_batch_\($0).bin") }
        train = try CIFAR10Dataset(classNames: names, records: Self.records(in: trainFiles, classCount: names.count), side: side)
        test = try CIFAR10Dataset(classNames: names, records: Self.records(in: [directory.appendingPathComponent("test_batch.bin")],
                                                                           classCount: names.count), side: side)
    }

    /// The files' records back to back (60,000 records are 184 MB: small enough to keep).
    private static func records(in files: [URL], classCount: Int) throws -> [UInt8] {
        var all: [UInt8] = []
        for file in files {
            guard let data = FileManager.default.contents(atPath: file.path) else { throw DatasetError.missingFile(file.path) }
            all.append(contentsOf: try checkedRecords(data, file: file.path, classCount: classCount))
        }
        return all
    }

    /// One batch file's bytes, checked to be whole records whose labels name one of `classCount` classes.
    static func checkedRecords(_ data: Data, file: String, classCount: Int) throws -> Data {
        guard !data.isEmpty, data.count % recordSize == 0 else {
            throw DatasetError.corruptImage(file: file, reason: "\(data.count) bytes is not a whole number of \(recordSize)-byte CIFAR-10 records")
        }
        for record in stride(from: 0, to: data.count, by: recordSize) where Int(data[data.startIndex + record]) >= classCount {
            throw DatasetError.malformed(file: file, line: record / recordSize + 1,
                                         reason: "label \(data[data.startIndex + record]) but batches.meta.txt names \(classCount) classes")
        }
        return data
    }
}

/// One of CIFAR-10's two parts as a `Dataset`.
public struct CIFAR10Dataset: Dataset {
    public let classNames: [String]
    let records: [UInt8]
    let side: Int?

    public var count: Int { records.count / CIFAR10.recordSize }

    public func label(at index: Int) -> Int { Int(records[index * CIFAR10.recordSize]) }

    public func image(at index: Int) throws -> Image {
        let plane = CIFAR10.side * CIFAR10.side
        let pixels = [UInt8](unsafeUninitializedCapacity: 3 * plane) { rgb, initialized in
            records.withUnsafeBufferPointer { records in
                let planes = records.baseAddress! + index * CIFAR10.recordSize + 1
                for pixel in 0..<plane {
                    rgb[3 * pixel] = planes[pixel]
                    rgb[3 * pixel + 1] = planes[plane + pixel]
                    rgb[3 * pixel + 2] = planes[2 * plane + pixel]
                }
            }
            initialized = 3 * plane
        }
        let native = Image(width: CIFAR10.side, height: CIFAR10.side, pixels: pixels)
        guard let side, side != CIFAR10.side else { return native }
        return native.resized(width: side, height: side, filter: .bilinear)
    }
}
