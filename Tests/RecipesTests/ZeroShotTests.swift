// Zero-shot evaluation on the random-weight CLIP fixture: the recipe's scores against a direct
// image-by-image computation, prompt ensembling, the prompt lists, and the counting itself.
import Datasets
import Common
import Results
import Training
import Foundation
import Models
import Recipes
import TensorCore
import TestSupport
import Testing

let fixtureCLIP = Fixtures.url("models/clip")
/// MiniFood's quick held-out part: 50 images of 10 classes.
let heldOutImages = MiniFood(seed: 0, sizes: .quick).heldOut

@Suite struct ZeroShotTests {
    @Test func scoresMatchADirectComputationImageByImage() throws {
        let clip = try ZeroShotClassifier(checkpoint: fixtureCLIP)
        let dataset = heldOutImages
        let score = try clip.zeroShotScores(dataset, promptSets: [.food], batchSize: 7)[0]

        // Directly: each image alone through the processor and the model, the classes through
        // the pipeline's own single-template encoder.
        let classes = clip.classEmbeddings(dataset.classNames, prompts: .food)
        let (height, width) = clip.processor.outputSize
        var rows: [Float] = []
        for index in 0..<dataset.count {
            let pixels = Tensor(shape: [1, 3, height, width], scalars: clip.processor.pixelValues(dataset.image(at: index)))
            rows += clip.model.logitsPerImage(imageEmbeddings: clip.model.imageEmbeddings(pixels), textEmbeddings: classes).scalars
        }
        let logits = Tensor(shape: [dataset.count, dataset.classNames.count], scalars: rows)
        let labels = (0..<dataset.count).map(dataset.label)
        var top1PerClass = [Int](repeating: 0, count: dataset.classNames.count)
        for (index, row) in logits.rows.enumerated() where row.firstIndex(of: row.max()!) == labels[index] {
            top1PerClass[labels[index]] += 1
        }

        #expect(score.count == dataset.count)
        #expect(score.top1Count == topKHits(logits, labels: labels, k: 1))
        #expect(score.top5Count == topKHits(logits, labels: labels, k: 5))
        #expect(score.hitsPerClass == top1PerClass)
        #expect(score.imagesPerClass == Array(repeating: 5, count: 10))
        #expect(score.accuracy.top1.value == Double(score.top1Count) / 50 && score.accuracy.top1.images == 50)
        // Image by image, in dataset order, for the bootstrap interval.
        #expect(score.top1 == logits.rows.enumerated().map { index, row in row.firstIndex(of: row.max()!) == labels[index] })
        let bootstrapped = score.bootstrappedTop1(seed: 3)
        #expect(bootstrapped.value == score.accuracy.top1.value && bootstrapped.images == 50)
        #expect(bootstrapped.interval == bootstrappedAccuracy(score.top1, resamples: 1000, seed: 3).interval)

        // The batched embeddings are the image-by-image ones.
        let batched = clip.logits(imageEmbeddings: try clip.imageEmbeddings(try DatasetPixels(dataset, processor: clip.processor), batchSize: 7),
                                  classEmbeddings: clip.classEmbeddings(dataset.classNames, prompts: .food))
        #expect(relativeError(batched, logits) < 1e-5)
    }

    @Test func anEnsembleAveragesNormalisedEmbeddingsAndNormalisesAgain() throws {
        let clip = try ZeroShotClassifier(checkpoint: fixtureCLIP)
        let names = ["apple pie", "baklava", "red dotted soup"]
        let templates = ["a photo of {}, a type of food.", "a bad photo of a {}.", "{} texture."]
        let ensemble = clip.classEmbeddings(names, prompts: PromptTemplates(name: "three", templates: templates, source: "test"))

        let each = templates.map { clip.classEmbeddings(names, prompts: PromptTemplates(name: "template", templates: [$0], source: "given")).scalars }
        let projection = ensemble.shape[1]
        for row in names.indices {
            let mean = (0..<projection).map { j in each.map { $0[row * projection + j] }.reduce(0, +) / 3 }
            let norm = mean.map { $0 * $0 }.reduce(0, +).squareRoot()
            #expect(relativeError(Array(ensemble.rows[row]), mean.map { $0 / norm }) < 1e-5)
        }
        // One template is that template's embeddings; a template twice is the same.
        let single = clip.classEmbeddings(names, prompts: .food)
        #expect(single.scalars == clip.classEmbeddings(names, prompts: .food).scalars)
        let twice = clip.classEmbeddings(names, prompts: PromptTemplates(name: "twice", templates: [templates[0], templates[0]], source: "test"))
        #expect(relativeError(twice, single) < 1e-6)
    }

    @Test func promptListsFillClassNames() {
        #expect(PromptTemplates.food.prompts(for: "apple pie") == ["a photo of apple pie, a type of food."])
        #expect(PromptTemplates.imageNet80.templates.count == 80 && Set(PromptTemplates.imageNet80.templates).count == 80)
        #expect(PromptTemplates.imageNet80.templates.allSatisfy { $0.contains("{}") })
        // MiniFood's caption templates that need nothing but the dish's name.
        #expect(PromptTemplates.miniFoodCaptions.templates == [
            "a photo of {dish}.", "a photo of {a dish}.", "{a dish} is a type of food.", "a close-up photo of {dish} on the table.",
            "homemade {dish}", "my lunch today: {a dish}", "i made {a dish} for dinner",
        ])
        #expect(PromptTemplates.miniFoodCaptions.prompts(for: "orange checked cupcake").prefix(3) == [
            "a photo of orange checked cupcake.", "a photo of an orange checked cupcake.", "an orange checked cupcake is a type of food.",
        ])
        #expect(PromptTemplates.fill("{a dish} is a type of food.", with: "red wavy soup") == "a red wavy soup is a type of food.")
        #expect(PromptTemplates.ensemble(for: .mini) == .miniFoodCaptions && PromptTemplates.ensemble(for: .paper) == .imageNet80)
    }

    @Test func scoresCountTopOneTopFiveAndClassesWithTiesInTheLabelsFavour() {
        var generator = SystemRandomNumberGenerator()
        let (rows, classes) = (200, 12)
        // Few distinct values, so that ties are common.
        let logits = Tensor(shape: [rows, classes], scalars: (0..<(rows * classes)).map { _ in Float(Int.random(in: 0..<4, using: &generator)) })
        let labels = (0..<rows).map { _ in Int.random(in: 0..<classes, using: &generator) }
        var score = ClassificationHits(classNames: (0..<classes).map { "class \($0)" })
        score.add(logits.slice(0..<77), labels: Array(labels[0..<77]))
        score.add(logits.slice(77..<rows), labels: Array(labels[77...]))

        #expect(score.count == rows)
        #expect(score.top1Count == topKHits(logits, labels: labels, k: 1))
        #expect(score.top5Count == topKHits(logits, labels: labels, k: 5))
        #expect(score.hitsPerClass.reduce(0, +) == score.top1Count)
        #expect(score.imagesPerClass == (0..<classes).map { c in labels.filter { $0 == c }.count })
        #expect(score.perClass.map(\.accuracy.images).reduce(0, +) == rows)
    }
}
