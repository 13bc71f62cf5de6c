// One single-block fine-tuning step of each tiny checkpoint against timm's: the frozen trunk's
// features, the loss over 10 classes, the gradient of every trained parameter, and for DenseNet
// the running statistics that batch norm in train mode moved.
import Checkpoints
import Models
import TensorCore
import TestSupport
import Testing

@Suite struct FineTuningGradients {
    /// Runs the step on `model` (already split as the reference was) and compares everything.
    func check(_ model: any TimmClassifier, against golden: SafeTensorsFile) throws {
        model.freezeAllButFineTuned()
        let pixels = try golden.tensor("pixel_values")
        let labels = try golden.tensor("labels").scalars.map { Int($0) }
        var log = ErrorLog()
        let features = model.trunk(pixels)
        log.compare("features", features, try golden.tensor("features"))
        let (logits, loss) = GradMode.with(enabled: true) {
            let logits = model.lastBlockAndHead(features, training: true)
            let loss = crossEntropy(logits, labels: labels)
            loss.backward()
            return (logits, loss)
        }
        log.compare("logits", logits, try golden.tensor("logits"))
        log.compare("loss", loss, try golden.tensor("loss"))
        #expect(log.worst < forwardTolerance, "\(log.summary)")

        var gradients = ErrorLog()
        let trained = model.fineTunedParameters
        #expect(Set(trained.map { "grad." + $0.name }) == Set(golden.names.filter { $0.hasPrefix("grad.") }))
        for (name, parameter) in trained {
            guard let grad = parameter.grad else {
                Issue.record("no gradient reached \(name)")
                continue
            }
            let expected = try golden.tensor("grad." + name)
            if name.hasSuffix("attn.proj_l.bias") {
                // A bias common to all of a head's logits cannot change its softmax: the exact gradient
                // is 0, and both sides are rounding noise.
                let difference = zip(grad.scalars, expected.scalars).map { abs($0 - $1) }.max() ?? 0
                #expect(difference < zeroGradientTolerance, "\(name): \(difference)")
            } else {
                gradients.compare(name, grad, expected)
            }
        }
        #expect(gradients.worst < gradientTolerance, "\(gradients.summary)")
        let frozen = Set(trained.map { ObjectIdentifier($0.tensor) })
        #expect(model.parameters.allSatisfy { $0.grad == nil || frozen.contains(ObjectIdentifier($0)) })

        var statistics = ErrorLog()
        let parameters = Dictionary(uniqueKeysWithValues: model.namedParameters.map { ($0.name, $0.tensor) })
        for name in golden.names where name.hasPrefix("after.") {
            let key = String(name.dropFirst("after.".count))
            statistics.compare(key, try #require(parameters[key]), try golden.tensor(name))
        }
        #expect(statistics.worst < forwardTolerance, "\(statistics.summary)")
    }

    @Test func distilledVisionTransformer() throws {
        try check(try fixtureCheckpoint("deit").loadModel(), against: try reference("grad-deit"))
    }

    @Test func cait() throws {
        try check(try fixtureCheckpoint("cait").loadModel(), against: try reference("grad-cait"))
    }

    @Test func denseNetWithBatchStatisticsAfterTheTrunk() throws {
        let model = try #require(try fixtureCheckpoint("densenet").loadModel() as? DenseNet)
        // The tiny final block has 3 layers: train the 2nd, so that a frozen one follows it, as
        // denselayer16 of DenseNet-201's 32 in the study.
        model.fineTunedLayer = 2
        let golden = try reference("grad-densenet")
        #expect(golden.names.contains { $0.hasPrefix("after.features.denseblock4.denselayer3.") })
        try check(model, against: golden)
    }
}
