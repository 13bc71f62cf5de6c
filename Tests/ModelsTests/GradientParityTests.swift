// Backward passes against PyTorch's: one encoder layer of each family, then a whole training
// step of ViT (cross-entropy) and of CLIP (contrastive loss, logit_scale included), every
// parameter's gradient compared by its Hugging Face name.
import Checkpoints
import Models
import TensorCore
import TestSupport
import Testing

/// Gradients agree to 1e-4 of the reference gradient's scale. The key projection's bias has a zero
/// gradient in exact arithmetic (softmax ignores a shift common to a row), so both sides are
/// rounding noise there: it is held to 1e-5 absolute instead.
let gradientTolerance: Float = 1e-4
let keyBiasTolerance: Float = 1e-5

/// Loads `module`'s parameters from `reference` (names prefixed by `prefix`), marks them
/// trainable, and returns them by name.
func loadTrainable(_ module: some Module, from reference: SafeTensorsFile) throws -> [(name: String, tensor: Tensor)] {
    try module.load(from: reference)
    module.setRequiresGrad(true)
    return module.namedParameters
}

/// Compares every parameter's gradient with `grad.<name>` in the reference.
func expectGradientsMatch(_ parameters: [(name: String, tensor: Tensor)], _ reference: SafeTensorsFile) throws {
    for (name, parameter) in parameters {
        let expected = try reference.tensor("grad." + name)
        guard let grad = parameter.grad else {
            Issue.record("no gradient reached \(name)")
            continue
        }
        if name.hasSuffix("k_proj.bias") || name.hasSuffix("key.bias") {
            let difference = zip(grad.scalars, expected.scalars).map { abs($0 - $1) }.max() ?? 0
            #expect(difference < keyBiasTolerance, "\(name): \(difference)")
        } else {
            let error = relativeError(grad, expected)
            #expect(error < gradientTolerance, "\(name): \(error)")
        }
    }
}

@Suite struct GradientParity {
    /// The geometry the reference script gave both layers (its metadata `config`).
    @Test(arguments: [("grad-clip-layer", EncoderLayerNames.clip, Activation.quickGelu, Float(1e-5)),
                      ("grad-vit-layer", EncoderLayerNames.vit, Activation.gelu, Float(1e-12))])
    func encoderLayer(file: String, names: EncoderLayerNames, activation: Activation, eps: Float) throws {
        let reference = try SafeTensorsFile(contentsOf: Fixtures.url("models/\(file).safetensors"))
        let layer = EncoderLayer(
            EncoderGeometry(width: 32, depth: 1, heads: 4, mlpWidth: 64, activation: activation, layerNormEps: eps),
            names: names)
        let parameters = try loadTrainable(layer, from: reference)
        let x = try reference.tensor("x")
        x.requiresGrad = true
        let out = GradMode.with(enabled: true) {
            let out = layer(x)
            (out * (try! reference.tensor("g"))).sum().backward()
            return out
        }
        #expect(relativeError(out, try reference.tensor("out")) < forwardTolerance)
        #expect(relativeError(x.grad!, try reference.tensor("grad.x")) < gradientTolerance)
        try expectGradientsMatch(parameters, reference)
    }

    @Test func vitClassificationStep() throws {
        let checkpoint = try Checkpoint(directory: Fixtures.url("models/vit-grad"))
        let model = try ViTForImageClassification(try checkpoint.config(ViTConfig.self))
        try model.load(from: checkpoint)
        model.setRequiresGrad(true)
        let reference = try SafeTensorsFile(contentsOf: Fixtures.url("models/grad-vit-step.safetensors"))
        let labels = try reference.tensor("labels").scalars.map { Int($0) }
        let loss = GradMode.with(enabled: true) {
            let loss = crossEntropy(model(try! reference.tensor("pixel_values")), labels: labels)
            loss.backward()
            return loss
        }
        #expect(relativeError([loss.item], [try reference.tensor("loss").item]) < forwardTolerance)
        try expectGradientsMatch(model.namedParameters, reference)
    }

    @Test func clipContrastiveStep() throws {
        let checkpoint = try Checkpoint(directory: Fixtures.url("models/clip-grad"))
        let model = try CLIPModel(try checkpoint.config(CLIPConfig.self))
        try model.load(from: checkpoint)
        model.setRequiresGrad(true)
        let reference = try SafeTensorsFile(contentsOf: Fixtures.url("models/grad-clip-step.safetensors"))
        let tokens = try tokenBatch(reference)
        let loss = GradMode.with(enabled: true) {
            let loss = model.contrastiveLoss(try! reference.tensor("pixel_values"), tokens)
            loss.backward()
            return loss
        }
        #expect(relativeError([loss.item], [try reference.tensor("loss").item]) < forwardTolerance)
        try expectGradientsMatch(model.namedParameters, reference)
    }
}
