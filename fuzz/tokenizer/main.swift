// CLIP's tokenizer on arbitrary bytes: as text (invalid UTF-8 becomes U+FFFD, as Python's
// errors="replace" would), through encode, batch encode and decode; as a vocab.json; and as a
// label through zero-shot CLIP's `classEmbeddings` on a tiny CLIP of 8 text positions: a prompt
// too long is refused by `requirePromptsFit` or truncated, never read past the position table.
import Checkpoints
import Foundation
import Imaging
import Models
@testable import Tokenizer

let tokenizer: CLIPTokenizer = {
    let repository = ProcessInfo.processInfo.environment["FUZZ_REPOSITORY"] ?? FileManager.default.currentDirectoryPath
    let directory = URL(fileURLWithPath: repository).appendingPathComponent("Sources/Tokenizer/Resources/openai-clip")
    return try! CLIPTokenizer(directory: directory)
}()

let zeroShot: ZeroShotClassifier = {
    let text = CLIPTextConfig(hiddenSize: 8, intermediateSize: 8, projectionDim: 4, numHiddenLayers: 1, numAttentionHeads: 2,
                              maxPositionEmbeddings: 8, bosTokenId: tokenizer.startOfText, eosTokenId: tokenizer.endOfText)
    let vision = CLIPVisionConfig(hiddenSize: 8, intermediateSize: 8, projectionDim: 4, numHiddenLayers: 1, numAttentionHeads: 2,
                                  imageSize: 4, patchSize: 4)
    let model = try! CLIPModel(CLIPConfig(textConfig: text, visionConfig: vision, projectionDim: 4))
    return ZeroShotClassifier(model: model, tokenizer: tokenizer, processor: .clip)
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let bytes = start.map { [UInt8](UnsafeRawBufferPointer(start: $0, count: count)) } ?? []
    let text = String(decoding: bytes, as: UTF8.self)
    let ids = tokenizer.encode(text)
    precondition(ids.allSatisfy { (0..<tokenizer.vocabularySize).contains($0) }, "id out of range")
    _ = tokenizer.decode(ids)
    // The API requires room for the start and end tokens: 2...77.
    _ = tokenizer.encode([text, text], contextLength: 2 + (bytes.first.map(Int.init) ?? 0) % 76)
    _ = try? VocabularyParser.parse(bytes)
    let prompts = PromptTemplates(name: "label", templates: ["{}"], source: "fuzz")
    let fits = (try? zeroShot.requirePromptsFit([text], prompts: prompts)) != nil
    precondition(fits == (ids.count <= 8), "requirePromptsFit disagrees with the token count \(ids.count)")
    _ = zeroShot.classEmbeddings([text], prompts: prompts, truncate: !fits)
    return 0
}
