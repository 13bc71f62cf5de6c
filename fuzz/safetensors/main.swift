// The safetensors header parser on arbitrary file contents, then a read of every tensor it
// accepts: whatever the header says, accepted entries must lie inside the buffer (ASan checks).
import Foundation
@testable import Checkpoints

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    // An empty mapping has no address; MappedFile hands the parser a dangling non-null one too.
    let bytes = start ?? UnsafeRawPointer(bitPattern: 1)!
    guard let header = try? SafeTensorsHeader(bytes: bytes, size: count, file: "fuzz.safetensors") else { return 0 }
    for entry in header.entries.values {
        // The parser has checked that the shape's product does not overflow.
        let elements = entry.shape.reduce(1, *)
        guard elements <= 1 << 16 else { continue }
        var values = [Float](repeating: 0, count: elements)
        _ = values.withUnsafeMutableBufferPointer { out in
            entry.dtype.convert(bytes + header.dataStart + entry.begin, count: elements, into: out.baseAddress!)
        }
    }
    return 0
}
