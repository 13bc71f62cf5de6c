import Foundation
import Testing
@testable import Imaging

@Suite struct DecodingTests {
    static let opaqueFixtures = Fixtures.goldens.decode.filter { $0.alpha == nil }

    @Test("decodes exactly as Pillow's Image.open(...).convert(\"RGB\")", arguments: opaqueFixtures)
    func decodesLikePillow(_ golden: Goldens.Decode) throws {
        let image = try Image(contentsOf: Fixtures.url(golden.file))
        #expect(image.width == golden.width && image.height == golden.height)
        if let raw = golden.rgb {
            let expected = try Fixtures.bytes(raw)
            #expect(maxAbsDifference(image.pixels, expected) == 0)
        }
        #expect(crc32(image.pixels) == golden.crc32)
    }

    @Test("PNG alpha: opaque pixels exact, translucent ones within what premultiplying keeps")
    func decodesAlphaPNG() throws {
        let golden = try #require(Fixtures.goldens.decode.first { $0.alpha != nil })
        let image = try Image(contentsOf: Fixtures.url(golden.file))
        let expected = try Fixtures.bytes(try #require(golden.rgb))
        let alpha = try Fixtures.bytes(try #require(golden.alpha))
        var worst = [Int](repeating: 0, count: 256)
        for (i, a) in alpha.enumerated() {
            for c in 0..<3 {
                let difference = abs(Int(image.pixels[3 * i + c]) - Int(expected[3 * i + c]))
                worst[Int(a)] = max(worst[Int(a)], difference)
            }
        }
        #expect(worst[255] == 0)
        for a in 1..<255 {
            // Premultiplied storage keeps a + 1 levels per channel: at most half a step of 255 / a is lost.
            #expect(worst[a] <= (255 + a) / (2 * a), "alpha \(a)")
        }
    }

    @Test("decodes all of the Food-101 sample exactly as Pillow",
          .enabled(if: Fixtures.sampleAvailable, Fixtures.sampleNotice))
    func decodesSampleLikePillow() throws {
        for golden in Fixtures.goldens.sample {
            let image = try Image(contentsOf: Fixtures.sharedURL(golden.image))
            #expect(crc32(image.pixels) == golden.rgb, "\(golden.image)")
        }
    }

    @Test func decodesFromMemory() throws {
        let url = Fixtures.url("rgb420_97x61.jpg")
        #expect(try Image(encoded: Data(contentsOf: url), name: "in memory") == Image(contentsOf: url))
    }

    @Test("a truncated JPEG is an error naming the file, not a grey image")
    func truncatedJPEGThrows() throws {
        let data = try Data(contentsOf: Fixtures.url("rgb420_97x61.jpg"))
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("truncated.jpg")
        try data.prefix(data.count / 2).write(to: file)
        let error = #expect(throws: ImagingError.self) { try Image(contentsOf: file) }
        guard case let .corruptJPEG(named, _)? = error else {
            Issue.record("expected corruptJPEG, got \(String(describing: error))")
            return
        }
        #expect(named == file.path)
        #expect("\(error!)".contains(file.path))
    }

    @Test("a truncated real Food-101 JPEG is an error",
          .enabled(if: Fixtures.sampleAvailable, Fixtures.sampleNotice))
    func truncatedSampleJPEGThrows() throws {
        let data = try Data(contentsOf: Fixtures.sharedURL(try #require(Fixtures.goldens.sample.first).image))
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("food.jpg")
        try data.prefix(data.count * 3 / 4).write(to: file)
        let error = #expect(throws: ImagingError.self) { try Image(contentsOf: file) }
        #expect(error.map { "\($0)" }?.contains(file.path) == true)
    }

    @Test func truncatedPNGThrows() throws {
        let data = try Data(contentsOf: Fixtures.url("gradient_97x61.png"))
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("truncated.png")
        try data.prefix(data.count / 2).write(to: file)
        let error = #expect(throws: ImagingError.self) { try Image(contentsOf: file) }
        guard case let .corruptPNG(named, _)? = error else {
            Issue.record("expected corruptPNG, got \(String(describing: error))")
            return
        }
        #expect(named == file.path)
    }

    @Test func unknownFormatAndMissingFileThrow() throws {
        #expect(throws: ImagingError.unsupportedFormat(file: "notes.txt")) {
            try Image(encoded: Data("not an image".utf8), name: "notes.txt")
        }
        let missing = Fixtures.url("no-such-image.jpg")
        let error = #expect(throws: ImagingError.self) { try Image(contentsOf: missing) }
        #expect(error.map { "\($0)" }?.contains(missing.path) == true)
    }

    @Test("writePNG round-trips, replacing an existing file without leaving temporaries")
    func writePNGRoundTrips() throws {
        let original = try Image(contentsOf: Fixtures.url("noise_300x200.png"))
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("out.png")
        try Image(width: 1, height: 1, pixels: [1, 2, 3]).writePNG(to: file)
        try original.writePNG(to: file)
        #expect(try Image(contentsOf: file) == original)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["out.png"])
    }

    @Test func writePNGIntoMissingDirectoryThrows() throws {
        let file = Fixtures.url("no-such-directory/out.png")
        let error = #expect(throws: ImagingError.self) {
            try Image(width: 1, height: 1, pixels: [1, 2, 3]).writePNG(to: file)
        }
        #expect(error.map { "\($0)" }?.contains(file.path) == true)
    }
}
