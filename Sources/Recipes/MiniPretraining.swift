// Mini pretraining: the mini preset's stand-ins for OpenAI's CLIP ViT-B/32 and Google's
// ImageNet-21k ViT-B/16, trained here from Hugging Face's random initialisation on MiniFood's
// two pretraining corpora. The CLIP's image-caption pairs show all 384 compositions, the
// downstream dishes among them, under their made-up names (noisily, as alt-text names them);
// the ViT's labelled images show the 283 compositions no downstream class uses. Neither ever
// shows a fine-tuning, test or held-out image.
//
// The two vision towers differ as B/16 and B/32 do: one width (128, 4 layers, 4 heads, MLP
// 512) on 32 px images, the ViT in 8 px patches (16 and a class token), the CLIP in 16 px
// patches (4 and a class token): 3.4 times the tokens, where 224 px images give B/16 197 and
// B/32 50. The mini CLIP's text tower reads CLIP's own 49,408-token vocabulary (width 64, 3
// layers, context 32; MiniFood's captions are far shorter) into a 64-wide shared space: 4.1 M
// parameters, 3.2 M of them the token table. The mini ViT has 0.86 M. Both train with AdamW
// in batches of 64, warm-up then cosine, clipped at norm 1, with random left-right flips: CLIP
// for 5 epochs of the 50,000 caption pairs (lr 1e-3, betas 0.9 and 0.98, weight decay 0.1,
// logit scale learnt from ln(1/0.07) and clamped at ln 100), the ViT for 6 epochs of the
// 28,300 labelled images (lr 1e-3, weight decay 0.05, label smoothing 0.1). Batches of 64 beat
// batches of 128 for both at equal work in the earlier, smaller world (CLIP 3 epochs: 64.8%
// against 55.3% zero-shot; ViT 4 epochs: 59.1% against 52.3% after fine-tuning); lr 2e-3 was
// worse for both. The accuracies these models reach are the chapters' results (results/clip.json,
// results/vit.json); what each pretraining took is in its cache entry's pretraining.json.
import Checkpoints
import Datasets
import Common
import Results
import Training
import Foundation
import Imaging
import Models
import TensorCore
import Tokenizer

/// Everything that determines the mini CLIP's weights; its hash names the cache entry.
struct MiniCLIPRecipe: MiniModelRecipe {
    var kind: String { "mini-clip" }
    var displayName: String { "mini CLIP" }

    /// Bumped when the code below, or MiniFood's world, changes what a recipe builds (2: named
    /// dishes, every composition captioned, 16 px patches).
    var format = 2
    /// MiniFood's world (`MiniFoodWorld.fingerprint`): a changed world changes the key.
    var world = MiniFoodWorld.standard.fingerprint
    var seed: UInt64
    var data: MiniFoodSizes
    var model: CLIPConfig
    var processor: ImageProcessor
    var training: TrainingConfiguration
    var horizontalFlips: Bool
    /// CLIP clamps its learned temperature: exp(logit_scale) ≤ 100.
    var maximumLogitScale: Double

    static func standard(seed: UInt64) -> MiniCLIPRecipe {
        MiniCLIPRecipe(seed: seed, data: .standard, model: geometry, processor: clipProcessor,
                       training: TrainingConfiguration(
                           optimizer: AdamWHyperparameters(learningRate: 1e-3, beta1: 0.9, beta2: 0.98, epsilon: 1e-6, weightDecay: 0.1),
                           schedule: .warmupCosine(warmupSteps: 100), epochs: 5, batchSize: 64, maxGradientNorm: 1,
                           dropLastPartialBatch: true, seed: seed),
                       horizontalFlips: true, maximumLogitScale: log(100))
    }

    /// Seconds of training (4 steps of 64 pairs), for tests: the numbers mean nothing.
    static func quick(seed: UInt64) -> MiniCLIPRecipe {
        var recipe = standard(seed: seed)
        recipe.data = .quick
        recipe.data.captionPairs = 256
        recipe.training.epochs = 1
        recipe.training.schedule = .warmupCosine(warmupSteps: 2)
        return recipe
    }

    /// 32 px images in 16 x 16 patches (4 patches and a class token, where the mini ViT's 8 px
    /// patches give 16 and one: 17 / 5 = 3.4 times the tokens, as ViT-B/16 at 224 px has 197
    /// against CLIP ViT-B/32's 50); both towers 4 heads, text over CLIP's whole vocabulary.
    static let geometry = CLIPConfig(
        textConfig: CLIPTextConfig(vocabSize: 49408, hiddenSize: 64, intermediateSize: 256, projectionDim: 64,
                                   numHiddenLayers: 3, numAttentionHeads: 4, maxPositionEmbeddings: 32,
                                   hiddenAct: "quick_gelu", layerNormEps: 1e-5, padTokenId: 1, bosTokenId: 49406, eosTokenId: 49407),
        visionConfig: CLIPVisionConfig(hiddenSize: 128, intermediateSize: 512, projectionDim: 64, numHiddenLayers: 4,
                                       numAttentionHeads: 4, numChannels: 3, imageSize: 32, patchSize: 16,
                                       hiddenAct: "quick_gelu", layerNormEps: 1e-5),
        projectionDim: 64, logitScaleInitValue: 2.6592, architectures: ["CLIPModel"])

    /// CLIPImageProcessor at 32 px: MiniFood's images pass unresized; OpenAI's mean and std.
    static let clipProcessor = try! ImageProcessor(
        kind: .clip, size: .shortestEdge(32), resample: .bicubic, doCenterCrop: true,
        cropSize: .init(height: 32, width: 32), imageMean: ImageProcessor.clip.imageMean,
        imageStd: ImageProcessor.clip.imageStd, doConvertRGB: true)

    func build(into directory: URL, say: (String) -> Void) throws -> PretrainingRun {
        let dataStarted = ContinuousClock.now
        let corpus = MiniFood(seed: seed, sizes: data).pretrainCaptions
        say("pretraining \(displayName): rendering \(corpus.count) image-caption pairs")
        let pixels = try PixelTable(corpus.prerendered(), processor: processor)
        let tokenizer = try CLIPTokenizer(directory: CLIPTokenizer.openAIVocabularyDirectory)
        let context = model.textConfig.maxPositionEmbeddings
        // Unpadded ids; a caption longer than the context would keep its first tokens and its
        // end token, as the tokenizer truncates (MiniFood's longest caption has 15 of 32).
        let encoded = (0..<corpus.count).map { tokenizer.encode(corpus.caption(at: $0)) }
        let longestCaption = encoded.map(\.count).max() ?? 0
        let captions = encoded.map { ids in ids.count <= context ? ids : Array(ids.prefix(context - 1)) + [tokenizer.endOfText] }
        let dataSeconds = (ContinuousClock.now - dataStarted).inSeconds

        let clip = try CLIPModel(model)
        clip.initializeRandomly(seed: seed)
        let maximumLogitScale = Float(self.maximumLogitScale), flips = horizontalFlips
        // The contrastive loss couples each micro-batch's pairs: under MPI the ranks share whole micro-batches.
        let trainer = Trainer(parameters: clip.namedParameters, configuration: training, examplesPerEpoch: corpus.count,
                              coupling: .perMicroBatch, progress: .none)
        let run = try train(trainer, name: displayName, dataSeconds: dataSeconds, say: say) { trainer, afterStep in
            try trainer.fit(
                batch: { indices, generator in
                    (pixels.batch(indices, flips: flips, generator: &generator),
                     TokenBatch(indices.map { captions[$0] }, padding: tokenizer.padding))
                },
                loss: { clip.contrastiveLoss($0.0, $0.1) },
                afterStep: { record in
                    if clip.logitScale.item > maximumLogitScale { clip.logitScale.pointer[0] = maximumLogitScale }
                    afterStep(record)
                })
        }

        try model.write(to: directory.appendingPathComponent(Checkpoint.configFileName))
        try writeSafeTensors(Dictionary(uniqueKeysWithValues: clip.namedParameters.map { ($0.name, $0.tensor) }),
                             metadata: ["format": "pt"], to: directory.appendingPathComponent(Checkpoint.weightsFileName))
        try processor.write(to: directory.appendingPathComponent("preprocessor_config.json"))
        for file in ["vocab.json", "merges.txt"] {
            try FileManager.default.copyItem(at: CLIPTokenizer.openAIVocabularyDirectory.appendingPathComponent(file),
                                             to: directory.appendingPathComponent(file))
        }
        var result = run
        result.notes["logit_scale"] = Double(clip.logitScale.item)
        result.notes["longest_caption_tokens"] = Double(longestCaption)
        return result
    }
}

/// Everything that determines the mini ViT's weights; its hash names the cache entry.
struct MiniViTRecipe: MiniModelRecipe {
    var kind: String { "mini-vit" }
    var displayName: String { "mini ViT" }

    /// As the mini CLIP's (2: the labelled classes ordered and labelled by their made-up names).
    var format = 2
    /// MiniFood's world (`MiniFoodWorld.fingerprint`): a changed world changes the key.
    var world = MiniFoodWorld.standard.fingerprint
    var seed: UInt64
    var data: MiniFoodSizes
    /// The geometry, labelled by the corpus's 283 composition names (a config needs at least one label).
    var model: ViTConfig
    var processor: ImageProcessor
    var training: TrainingConfiguration
    var horizontalFlips: Bool
    var labelSmoothing: Float

    static func standard(seed: UInt64) -> MiniViTRecipe {
        MiniViTRecipe(seed: seed, data: .standard, model: geometry, processor: vitProcessor,
                      training: TrainingConfiguration(
                          optimizer: AdamWHyperparameters(learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.05),
                          schedule: .warmupCosine(warmupSteps: 60), epochs: 6, batchSize: 64, maxGradientNorm: 1,
                          dropLastPartialBatch: true, seed: seed),
                      horizontalFlips: true, labelSmoothing: 0.1)
    }

    /// Seconds of training (4 steps of 64 images, the 283 compositions once), for tests.
    static func quick(seed: UInt64) -> MiniViTRecipe {
        var recipe = standard(seed: seed)
        recipe.data = .quick
        recipe.data.labelledImages = 283
        recipe.training.epochs = 1
        recipe.training.schedule = .warmupCosine(warmupSteps: 2)
        return recipe
    }

    static let geometry = ViTConfig(hiddenSize: 128, numHiddenLayers: 4, numAttentionHeads: 4, intermediateSize: 512,
                                    hiddenAct: "gelu", initializerRange: 0.02, layerNormEps: 1e-12, imageSize: 32, patchSize: 8,
                                    numChannels: 3, qkvBias: true, labels: MiniFoodWorld.standard.pretraining.map(MiniFoodWorld.standard.name(of:)),
                                    architectures: ["ViTForImageClassification"])

    /// ViTImageProcessor at 32 px: MiniFood's images pass unresized; mean and std 0.5, as
    /// google/vit-base-patch16-224 has them.
    static let vitProcessor = try! ImageProcessor(
        kind: .vit, size: .exact(height: 32, width: 32), resample: .bilinear,
        imageMean: ImageProcessor.vit.imageMean, imageStd: ImageProcessor.vit.imageStd, doConvertRGB: false)

    func build(into directory: URL, say: (String) -> Void) throws -> PretrainingRun {
        let dataStarted = ContinuousClock.now
        let corpus = MiniFood(seed: seed, sizes: data).pretrainLabelled
        say("pretraining \(displayName): rendering \(corpus.count) labelled images of \(corpus.classes.count) compositions")
        let pixels = try PixelTable(corpus.prerendered(), processor: processor)
        let labels = (0..<corpus.count).map(corpus.label(at:))
        let dataSeconds = (ContinuousClock.now - dataStarted).inSeconds

        var config = model
        config.labels = corpus.classNames
        let vit = try ViTForImageClassification(config)
        vit.initializeRandomly(seed: seed)
        let smoothing = labelSmoothing, flips = horizontalFlips
        let trainer = Trainer(parameters: vit.namedParameters, configuration: training, examplesPerEpoch: corpus.count, progress: .none)
        let run = try train(trainer, name: displayName, dataSeconds: dataSeconds, say: say) { trainer, afterStep in
            try trainer.fit(
                batch: { indices, generator in (pixels.batch(indices, flips: flips, generator: &generator), indices.map { labels[$0] }) },
                loss: { crossEntropy(vit($0.0), labels: $0.1, labelSmoothing: smoothing) },
                afterStep: afterStep)
        }

        try config.write(to: directory.appendingPathComponent(Checkpoint.configFileName))
        try writeSafeTensors(Dictionary(uniqueKeysWithValues: vit.namedParameters.map { ($0.name, $0.tensor) }),
                             metadata: ["format": "pt"], to: directory.appendingPathComponent(Checkpoint.weightsFileName))
        try processor.write(to: directory.appendingPathComponent("preprocessor_config.json"))
        return run
    }
}

/// Runs `fit` (which calls the trainer's fit with the given per-step hook), reporting each
/// epoch through `say`, and returns what was measured.
func train(_ trainer: Trainer, name: String, dataSeconds: Double, say: (String) -> Void,
                   _ fit: (Trainer, @escaping (StepRecord) -> Void) throws -> Void) throws -> PretrainingRun {
    let loadBefore = Machine.oneMinuteLoadAverage() ?? -1, cpuBefore = processorSeconds()
    let started = ContinuousClock.now
    var epochStarted = started
    var epochs: [PretrainingRun.Epoch] = []
    let totalEpochs = trainer.configuration.epochs
    say("pretraining \(name): \(trainer.totalSteps) steps of \(trainer.configuration.batchSize) over \(totalEpochs) epochs")
    try withoutActuallyEscaping(say) { say in
        try fit(trainer) { record in
            guard record.step % trainer.stepsPerEpoch == 0 else { return }
            let now = ContinuousClock.now
            let seconds = (now - epochStarted).inSeconds
            epochStarted = now
            let losses = trainer.history.steps.filter { $0.epoch == record.epoch }.map { Double($0.loss) }
            let epoch = PretrainingRun.Epoch(epoch: record.epoch + 1, meanLoss: losses.reduce(0, +) / Double(max(1, losses.count)),
                                             seconds: seconds,
                                             imagesPerSecond: Double(trainer.stepsPerEpoch * trainer.configuration.batchSize) / max(seconds, 1e-9))
            epochs.append(epoch)
            say(String(format: "pretraining %@: epoch %d/%d, loss %.3f, %.0f img/s", name, epoch.epoch, totalEpochs,
                       epoch.meanLoss, epoch.imagesPerSecond))
        }
    }
    let seconds = (ContinuousClock.now - started).inSeconds
    let cpuSeconds = processorSeconds() - cpuBefore
    say(String(format: "pretraining %@: trained in %.0f s (%.0f s of processor time), data prepared in %.0f s",
               name, seconds, cpuSeconds, dataSeconds))
    return PretrainingRun(dataSeconds: dataSeconds, trainingSeconds: seconds, trainingProcessorSeconds: cpuSeconds, epochs: epochs,
                          loadAverageBefore: loadBefore, loadAverageAfter: Machine.oneMinuteLoadAverage() ?? -1, machine: .current, notes: [:])
}
