// The measurements behind the numbers in MiniPretraining.swift: the standard mini CLIP's
// zero-shot accuracy on MiniFood's validation and held-out classes, the standard mini ViT
// fine-tuned on the 91 training classes, and how long each took. Minutes, not seconds, so
// they run only when asked:
//   VITCLIP_MEASURE=clip,vit swift test -c release -Xswiftc -enable-testing --filter MiniPretrainingMeasurements
// VITCLIP_MEASURE_CACHE picks the cache directory (default: a fresh temporary one, so the
// pretraining is timed from cold); VITCLIP_CLIP_RECIPE / VITCLIP_VIT_RECIPE name a recipe JSON
// to try instead of the standard one (the standard ones are written beside the cache to edit).
import Checkpoints
import Datasets
import Common
import Results
import Training
import Foundation
import Imaging
import Models
import Testing
import TensorCore
@testable import Recipes

private let measuring = Set((ProcessInfo.processInfo.environment["VITCLIP_MEASURE"] ?? "").split(separator: ",").map(String.init))

@Suite(.serialized) struct MiniPretrainingMeasurements {
    static let seed: UInt64 = 0

    static var cache: URL {
        if let path = ProcessInfo.processInfo.environment["VITCLIP_MEASURE_CACHE"] { return URL(fileURLWithPath: path) }
        return FileManager.default.temporaryDirectory.appendingPathComponent("vitclip-measure-\(getpid())")
    }

    static func say(_ line: String) {
        fputs("[\(timestamp())] \(line)\n", stderr)
        fflush(stderr)
    }

    static func timestamp() -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "HH:mm:ss"
        return formatter.string(from: Date()) + String(format: " load %.1f", Machine.oneMinuteLoadAverage() ?? -1)
    }

    static func recipe<R: Codable>(_ standard: R, override variable: String, name: String) throws -> R {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try FileManager.default.createDirectory(at: cache, withIntermediateDirectories: true)
        try encoder.encode(standard).write(to: cache.appendingPathComponent("\(name)-standard.json"))
        guard let path = ProcessInfo.processInfo.environment[variable] else { return standard }
        say("using the recipe in \(path)")
        return try JSONDecoder().decode(R.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }

    @Test(.enabled(if: measuring.contains("clip"))) func miniCLIP() throws {
        let recipe = try Self.recipe(MiniCLIPRecipe.standard(seed: Self.seed), override: "VITCLIP_CLIP_RECIPE", name: "clip")
        let started = ContinuousClock.now
        let directory = try MiniModelCache(root: Self.cache).checkpoint(for: recipe, say: Self.say)
        Self.say(String(format: "mini CLIP ready after %.1f s", (ContinuousClock.now - started).inSeconds))
        let food = MiniFood(seed: recipe.seed, sizes: recipe.data)
        let classifier = try ZeroShotClassifier(checkpoint: directory)
        for (name, part) in [("validation (91 classes)", food.test), ("held-out (10 classes)", food.heldOut),
                             ("pretraining compositions (283, labelled corpus)", food.pretrainLabelled)] {
            let accuracy = Self.zeroShot(classifier, part)
            Self.say(String(format: "mini CLIP zero-shot on %@: top-1 %.1f%%, top-5 %.1f%% (%d images, chance %.1f%%)",
                            name, accuracy.top1.value * 100, accuracy.top5.value * 100, accuracy.top1.images, 100 / Double(part.classes.count)))
        }
    }

    @Test(.enabled(if: measuring.contains("vit"))) func miniViT() throws {
        let recipe = try Self.recipe(MiniViTRecipe.standard(seed: Self.seed), override: "VITCLIP_VIT_RECIPE", name: "vit")
        let started = ContinuousClock.now
        let directory = try MiniModelCache(root: Self.cache).checkpoint(for: recipe, say: Self.say)
        Self.say(String(format: "mini ViT ready after %.1f s", (ContinuousClock.now - started).inSeconds))
        let food = MiniFood(seed: recipe.seed, sizes: recipe.data)
        let environment = ProcessInfo.processInfo.environment
        let epochs = Int(environment["VITCLIP_FINETUNE_EPOCHS"] ?? "") ?? 5
        for learningRate in (environment["VITCLIP_FINETUNE_LR"] ?? "5e-4").split(separator: ",").compactMap({ Double($0) }) {
            let fineTuneStarted = ContinuousClock.now
            let accuracy = try MiniFineTune.vit(directory, train: food.train, validation: food.test, epochs: epochs, seed: recipe.seed,
                                                learningRate: learningRate, say: Self.say)
            Self.say(String(format: "mini ViT fine-tuned %d epochs at lr %.0e on 91 classes (%.0f s): validation top-1 %.1f%%, top-5 %.1f%%",
                            epochs, learningRate, (ContinuousClock.now - fineTuneStarted).inSeconds, accuracy.top1.value * 100, accuracy.top5.value * 100))
        }
    }

    @Test(.enabled(if: measuring.contains("throughput"))) func throughput() throws {
        for (width, depth, patch) in [(64, 4, 4), (96, 4, 4), (128, 4, 8), (192, 4, 8), (128, 6, 8), (256, 4, 8)] {
            let config = ViTConfig(hiddenSize: width, numHiddenLayers: depth, numAttentionHeads: 4, intermediateSize: 4 * width,
                                   imageSize: 32, patchSize: patch, labels: ViTConfig.genericLabels(283))
            let vit = try ViTForImageClassification(config)
            vit.initializeRandomly(seed: 1)
            vit.setRequiresGrad(true)
            let pixels = Tensor(repeating: 0.1, shape: [128, 3, 32, 32]), labels = (0..<128).map { $0 % 283 }
            var seconds: [Double] = [], cpu: [Double] = []
            for _ in 0..<4 {
                let started = ContinuousClock.now, cpuStarted = processorSeconds()
                GradMode.with(enabled: true) {
                    crossEntropy(vit(pixels), labels: labels).backward()
                }
                seconds.append((ContinuousClock.now - started).inSeconds)
                cpu.append(processorSeconds() - cpuStarted)
            }
            Self.say(String(format: "ViT width %d depth %d patch %d: %.0f img/s fwd+bwd, %.0f img per processor-second (best of 3 after warm-up)",
                            width, depth, patch, 128 / seconds.dropFirst().min()!, 128 / cpu.dropFirst().min()!))
        }
    }

    /// Whole training steps (batch, forward, backward, clipping, AdamW) of the standard recipes'
    /// models, on 1,024 pairs or images: the rate an idle machine would train them at, when
    /// measured at a quiet moment.
    @Test(.enabled(if: measuring.contains("steps"))) func trainingSteps() throws {
        var clipRecipe = MiniCLIPRecipe.standard(seed: 0)
        clipRecipe.data.captionPairs = 1024
        clipRecipe.training.epochs = 2
        var vitRecipe = MiniViTRecipe.standard(seed: 0)
        vitRecipe.data.labelledImages = 1024
        vitRecipe.training.epochs = 2
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("vitclip-steps-\(getpid())")
        defer { try? FileManager.default.removeItem(at: scratch) }
        for round in 0..<2 {
            for (name, build) in [("mini CLIP", { try MiniModelCache(root: scratch.appendingPathComponent("\(round)-clip")).checkpoint(for: clipRecipe, say: Self.say) }),
                                  ("mini ViT", { try MiniModelCache(root: scratch.appendingPathComponent("\(round)-vit")).checkpoint(for: vitRecipe, say: Self.say) })] {
                let entry = try build()
                let record = try JSONDecoder().decode(MiniModelRecord<IgnoredRecipe>.self, from: Data(contentsOf: entry.appendingPathComponent(miniModelRecordName)))
                Self.say(String(format: "%@ round %d: %.0f img/s in epoch 2 (%.1f s of processor time per 1,000 images over both epochs)",
                                name, round, record.run.epochs.last!.imagesPerSecond, record.run.trainingProcessorSeconds / 2.048))
            }
        }
    }

    static func zeroShot(_ classifier: ZeroShotClassifier, _ part: MiniFoodDataset) -> TopKAccuracy {
        let classes = classifier.classEmbeddings(part.classNames, prompts: .food)
        let rendered = part.prerendered()
        return ClassificationHits.counting(classNames: part.classNames, examples: part.count, batchSize: 256) { range in
            let images = range.map(rendered.image(at:))
            let (height, width) = classifier.processor.outputSize
            let pixels = Tensor(shape: [images.count, 3, height, width], scalars: classifier.processor.pixelValues(images))
            let logits = classifier.model.logitsPerImage(imageEmbeddings: classifier.model.imageEmbeddings(pixels), textEmbeddings: classes)
            return (logits, range.map(part.label(at:)))
        }.accuracy
    }
}

/// The quick fine-tune the measurements compare against zero-shot: a new head on the
/// pretrained mini ViT, every weight trained with AdamW.
enum MiniFineTune {
    static func vit(_ directory: URL, train: MiniFoodDataset, validation: MiniFoodDataset, epochs: Int, seed: UInt64,
                    learningRate: Double = 5e-4, say: (String) -> Void) throws -> TopKAccuracy {
        let pretrained = try Checkpoint(directory: directory)
        var config = try pretrained.config(ViTConfig.self)
        config.labels = train.classNames
        let vit = try ViTForImageClassification(config)
        vit.initializeRandomly(seed: seed)
        for (name, tensor) in vit.namedParameters where !name.hasPrefix("classifier.") {
            let stored = try pretrained.tensor(name, shape: tensor.shape)
            tensor.pointer.update(from: stored.pointer, count: tensor.count)
        }
        let processor = try ImageProcessor(contentsOf: directory.appendingPathComponent("preprocessor_config.json"))
        let trainPixels = try PixelTable(train.prerendered(), processor: processor), validationPixels = try PixelTable(validation.prerendered(), processor: processor)
        let configuration = TrainingConfiguration(
            optimizer: AdamWHyperparameters(learningRate: learningRate, weightDecay: 0.05),
            schedule: .warmupCosine(warmupSteps: 10), epochs: epochs, batchSize: 64, maxGradientNorm: 1, seed: seed)
        let trainer = Trainer(parameters: vit.namedParameters, configuration: configuration, examplesPerEpoch: train.count, progress: .none)
        var noFlips = SeededGenerator(seed: 0)
        try trainer.fit(
            batch: { indices, generator in (trainPixels.batch(indices, flips: true, generator: &generator), indices.map(train.label(at:))) },
            loss: { crossEntropy(vit($0.0), labels: $0.1) },
            evaluate: {
                ClassificationHits.counting(classNames: validation.classNames, examples: validation.count, batchSize: 256) { range in
                    (vit(validationPixels.batch(Array(range), flips: false, generator: &noFlips)), range.map(validation.label(at:)))
                }.accuracy
            })
        for epoch in trainer.history.epochs {
            say(String(format: "  fine-tune epoch %d: loss %.3f, validation top-1 %.1f%%", epoch.epoch + 1, epoch.meanLoss,
                       (epoch.accuracy?.top1.value ?? 0) * 100))
        }
        return trainer.history.epochs.last!.accuracy!
    }
}

/// Reads a record's run without its recipe.
struct IgnoredRecipe: Codable {}
