// timm's eval preprocessing (torchvision on PIL images) against the pixel values timm computed,
// for the tiny checkpoints' configs, a squash crop, and the real models' 224 px configs (sampled
// at fixed positions to keep the golden small).
import Foundation
import Imaging
import Models
import TensorCore
import TestSupport
import Testing

struct PreprocessingCase: Decodable {
    var inputSize: [Int]
    var interpolation: String
    var cropPct: Double
    var cropMode: String
    var mean: [Double]
    var std: [Double]
    var sampled: Bool

    enum CodingKeys: String, CodingKey {
        case inputSize = "input_size", interpolation, cropPct = "crop_pct", cropMode = "crop_mode", mean, std, sampled
    }
}

struct PreprocessingCases: Decodable {
    var images: [String]
    var settings: [String: PreprocessingCase]
}

@Suite struct Preprocessing {
    @Test func matchesTimmsEvalTransform() throws {
        let golden = try reference("preprocessing")
        let cases = try JSONDecoder().decode(PreprocessingCases.self, from: Data(try #require(golden.metadata["cases"]).utf8))
        let images = try cases.images.map { try Image(contentsOf: Fixtures.url("imaging/\($0)")) }
        let positions = try golden.tensor("positions").scalars.map { Int($0) }
        #expect(cases.settings.count == 6)
        for (name, setting) in cases.settings.sorted(by: { $0.key < $1.key }) {
            let processor = try TimmImageProcessor(
                inputSize: (setting.inputSize[1], setting.inputSize[2]), interpolation: setting.interpolation,
                cropPercentage: setting.cropPct, cropMode: setting.cropMode, mean: setting.mean, std: setting.std)
            let pixels = processor.pixelValues(images)
            let perImage = 3 * processor.height * processor.width
            let actual = setting.sampled
                ? images.indices.flatMap { i in positions.map { pixels[i * perImage + $0] } }
                : pixels
            let expected = try golden.tensor("\(name).pixel_values").scalars
            let difference = zip(actual, expected).map { abs($0 - $1) }.max() ?? .infinity
            #expect(actual.count == expected.count && difference == 0, "\(name): \(difference)")
        }
    }

    @Test func checkpointConfigsGiveTheirProcessor() throws {
        let deit = try TimmImageProcessor(try fixtureCheckpoint("deit").config.pretrainedConfig)
        #expect(deit.outputSize == (32, 32) && deit.resample == .bicubic && deit.cropPercentage == 0.9)
        // ⌊32 / 0.9⌋ = 35 on the shorter side; torchvision's crop rounds (35 − 32) / 2 half to even.
        #expect(deit.resizedSize(height: 300, width: 200) == (52, 35))
        #expect(TimmImageProcessor.cropOffset(source: 35, crop: 32) == 2)
        #expect(TimmImageProcessor.cropOffset(source: 37, crop: 32) == 2)
        #expect(TimmImageProcessor.cropOffset(source: 30, crop: 32) == -1)
    }

    @Test func rejectsWhatItDoesNotReproduce() {
        func settings(size: (Int, Int) = (32, 32), interpolation: String = "bicubic", mode: String = "center") throws {
            _ = try TimmImageProcessor(inputSize: size, interpolation: interpolation, cropPercentage: 0.9, cropMode: mode,
                                       mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5])
        }
        #expect(throws: ImagingError.self) { try settings(interpolation: "random") }
        #expect(throws: ImagingError.self) { try settings(mode: "border") }
        #expect(throws: ImagingError.self) { try settings(size: (32, 48)) }
        #expect(throws: Never.self) { try settings(size: (32, 48), mode: "squash") }
    }
}
