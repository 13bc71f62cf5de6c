import Foundation
import Testing
@testable import Imaging

@Suite struct ResizeTests {
    static let resizeGoldens = try! Fixtures.bytes("resize.bin")
    static let cropGoldens = try! Fixtures.bytes("crop.bin")

    @Test("resize is Pillow's, bit for bit", arguments: Fixtures.goldens.resize)
    func resizesLikePillow(_ golden: Goldens.Resize) throws {
        let source = try Image(contentsOf: Fixtures.url(golden.source))
        let filter = try #require(ResampleFilter(rawValue: golden.filter))
        let resized = source.resized(width: golden.width, height: golden.height, filter: filter)
        let expected = Array(Self.resizeGoldens[golden.offset..<golden.offset + golden.length])
        #expect(resized.width == golden.width && resized.height == golden.height)
        #expect(maxAbsDifference(resized.pixels, expected) == 0)
    }

    @Test("any window of a resize equals the same part of the whole resize")
    func windowsMatchWholeResize() throws {
        let source = try Image(contentsOf: Fixtures.url("noise_300x200.png"))
        for filter in ResampleFilter.allCases {
            for (width, height) in [(120, 80), (300, 90), (90, 200), (400, 250)] {
                let whole = source.resized(width: width, height: height, filter: filter)
                let columns = width / 5..<width * 3 / 4, rows = height / 3..<height - 1
                let window = source.resampledWindow(width: width, height: height, filter: filter,
                                                    columns: columns, rows: rows)
                var expected = [UInt8]()
                for y in rows {
                    expected += whole.pixels[(y * width + columns.lowerBound) * 3..<(y * width + columns.upperBound) * 3]
                }
                #expect(window == expected, "\(filter) \(width)x\(height)")
            }
        }
    }

    @Test func sameSizeIsACopy() throws {
        let source = try Image(contentsOf: Fixtures.url("gradient_97x61.png"))
        #expect(source.resized(width: 97, height: 61, filter: .lanczos) == source)
    }

    @Test("center crop is transformers' center_crop, padding included", arguments: Fixtures.goldens.crop)
    func cropsLikeTransformers(_ golden: Goldens.Crop) throws {
        let source = try Image(contentsOf: Fixtures.url(golden.source))
        let cropped = source.centerCropped(width: golden.width, height: golden.height)
        #expect(cropped.pixels == Array(Self.cropGoldens[golden.offset..<golden.offset + golden.length]))
    }
}
