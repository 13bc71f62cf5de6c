// The ft-clip and huggingface classifiers against PyTorch: one cross-entropy step on the image
// tower of the clip-grad fixture, logits, loss and every trained parameter's gradient compared
// with what scripts/goldens/models.py computed (transformers' CLIPForImageClassification, and
// FT-CLIP's fc_norm + mean + head as its code defines it).
import Checkpoints
import Models
import Recipes
import TensorCore
import TestSupport
import Testing

@Suite struct CLIPHeadParityTests {
    @Test(arguments: [CLIPFineTuningRecipe.huggingFace, .ftCLIP])
    func forwardAndGradientsMatchPyTorch(recipe: CLIPFineTuningRecipe) throws {
        let checkpoint = try Checkpoint(directory: Fixtures.url("models/clip-grad"))
        let clip = try CLIPModel(try checkpoint.config(CLIPConfig.self))
        try clip.load(from: checkpoint)
        let reference = try SafeTensorsFile(contentsOf: Fixtures.url("models/grad-clip-head-\(recipe.rawValue).safetensors"))
        let classes = try reference.tensor("classifier.bias").count
        let classifier = CLIPImageClassifier(clip: clip, recipe: recipe, classEmbeddings: Tensor(zeros: [classes, clip.config.projectionDim]))
        // The head (and fc_norm) as the reference drew them.
        for (name, tensor) in classifier.namedParameters where name.hasPrefix("classifier.") || name.hasPrefix("fc_norm.") {
            let stored = try reference.tensor(name, shape: tensor.shape)
            tensor.pointer.update(from: stored.pointer, count: tensor.count)
        }
        let parameters = classifier.namedParameters
        for (_, tensor) in parameters { tensor.requiresGrad = true }

        let labels = try reference.tensor("labels").scalars.map { Int($0) }
        let (logits, loss) = GradMode.with(enabled: true) {
            let logits = classifier(try! reference.tensor("pixel_values"))
            let loss = crossEntropy(logits, labels: labels)
            loss.backward()
            return (logits, loss)
        }
        #expect(relativeError(logits, try reference.tensor("logits")) < 1e-5)
        #expect(relativeError([loss.item], [try reference.tensor("loss").item]) < 1e-5)
        #expect(parameters.count > 30)
        for (name, parameter) in parameters {
            let expected = try reference.tensor("grad." + name)
            let grad = try #require(parameter.grad, "no gradient reached \(name)")
            if name.hasSuffix("k_proj.bias") {
                // Zero in exact arithmetic (softmax ignores a common shift): rounding noise on both sides.
                #expect(zip(grad.scalars, expected.scalars).map { abs($0 - $1) }.max()! < 1e-5, "\(name)")
            } else {
                #expect(relativeError(grad, expected) < 1e-4, "\(name): \(relativeError(grad, expected))")
            }
        }
    }
}
