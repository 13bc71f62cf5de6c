import Foundation
import Testing
@testable import Imaging

/// scripts/goldens/random_resized_crop.py's record: Pillow's crop then bicubic resize.
struct RandomResizedCropGoldens: Decodable {
    struct Case: Decodable, CustomTestStringConvertible {
        let top, left, height, width: Int
        let output_width, output_height: Int
        let rgb: String
        var testDescription: String { "box \(width)x\(height) at (\(left), \(top)) -> \(output_width)x\(output_height)" }
    }

    let source: String
    let cases: [Case]

    static let loaded: RandomResizedCropGoldens = {
        do {
            return try JSONDecoder().decode(RandomResizedCropGoldens.self, from: Data(contentsOf: Fixtures.url("random-resized-crop.json")))
        } catch {
            fatalError("cannot read \(Fixtures.url("random-resized-crop.json").path): \(error)")
        }
    }()
}

@Suite struct RandomResizedCropTests {
    @Test("crop then bicubic resize is Pillow's, bit for bit", arguments: RandomResizedCropGoldens.loaded.cases)
    func cropResizeMatchesPillow(_ golden: RandomResizedCropGoldens.Case) throws {
        let source = try Image(contentsOf: Fixtures.url(RandomResizedCropGoldens.loaded.source))
        let box = RandomResizedCrop.Box(top: golden.top, left: golden.left, height: golden.height, width: golden.width)
        let output = source.resizedCrop(box, width: golden.output_width, height: golden.output_height, filter: .bicubic)
        #expect(output.width == golden.output_width && output.height == golden.output_height)
        #expect(maxAbsDifference(output.pixels, [UInt8](Data(base64Encoded: golden.rgb)!)) == 0)
    }

    @Test("boxes fit the image, cover 8% to 100% of it at ratios in [3/4, 4/3], placed uniformly")
    func boxesFollowTimmsDistribution() {
        let crop = RandomResizedCrop(width: 32, height: 32)
        var generator = SplitMix(state: 11)
        var areas = [Double](), placements = [Double]()
        for _ in 0..<20_000 {
            let box = crop.box(imageWidth: 97, imageHeight: 61, using: &generator)
            #expect(box.top >= 0 && box.left >= 0 && box.top + box.height <= 61 && box.left + box.width <= 97)
            areas.append(Double(box.width * box.height) / Double(97 * 61))
            let aspect = Double(box.width) / Double(box.height)
            if box.width > 8 && box.height > 8 { #expect(aspect > 0.75 * 0.85 && aspect < 4.0 / 3 / 0.85, "\(box)") }
            if box.width < 97 { placements.append(Double(box.left) / Double(97 - box.width)) }
        }
        #expect(areas.min()! >= 0.06 && areas.max()! <= 1)
        // The kept areas lean small (a large box at a ratio far from the image's does not fit);
        // on a square image the log aspect ratios are symmetric about 0.
        let mean = areas.reduce(0, +) / Double(areas.count)
        #expect(mean > 0.3 && mean < 0.5, "mean area fraction \(mean)")
        var logAspects = [Double]()
        for _ in 0..<20_000 {
            let box = crop.box(imageWidth: 64, imageHeight: 64, using: &generator)
            logAspects.append(log(Double(box.width) / Double(box.height)))
        }
        #expect(abs(logAspects.reduce(0, +) / Double(logAspects.count)) < 0.01)
        let placement = placements.reduce(0, +) / Double(placements.count)
        #expect(abs(placement - 0.5) < 0.02, "left edges uniform over the room left: mean position \(placement)")
    }

    @Test("after 10 misses it falls back to the central crop at the nearest ratio in range")
    func fallsBackToCentralCrop() {
        var generator = SplitMix(state: 5)
        // 400 x 20: no box of 8% or more of the area fits the height at ratio <= 4/3.
        let wide = RandomResizedCrop(width: 8, height: 8).box(imageWidth: 400, imageHeight: 20, using: &generator)
        #expect(wide == RandomResizedCrop.Box(top: 0, left: (400 - 27) / 2, height: 20, width: 27))
        let tall = RandomResizedCrop(width: 8, height: 8).box(imageWidth: 20, imageHeight: 400, using: &generator)
        #expect(tall == RandomResizedCrop.Box(top: (400 - 27) / 2, left: 0, height: 27, width: 20))
    }
}
