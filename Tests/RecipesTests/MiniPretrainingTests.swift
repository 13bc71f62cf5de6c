// Mini pretraining: quick runs give checkpoints the pipelines load and run; the cache hits,
// misses and repairs as it should; Hugging Face's initialisation rules hold; a seed fixes the
// weights. (The standard runs' accuracies are measured in MiniPretrainingMeasurements.)
import Checkpoints
import Datasets
import Common
import Results
import Training
import Foundation
import Models
import Testing
import TensorCore
import TestSupport
@testable import Recipes

/// Collects what a run says.
final class Transcript: @unchecked Sendable {
    private(set) var lines: [String] = []
    func say(_ line: String) { lines.append(line) }
    func contains(_ fragment: String) -> Bool { lines.contains { $0.contains(fragment) } }
}

@Suite struct MiniPretrainingCheckpoints {
    @Test func quickModelsLoadIntoThePipelines() throws {
        let scratch = try ScratchDirectory()
        let transcript = Transcript()
        let clipDirectory = try MiniModels.clip(cache: scratch.url, seed: 3, quick: true, say: transcript.say)
        let vitDirectory = try MiniModels.vit(cache: scratch.url, seed: 3, quick: true, say: transcript.say)
        for file in ["config.json", "model.safetensors", "preprocessor_config.json", "vocab.json", "merges.txt"] {
            #expect(FileManager.default.fileExists(atPath: clipDirectory.appendingPathComponent(file).path), "mini CLIP lacks \(file)")
        }
        #expect(transcript.contains("pretraining mini CLIP: epoch 1/1, loss"))
        #expect(transcript.contains("pretraining mini ViT: epoch 1/1, loss"))

        // Two MiniFood images as files, as the command line and the paper preset read them.
        let food = MiniFood(seed: 3, sizes: .quick)
        let images = try (0..<2).map { index -> URL in
            let url = scratch.url.appendingPathComponent("image-\(index).png")
            try food.test.image(at: index).writePNG(to: url)
            return url
        }

        let zeroShot = try ZeroShotClassifier(checkpoint: clipDirectory)
        #expect(zeroShot.processor.outputSize == (32, 32))
        let names = food.test.classNames
        let logits = try zeroShot.logitsPerImage(images, classes: zeroShot.classEmbeddings(names, prompts: .food))
        #expect(logits.count == 2 && logits.allSatisfy { $0.count == names.count && $0.allSatisfy(\.isFinite) })
        #expect(zeroShot.model.logitScale.item <= Float(log(100.0)) + 1e-6)

        let classifier = try ImageClassifier(checkpoint: vitDirectory)
        #expect(classifier.labels == food.pretrainLabelled.classNames && classifier.labels.count == 283)
        let classLogits = try classifier.logits(images)
        #expect(classLogits.count == 2 && classLogits.allSatisfy { $0.count == 283 && $0.allSatisfy(\.isFinite) })

        // The record says what was trained and how long it took.
        let record = try JSONDecoder().decode(MiniModelRecord<MiniCLIPRecipe>.self, from: Data(contentsOf: clipDirectory.appendingPathComponent("pretraining.json")))
        #expect(record.kind == "mini-clip" && record.run.epochs.count == 1 && record.run.trainingSeconds > 0)
        #expect(Set(record.files.map(\.name)) == ["config.json", "model.safetensors", "preprocessor_config.json", "vocab.json", "merges.txt"])
    }

    /// Two quick runs from one seed write the same bytes; another seed, other weights.
    @Test func aSeedFixesTheWeights() throws {
        let first = try ScratchDirectory(), second = try ScratchDirectory()
        func weights(_ cache: URL, seed: UInt64) throws -> Data {
            let directory = try MiniModels.clip(cache: cache, seed: seed, quick: true, say: { _ in })
            return try Data(contentsOf: directory.appendingPathComponent("model.safetensors"))
        }
        let a = try weights(first.url, seed: 5), b = try weights(second.url, seed: 5)
        #expect(a == b)
        #expect(try weights(first.url, seed: 6) != a)
        func vitWeights(_ cache: URL) throws -> Data {
            try Data(contentsOf: MiniModels.vit(cache: cache, seed: 5, quick: true, say: { _ in }).appendingPathComponent("model.safetensors"))
        }
        #expect(try vitWeights(first.url) == vitWeights(second.url))
    }
}

@Suite struct MiniModelCaching {
    @Test func aSecondCallIsAHit() throws {
        let scratch = try ScratchDirectory()
        let first = Transcript(), second = Transcript()
        let built = try MiniModels.vit(cache: scratch.url, seed: 1, quick: true, say: first.say)
        let started = ContinuousClock.now
        let cached = try MiniModels.vit(cache: scratch.url, seed: 1, quick: true, say: second.say)
        #expect(cached == built)
        #expect(first.contains("not in the cache") && first.contains("epoch 1/1"))
        #expect(second.lines == ["mini ViT: cached at \(built.path)"])
        #expect(ContinuousClock.now - started < .seconds(5))
        // Only the entry remains: no temporary directory is left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.url.path) == [built.lastPathComponent])
    }

    @Test func aChangedRecipeIsAMiss() throws {
        let scratch = try ScratchDirectory()
        let cache = MiniModelCache(root: scratch.url)
        let recipe = MiniViTRecipe.quick(seed: 1)
        var changed = recipe
        changed.training.optimizer.learningRate *= 2
        var otherData = recipe
        otherData.data.labelNoise = 0.1
        let keys = try [recipe, changed, otherData].map { try runKey($0) }
        #expect(Set(keys).count == 3)
        #expect(try runKey(MiniViTRecipe.quick(seed: 1)) == keys[0])
        #expect(try runKey(MiniViTRecipe.quick(seed: 2)) != keys[0])
        #expect(try runKey(MiniViTRecipe.standard(seed: 1)) != keys[0])

        let transcript = Transcript()
        let original = try cache.checkpoint(for: recipe, say: { _ in })
        let other = try cache.checkpoint(for: changed, say: transcript.say)
        #expect(other != original)
        #expect(transcript.contains("not in the cache"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.url.path).sorted()
            == [original.lastPathComponent, other.lastPathComponent].sorted())
    }

    /// A truncated weights file, a missing record (a copy interrupted), a file deleted: each
    /// entry is built again, and the rebuilt one is whole and identical to the first.
    @Test func aDamagedEntryIsRebuilt() throws {
        let scratch = try ScratchDirectory()
        let cache = MiniModelCache(root: scratch.url)
        let recipe = MiniViTRecipe.quick(seed: 2)
        let entry = try cache.checkpoint(for: recipe, say: { _ in })
        let weights = entry.appendingPathComponent("model.safetensors")
        let original = try Data(contentsOf: weights)

        let damages: [(String, () throws -> Void)] = [
            ("truncated weights", { try original.prefix(original.count / 2).write(to: weights) }),
            ("no record", { try FileManager.default.removeItem(at: entry.appendingPathComponent("pretraining.json")) }),
            ("no config", { try FileManager.default.removeItem(at: entry.appendingPathComponent("config.json")) }),
        ]
        for (damage, inflict) in damages {
            try inflict()
            let transcript = Transcript()
            let rebuilt = try cache.checkpoint(for: recipe, say: transcript.say)
            #expect(rebuilt == entry)
            #expect(transcript.contains("is damaged") && transcript.contains("epoch 1/1"), "\(damage) was not rebuilt")
            #expect(try Data(contentsOf: weights) == original, "\(damage): the rebuilt weights differ")
            _ = try ImageClassifier(checkpoint: rebuilt)
        }
    }

    /// A build a killed process left half-written is ignored and cleared away; one whose
    /// process still runs is left alone.
    @Test func abandonedBuildsAreRemoved() throws {
        let scratch = try ScratchDirectory()
        let manager = FileManager.default
        let abandoned = scratch.url.appendingPathComponent(".building-mini-vit-0123456789abcdef-\(Int32.max - 7)-42")
        let running = scratch.url.appendingPathComponent(".building-mini-vit-0123456789abcdef-\(getpid())-43")
        for directory in [abandoned, running] {
            try manager.createDirectory(at: directory, withIntermediateDirectories: true)
            try Data("{".utf8).write(to: directory.appendingPathComponent("config.json"))
        }
        let entry = try MiniModels.vit(cache: scratch.url, seed: 4, quick: true, say: { _ in })
        #expect(!manager.fileExists(atPath: abandoned.path))
        #expect(manager.fileExists(atPath: running.path))
        _ = try ImageClassifier(checkpoint: entry)
    }
}

/// Hugging Face's `_init_weights`, checked on the statistics of each kind of tensor.
@Suite struct RandomInitialisation {
    static func statistics(_ tensor: Tensor) -> (mean: Double, std: Double, maximum: Double) {
        let values = tensor.scalars.map(Double.init)
        let mean = values.reduce(0, +) / Double(values.count)
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
        return (mean, variance.squareRoot(), values.map(abs).max() ?? 0)
    }

    /// `tensor` looks drawn from N(0, std²): its mean within 4 standard errors of 0, its
    /// standard deviation within 4% (every tensor checked has at least 4,096 values), and no
    /// value beyond 6 std.
    static func expectNormal(_ name: String, _ tensor: Tensor, std: Double) {
        let (mean, measured, maximum) = statistics(tensor)
        let n = Double(tensor.count)
        #expect(n >= 4096, "\(name) is too small to judge")
        #expect(abs(mean) <= 4 * std / n.squareRoot(), "\(name): mean \(mean) for std \(std)")
        #expect(abs(measured / std - 1) <= 0.04, "\(name): std \(measured), expected \(std)")
        #expect(maximum <= 6 * std, "\(name): a value of \(maximum) at std \(std)")
    }

    static func expectConstant(_ name: String, _ tensor: Tensor, _ value: Float) {
        #expect(tensor.scalars.allSatisfy { $0 == value }, "\(name) should be all \(value)")
    }

    @Test func vitFollowsHuggingFace() throws {
        let config = ViTConfig(hiddenSize: 96, numHiddenLayers: 2, numAttentionHeads: 4, intermediateSize: 384,
                               initializerRange: 0.02, imageSize: 32, patchSize: 4, labels: ViTConfig.genericLabels(64))
        let vit = try ViTForImageClassification(config)
        vit.initializeRandomly(seed: 7)
        var kinds = Set<String>()
        for (name, tensor) in vit.namedParameters {
            if name.hasSuffix(".bias") {
                Self.expectConstant(name, tensor, 0)
                kinds.insert("bias")
            } else if name.contains("layernorm") {
                Self.expectConstant(name, tensor, 1)
                kinds.insert("layernorm")
            } else if tensor.count >= 4096 {
                // Linear and Conv2d weights, position embeddings: trunc_normal(0, 0.02).
                Self.expectNormal(name, tensor, std: 0.02)
                kinds.insert(name.contains("position") ? "position" : "weight")
            } else {
                #expect(name == "vit.embeddings.cls_token")
                let (_, _, maximum) = Self.statistics(tensor)
                #expect(maximum > 0 && maximum <= 0.12, "cls_token drawn at std 0.02")
                kinds.insert("cls")
            }
        }
        #expect(kinds == ["bias", "layernorm", "weight", "position", "cls"])
    }

    @Test func clipFollowsHuggingFace() throws {
        let textWidth = 64, visionWidth = 96, textDepth = 2, visionDepth = 3
        let config = CLIPConfig(
            textConfig: CLIPTextConfig(vocabSize: 512, hiddenSize: textWidth, intermediateSize: 4 * textWidth, projectionDim: 64,
                                       numHiddenLayers: textDepth, numAttentionHeads: 4, maxPositionEmbeddings: 64),
            visionConfig: CLIPVisionConfig(hiddenSize: visionWidth, intermediateSize: 4 * visionWidth, projectionDim: 64,
                                           numHiddenLayers: visionDepth, numAttentionHeads: 4, imageSize: 32, patchSize: 4),
            projectionDim: 64, logitScaleInitValue: log(1 / 0.07))
        let clip = try CLIPModel(config)
        clip.initializeRandomly(seed: 7)

        func expected(_ name: String) -> Double? {
            let isText = name.hasPrefix("text_model")
            let d = Double(isText ? textWidth : visionWidth), depth = Double(isText ? textDepth : visionDepth)
            let inProjection = pow(d, -0.5) * pow(2 * depth, -0.5)
            if name.hasSuffix("q_proj.weight") || name.hasSuffix("k_proj.weight") || name.hasSuffix("v_proj.weight") { return inProjection }
            if name.hasSuffix("out_proj.weight") { return pow(d, -0.5) }
            if name.hasSuffix("fc1.weight") { return pow(2 * d, -0.5) }
            if name.hasSuffix("fc2.weight") { return inProjection }
            switch name {
            case "text_model.embeddings.token_embedding.weight", "text_model.embeddings.position_embedding.weight": return 0.02
            case "vision_model.embeddings.patch_embedding.weight", "vision_model.embeddings.position_embedding.weight": return 0.02
            case "vision_model.embeddings.class_embedding": return pow(Double(visionWidth), -0.5)
            case "text_projection.weight": return pow(Double(textWidth), -0.5)
            case "visual_projection.weight": return pow(Double(visionWidth), -0.5)
            default: return nil
            }
        }

        var normals = 0
        for (name, tensor) in clip.namedParameters {
            if name == "logit_scale" {
                #expect(abs(tensor.item - Float(log(1 / 0.07))) < 1e-6)
            } else if name.hasSuffix(".bias") {
                Self.expectConstant(name, tensor, 0)
            } else if name.contains("layer_norm") || name.contains("layrnorm") || name.contains("layernorm") {
                Self.expectConstant(name, tensor, 1)
            } else if let std = expected(name) {
                if tensor.count >= 4096 {
                    Self.expectNormal(name, tensor, std: std)
                } else {
                    #expect(name == "vision_model.embeddings.class_embedding")
                    let (_, measured, _) = Self.statistics(tensor)
                    #expect(abs(measured / std - 1) < 0.3, "\(name): std \(measured), expected \(std)")
                }
                normals += 1
            } else {
                Issue.record("no rule for \(name)")
            }
        }
        #expect(normals == 7 + 6 * (textDepth + visionDepth))
    }

    @Test func theSeedDecides() throws {
        let config = ViTConfig(hiddenSize: 32, numHiddenLayers: 1, numAttentionHeads: 2, intermediateSize: 64,
                               imageSize: 16, patchSize: 4, labels: ViTConfig.genericLabels(3))
        func weights(_ seed: UInt64) throws -> [Float] {
            let vit = try ViTForImageClassification(config)
            vit.initializeRandomly(seed: seed)
            return vit.parameters.flatMap(\.scalars)
        }
        #expect(try weights(1) == weights(1))
        #expect(try weights(1) != weights(2))
    }
}
