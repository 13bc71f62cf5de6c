// Files in, logits out: decoding, preprocessing, tokenising and the model together, against
// transformers' CLIPProcessor + CLIPModel and ViTImageProcessor + ViTForImageClassification on
// the same files (Tests/Fixtures/models/end-to-end.json). PNGs must agree to 1e-4 of the logits'
// scale; the real Food-101 JPEGs (512 px, decoded by libjpeg-turbo on both sides) to 5e-3 and
// with the same top-1 label.
import Foundation
import Models
import TestSupport
import Testing

struct EndToEndGoldens: Decodable {
    struct Case: Decodable {
        struct Scores: Decodable { var logitsPerImage: [Float]?; var logits: [Float]?; var label: String }
        var path: String
        var base: String
        var clip: Scores
        var vit: Scores
    }
    struct CLIPPart: Decodable { var template: String; var labels: [String]; var inputIds: [[Int]] }
    var clip: CLIPPart
    var images: [Case]

    static func load() throws -> EndToEndGoldens {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(Self.self, from: Data(contentsOf: Fixtures.url("models/end-to-end.json")))
    }

    /// The images that are present (the JPEGs live in ../shared), with their goldens.
    func available() -> [(url: URL, isJPEG: Bool, golden: Case)] {
        images.compactMap { item in
            let url = item.base == "fixtures" ? Fixtures.url("models/" + item.path)
                : Fixtures.shared(String(item.path.dropFirst("shared/".count)))
            return url.map { ($0, item.path.hasSuffix(".jpg"), item) }
        }
    }
}

func tolerance(isJPEG: Bool) -> Float { isJPEG ? 5e-3 : 1e-4 }

func argmax(_ values: [Float]) -> Int { values.indices.max { values[$0] < values[$1] }! }

@Suite struct EndToEnd {
    let goldens: EndToEndGoldens

    init() throws { goldens = try EndToEndGoldens.load() }

    @Test func zeroShotCLIPOnFiles() throws {
        let classifier = try ZeroShotClassifier(checkpoint: Fixtures.url("models/clip"))
        #expect(goldens.clip.labels.map { classifier.tokenizer.encode(goldens.clip.template.replacingOccurrences(of: "{}", with: $0)) }
                == goldens.clip.inputIds.map { Array($0.prefix { $0 != 49407 }) + [49407] })
        let classes = classifier.classEmbeddings(goldens.clip.labels, prompts: PromptTemplates(name: "template", templates: [goldens.clip.template], source: "given"))
        let cases = goldens.available()
        let logits = try classifier.logitsPerImage(cases.map(\.url), classes: classes)
        for (item, row) in zip(cases, logits) {
            let expected = item.golden.clip.logitsPerImage!
            #expect(relativeError(row, expected) < tolerance(isJPEG: item.isJPEG), "\(item.url.lastPathComponent)")
            #expect(goldens.clip.labels[argmax(row)] == item.golden.clip.label, "\(item.url.lastPathComponent)")
        }
    }

    @Test func vitClassificationOnFiles() throws {
        let classifier = try ImageClassifier(checkpoint: Fixtures.url("models/vit"))
        let cases = goldens.available()
        let logits = try classifier.logits(cases.map(\.url))
        for (item, row) in zip(cases, logits) {
            #expect(relativeError(row, item.golden.vit.logits!) < tolerance(isJPEG: item.isJPEG), "\(item.url.lastPathComponent)")
            #expect(classifier.labels[argmax(row)] == item.golden.vit.label, "\(item.url.lastPathComponent)")
        }
    }
}
