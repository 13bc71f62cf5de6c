// The study's real models, built from config.json as timm's hub repositories have it (no
// model_args): every tensor name and shape timm's state dict has, and the single-block
// fine-tuning counts against Malpure et al.'s.
import Foundation
import Models
import TestSupport
import Testing

struct RealGeometry: Decodable {
    var tensors: [String: [Int]]
    var trained: [String]
    var trainableParameters: Int
    var study: Int

    enum CodingKeys: String, CodingKey {
        case tensors, trained, trainableParameters = "trainable_parameters", study
    }
}

@Suite(.serialized) struct RealModels {
    static let summary = try! JSONDecoder().decode(
        [String: RealGeometry].self, from: Data(contentsOf: Fixtures.url("timm/real-geometry.json")))

    @Test(arguments: ["deit_base_distilled_patch16_224", "cait_s24_224", "densenet201"])
    func namesShapesAndFineTunedCount(architecture: String) throws {
        let expected = try #require(Self.summary[architecture])
        let config = try TimmConfig(contentsOf: Fixtures.url("timm/configs/\(architecture).json"))
        #expect(config.modelArgs.isEmpty)
        let model = try TimmRegistry.makeModel(config)
        let shapes = Dictionary(uniqueKeysWithValues: model.namedParameters.map { ($0.name, $0.tensor.shape) })
        #expect(shapes == expected.tensors)

        var generator = SystemRandomNumberGenerator()
        model.resetClassifier(classes: 10, using: &generator)
        let trained = model.fineTunedParameters.map(\.name)
        #expect(trained.allSatisfy { name in expected.trained.contains { name.hasPrefix($0) } })
        #expect(model.fineTunedParameterCount == expected.trainableParameters)
        // The study's counts: DeiT and DenseNet exactly; CaiT's leaves out the 10-class head.
        let head = architecture.hasPrefix("cait") ? 384 * 10 + 10 : 0
        #expect(model.fineTunedParameterCount == expected.study + head)
    }
}
