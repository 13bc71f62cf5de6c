// The Hugging Face config parsers (config.json of CLIP and ViT, preprocessor_config.json) on
// arbitrary bytes: each either decodes or throws, and what decodes encodes again.
import Checkpoints
import Foundation
import Imaging

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let data = start.map { Data(bytes: $0, count: count) } ?? Data()
    if let config = try? CLIPConfig(jsonData: data, file: "config.json") { _ = try? JSONEncoder().encode(config) }
    if let config = try? ViTConfig(jsonData: data, file: "config.json") { _ = try? JSONEncoder().encode(config) }
    if let processor = try? ImageProcessor(jsonData: data, file: "preprocessor_config.json") {
        _ = try? JSONEncoder().encode(processor)
    }
    return 0
}
