// Images that must be refused with one error naming the file, before any large allocation:
// decompression bombs (by the header's dimensions), empty and truncated files, 16-bit PNGs.
import Foundation
import Testing
@testable import Imaging

@Suite struct HostileImageTests {
    /// rgb420_97x61.jpg with its frame header rewritten to claim 65000 x 65000 pixels (4.2 billion,
    /// 12.7 GB of RGB): libjpeg would allocate all of it and decode grey into it.
    static let jpegBomb = "bomb_65000x65000.jpg"

    @Test func aJPEGClaimingTooManyPixelsIsRefusedByItsHeader() throws {
        let file = Fixtures.url(Self.jpegBomb)
        #expect(throws: ImagingError.tooManyPixels(file: file.path, width: 65000, height: 65000, limit: Image.maximumPixels)) {
            try Image(contentsOf: file)
        }
    }

    @Test func aPNGClaimingTooManyPixelsIsRefusedByItsHeader() throws {
        let bomb = pngBytes(width: 100_000, height: 100_000, bitDepth: 8, colourType: 0, rows: [])
        #expect(throws: ImagingError.tooManyPixels(file: "bomb.png", width: 100_000, height: 100_000, limit: Image.maximumPixels)) {
            try Image(encoded: bomb, name: "bomb.png")
        }
    }

    @Test func theLimitIsPillowsMaxImagePixels() throws {
        #expect(Image.maximumPixels == 89_478_485)
        #expect(throws: Never.self) { try Image.checkDimensions(width: 89_478_485, height: 1, name: "edge") }
        #expect(throws: ImagingError.tooManyPixels(file: "edge", width: 9460, height: 9460, limit: Image.maximumPixels)) {
            try Image.checkDimensions(width: 9460, height: 9460, name: "edge")
        }
        #expect(throws: ImagingError.tooManyPixels(file: "overflow", width: Int.max, height: Int.max, limit: Image.maximumPixels)) {
            try Image.checkDimensions(width: Int.max, height: Int.max, name: "overflow")
        }
    }

    @Test func aPNGWithNoPixelsIsRefused() throws {
        #expect(throws: ImagingError.badDimensions(file: "flat.png", width: 0, height: 4)) {
            try Image(encoded: pngBytes(width: 0, height: 4, bitDepth: 8, colourType: 0, rows: []), name: "flat.png")
        }
    }

    @Test func aZeroByteFileIsNotAnImage() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("empty.jpg")
        try Data().write(to: file)
        #expect(throws: ImagingError.unsupportedFormat(file: file.path)) { try Image(contentsOf: file) }
    }

    @Test func aPNGCutInsideItsHeaderIsCorrupt() throws {
        let png = pngBytes(width: 2, height: 2, bitDepth: 8, colourType: 0, rows: [[1, 2], [3, 4]])
        #expect(throws: ImagingError.corruptPNG(file: "cut.png", reason: "no IHDR chunk at the start")) {
            try Image(encoded: png.prefix(20), name: "cut.png")
        }
    }

    @Test(arguments: [0, 2])
    func sixteenBitPNGsAreRefused(colourType: UInt8) throws {
        let channels = colourType == 2 ? 3 : 1
        let row = [UInt8](repeating: 0x80, count: 2 * 2 * channels)
        let png = pngBytes(width: 2, height: 2, bitDepth: 16, colourType: colourType, rows: [row, row])
        #expect(throws: ImagingError.unsupportedPixelFormat(file: "deep.png", reason: "16-bit PNG; save it with 8 bits per channel")) {
            try Image(encoded: png, name: "deep.png")
        }
    }

    @Test("an 8-bit grey PNG made here decodes to grey RGB, so the helper writes valid PNGs")
    func eightBitGreyPNGDecodes() throws {
        let png = pngBytes(width: 2, height: 2, bitDepth: 8, colourType: 0, rows: [[10, 20], [30, 40]])
        let image = try Image(encoded: png, name: "grey.png")
        #expect(image.pixels == [10, 10, 10, 20, 20, 20, 30, 30, 30, 40, 40, 40])
    }
}

/// A PNG with the given IHDR and unfiltered rows, compressed as stored (uncompressed) deflate blocks.
func pngBytes(width: Int, height: Int, bitDepth: UInt8, colourType: UInt8, rows: [[UInt8]]) -> Data {
    func bigEndian(_ value: Int) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> (24 - 8 * $0)) } }
    func chunk(_ type: String, _ body: [UInt8]) -> [UInt8] {
        let typed = Array(type.utf8) + body
        return bigEndian(body.count) + typed + bigEndian(Int(crc32(typed) as UInt32))
    }
    let raw: [UInt8] = rows.flatMap { [UInt8(0)] + $0 }  // filter type 0 before each row
    let length = UInt16(raw.count)
    // zlib header, then one final stored block: its length and the length's complement, little-endian.
    var zlib: [UInt8] = [0x78, 0x01, 0x01]
    zlib += [UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8(~length >> 8)]
    zlib += raw
    var a = 1, b = 0
    for byte in raw {
        a = (a + Int(byte)) % 65521
        b = (b + a) % 65521
    }
    zlib += bigEndian(b << 16 | a)
    let header: [UInt8] = bigEndian(width) + bigEndian(height) + [bitDepth, colourType, 0, 0, 0]
    let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    var png = signature + chunk("IHDR", header)
    png += chunk("IDAT", zlib)
    png += chunk("IEND", [])
    return Data(png)
}
