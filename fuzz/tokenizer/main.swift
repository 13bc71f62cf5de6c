// CLIP's tokenizer on arbitrary bytes: as text (invalid UTF-8 becomes U+FFFD, as Python's
// errors="replace" would), through encode, batch encode and decode; and as a vocab.json.
import Foundation
@testable import Tokenizer

let tokenizer: CLIPTokenizer = {
    let repository = ProcessInfo.processInfo.environment["FUZZ_REPOSITORY"] ?? FileManager.default.currentDirectoryPath
    let directory = URL(fileURLWithPath: repository).appendingPathComponent("Sources/Tokenizer/Resources/openai-clip")
    return try! CLIPTokenizer(directory: directory)
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
    return 0
}
