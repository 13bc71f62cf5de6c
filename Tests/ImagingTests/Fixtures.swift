import Foundation
import Testing
@testable import Imaging

/// Locates the goldens written by scripts/goldens/imaging.py and the shared Food-101 sample.
enum Fixtures {
    static let repositoryRoot: URL = {
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
            directory.deleteLastPathComponent()
        }
        return directory
    }()

    static let directory = repositoryRoot.appendingPathComponent("Tests/Fixtures/imaging")
    static let sharedData = repositoryRoot.appendingPathComponent("../shared/data").standardizedFileURL
    static let sampleAvailable = FileManager.default.fileExists(
        atPath: sharedData.appendingPathComponent("food101-sample/images").path)
    static let sampleNotice: Comment = "needs ../shared/data/food101-sample beside the repository"

    static func url(_ relativePath: String) -> URL { directory.appendingPathComponent(relativePath) }
    static func sharedURL(_ relativePath: String) -> URL { sharedData.appendingPathComponent(relativePath) }

    static func bytes(_ relativePath: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: url(relativePath)))
    }

    static let goldens: Goldens = {
        do {
            return try JSONDecoder().decode(Goldens.self, from: Data(contentsOf: url("goldens.json")))
        } catch {
            fatalError("cannot read \(url("goldens.json").path): \(error)")
        }
    }()
}

/// The index scripts/goldens/imaging.py writes to goldens.json.
struct Goldens: Decodable {
    struct Decode: Decodable, CustomTestStringConvertible {
        let file: String
        let width: Int
        let height: Int
        let crc32: UInt32
        let rgb: String?
        let alpha: String?
        var testDescription: String { file }
    }

    struct Resize: Decodable, CustomTestStringConvertible {
        let source: String
        let filter: Int
        let width: Int
        let height: Int
        let offset: Int
        let length: Int
        var testDescription: String { "\(source) -> \(width)x\(height) filter \(filter)" }
    }

    struct Crop: Decodable, CustomTestStringConvertible {
        let source: String
        let width: Int
        let height: Int
        let offset: Int
        let length: Int
        var testDescription: String { "\(source) crop \(width)x\(height)" }
    }

    struct PixelValues: Decodable, CustomTestStringConvertible {
        let config: String
        let fixture: String?
        let shared: String?
        let codes: String
        let shape: [Int]
        var testDescription: String { "\(config) on \(fixture ?? shared ?? "?")" }
    }

    struct SampleImage: Decodable {
        let image: String
        let rgb: UInt32
        let clip: UInt32
        let vit: UInt32
    }

    let decode: [Decode]
    let resize: [Resize]
    let crop: [Crop]
    let value_tables: [String: [[Float]]]
    let pixel_values: [PixelValues]
    let sample: [SampleImage]
}

/// zlib's CRC-32, as the golden script records with `zlib.crc32`.
func crc32(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes {
        crc = crcTable[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
    }
    return crc ^ 0xFFFF_FFFF
}

func crc32<T>(_ values: [T]) -> UInt32 {
    values.withUnsafeBytes { crc32($0) }
}

private let crcTable: [UInt32] = (0..<256).map { n in
    var c = UInt32(n)
    for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
    return c
}

func maxAbsDifference(_ a: [UInt8], _ b: [UInt8]) -> Int {
    zip(a, b).reduce(0) { max($0, abs(Int($1.0) - Int($1.1))) }
}

func maxAbsDifference(_ a: [Float], _ b: [Float]) -> Float {
    zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) }
}

/// A fresh directory under the system temporary directory, for files a test writes.
func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("ImagingTests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
