// The Hugging Face config parsers (config.json of CLIP and ViT, preprocessor_config.json) on
// arbitrary bytes: each either decodes or throws, and what decodes encodes again. Every accepted
// config small enough for the fuzzer's memory (up to `parameterBudget` parameters) builds its
// model, which runs one forward pass on a tiny input; every accepted processor processes a tiny
// image and, paired with the ViT it was decoded beside, passes or fails the pairing check. ASan
// checks that no accepted value leads to a read outside a buffer.
import Checkpoints
import Foundation
import Imaging
@testable import Models
import TensorCore

/// Models above this many parameters (the validation admits up to 2^31) are checked, not built.
let parameterBudget = 1 << 20

func parameterCount(_ model: Module) -> Int { model.namedParameters.reduce(0) { $0 + $1.tensor.count } }

func smallEnough(width: Int, depth: Int, mlpWidth: Int, positions: Int, other: Int) -> Bool {
    depth * (4 * width * width + 2 * width * mlpWidth) + (positions + other) * width <= parameterBudget && positions <= 1024
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let data = start.map { Data(bytes: $0, count: count) } ?? Data()
    if let config = try? CLIPConfig(jsonData: data, file: "config.json") {
        _ = try? JSONEncoder().encode(config)
        let (text, vision) = (config.textConfig, config.visionConfig)
        let side = vision.imageSize / vision.patchSize
        if smallEnough(width: text.hiddenSize, depth: text.numHiddenLayers, mlpWidth: text.intermediateSize,
                       positions: text.maxPositionEmbeddings, other: text.vocabSize + config.projectionDim),
           smallEnough(width: vision.hiddenSize, depth: vision.numHiddenLayers, mlpWidth: vision.intermediateSize,
                       positions: side * side + 1, other: vision.patchSize * vision.patchSize * vision.numChannels + config.projectionDim),
           let model = try? CLIPModel(config) {
            let pixels = Tensor(zeros: [1, vision.numChannels, vision.imageSize, vision.imageSize])
            let context = text.maxPositionEmbeddings
            let ids = (0..<min(context, 3)).map { $0 % text.vocabSize }
            let logits = model.logitsPerImage(imageEmbeddings: model.imageEmbeddings(pixels),
                                              textEmbeddings: model.textEmbeddings(TokenBatch([ids], padding: 0)))
            precondition(logits.shape == [1, 1], "CLIP logits \(logits.shape)")
        }
    }
    let vit = try? ViTConfig(jsonData: data, file: "config.json")
    if let config = vit {
        _ = try? JSONEncoder().encode(config)
        let side = config.imageSize / config.patchSize
        if smallEnough(width: config.hiddenSize, depth: config.numHiddenLayers, mlpWidth: config.intermediateSize,
                       positions: side * side + 1, other: config.patchSize * config.patchSize * config.numChannels + config.labels.count),
           let model = try? ViTForImageClassification(config) {
            let logits = model(Tensor(zeros: [1, config.numChannels, config.imageSize, config.imageSize]))
            precondition(logits.shape == [1, config.labels.count], "ViT logits \(logits.shape)")
        }
    }
    if let processor = try? ImageProcessor(jsonData: data, file: "preprocessor_config.json") {
        _ = try? JSONEncoder().encode(processor)
        let (height, width) = processor.outputSize
        if height * width <= 1 << 16 {
            let image = Image(width: 5, height: 3, pixels: [UInt8](repeating: 128, count: 45))
            precondition(processor.pixelValues(image).count == 3 * height * width, "processor output")
        }
        if let config = vit {
            _ = try? requireProcessor(processor, fits: config.imageSize, channels: config.numChannels, in: URL(fileURLWithPath: "."))
        }
    }
    return 0
}
