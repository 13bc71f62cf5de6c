import Foundation
import Testing
@testable import Imaging

@Suite struct ImageProcessorTests {
    static let availableCases = Fixtures.goldens.pixel_values.filter { $0.shared == nil || Fixtures.sampleAvailable }

    @Test("pixel_values match Hugging Face's slow processors", arguments: availableCases)
    func matchesHuggingFace(_ golden: Goldens.PixelValues) throws {
        let processor = try ImageProcessor(contentsOf: Fixtures.url(golden.config))
        let image: Image
        if let fixture = golden.fixture {
            image = try Image(contentsOf: Fixtures.url(fixture))
        } else {
            image = try Image(contentsOf: Fixtures.sharedURL(try #require(golden.shared)))
        }
        let values = processor.pixelValues(image)

        let expected = try expectedValues(golden)
        #expect([3, processor.outputSize.height, processor.outputSize.width] == golden.shape)
        #expect(values.count == expected.count)
        let difference = maxAbsDifference(values, expected)
        #expect(difference <= 1e-6, "max |difference| \(difference)")
    }

    /// HF's pixel_values, rebuilt from the stored 8-bit codes and HF's own value table.
    private func expectedValues(_ golden: Goldens.PixelValues) throws -> [Float] {
        let table = try #require(Fixtures.goldens.value_tables[golden.config])
        let codes = try Image(contentsOf: Fixtures.url(golden.codes))
        let plane = codes.width * codes.height
        var values = [Float](repeating: .nan, count: 3 * plane)
        for i in 0..<plane {
            for c in 0..<3 {
                values[c * plane + i] = table[c][Int(codes.pixels[3 * i + c])]
            }
        }
        return values
    }

    @Test("batched pixel_values of the whole Food-101 sample are HF's, bit for bit",
          .enabled(if: Fixtures.sampleAvailable, Fixtures.sampleNotice))
    func matchesHuggingFaceOnSample() throws {
        let sample = Fixtures.goldens.sample
        let images = try sample.map { try Image(contentsOf: Fixtures.sharedURL($0.image)) }
        let checks: [(ImageProcessor, KeyPath<Goldens.SampleImage, UInt32>)] = [(.clip, \.clip), (.vit, \.vit)]
        for (processor, checksum) in checks {
            let batch = processor.pixelValues(images)
            let perImage = 3 * processor.outputSize.height * processor.outputSize.width
            #expect(batch.count == images.count * perImage)
            for (i, golden) in sample.enumerated() {
                let values = Array(batch[i * perImage..<(i + 1) * perImage])
                #expect(crc32(values) == golden[keyPath: checksum], "\(processor.kind) \(golden.image)")
            }
        }
    }

    @Test func hubConfigsAreTheNamedProcessors() throws {
        #expect(try ImageProcessor(contentsOf: Fixtures.url("configs/clip-vit-base-patch32.json")) == .clip)
        #expect(try ImageProcessor(contentsOf: Fixtures.url("configs/vit-base-patch16-224.json")) == .vit)
        #expect(ImageProcessor.clip.outputSize == (224, 224))
        #expect(ImageProcessor.vit.outputSize == (224, 224))
    }

    @Test func decodesConfigsSavedByTransformers() throws {
        let clip = try ImageProcessor(contentsOf: Fixtures.url("configs/clip-small.json"))
        #expect(clip.size == .shortestEdge(40) && clip.resample == .lanczos && clip.doCenterCrop)
        #expect(clip.outputSize == (48, 36))
        let vit = try ImageProcessor(contentsOf: Fixtures.url("configs/vit-small.json"))
        #expect(vit.size == .exact(height: 30, width: 50) && vit.resample == .hamming)
        #expect(vit.imageMean == [0.75, 0.75, 0.75] && vit.imageStd == [0.6, 0.6, 0.6] && !vit.doConvertRGB)
    }

    @Test("written configs read back the same",
          arguments: ["clip-vit-base-patch32.json", "vit-base-patch16-224.json", "clip-small.json", "vit-small.json"])
    func configRoundTrips(_ name: String) throws {
        let processor = try ImageProcessor(contentsOf: Fixtures.url("configs/\(name)"))
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("preprocessor_config.json")
        try processor.write(to: file)
        #expect(try ImageProcessor(contentsOf: file) == processor)
    }

    @Test func invalidConfigsThrowNamingTheFile() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let cases = [
            #"{"image_processor_type": "CLIPImageProcessor", "do_center_crop": false}"#,
            #"{"image_processor_type": "SiglipImageProcessor"}"#,
            #"{"size": 224}"#,
            #"{"image_processor_type": "ViTImageProcessor", "size": {"shortest_edge": 224}}"#,
            #"{"image_processor_type": "ViTImageProcessor", "image_mean": [0.5, 0.5]}"#,
            #"{"image_processor_type": "ViTImageProcessor", "resample": 9}"#,
            #"{"image_processor_type": "CLIPImageProcessor", "size": "large"}"#,
            #"{"image_processor_type": "#,
        ]
        for (i, json) in cases.enumerated() {
            let file = directory.appendingPathComponent("config\(i).json")
            try Data(json.utf8).write(to: file)
            let error = #expect(throws: ImagingError.self, "\(json)") { try ImageProcessor(contentsOf: file) }
            guard case let .invalidProcessorConfig(named, _)? = error else { continue }
            #expect(named == file.path)
        }
        let missing = directory.appendingPathComponent("missing.json")
        #expect(throws: ImagingError.invalidProcessorConfig(file: missing.path, reason: "no such file")) {
            try ImageProcessor(contentsOf: missing)
        }
        #expect(throws: ImagingError.invalidProcessorConfig(file: "in memory", reason: "unsupported image processor type SiglipImageProcessor")) {
            try ImageProcessor(jsonData: Data(cases[1].utf8), file: "in memory")
        }
    }

    @Test func emptyBatchIsEmpty() {
        #expect(ImageProcessor.clip.pixelValues([Image]()).isEmpty)
    }
}
