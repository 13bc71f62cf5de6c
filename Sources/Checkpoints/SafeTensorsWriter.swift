// Writes Float32 tensors as safetensors, byte for byte as the reference library lays them out:
// compact JSON with "__metadata__" first, tensors in name order, the header padded with spaces to
// a multiple of 8 bytes so that the data section starts aligned.
import Common
import Foundation
import TensorCore

public func writeSafeTensors(_ tensors: [String: Tensor], metadata: [String: String] = [:], to url: URL) throws {
    guard tensors[SafeTensorsHeader.metadataKey] == nil else {
        throw CheckpointError.writeFailed(file: url.path, reason: "'\(SafeTensorsHeader.metadataKey)' is reserved and cannot name a tensor")
    }
    let names = tensors.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }

    var fields: [String] = []
    if !metadata.isEmpty {
        let pairs = metadata.keys.sorted().map { "\(jsonString($0)):\(jsonString(metadata[$0]!))" }
        fields.append("\(jsonString(SafeTensorsHeader.metadataKey)):{\(pairs.joined(separator: ","))}")
    }
    var offset = 0
    for name in names {
        let tensor = tensors[name]!
        let end = offset + tensor.count * MemoryLayout<Float>.size
        let shape = tensor.shape.map(String.init).joined(separator: ",")
        fields.append("\(jsonString(name)):{\"dtype\":\"F32\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(end)]}")
        offset = end
    }
    var header = Array("{\(fields.joined(separator: ","))}".utf8)
    header += Array(repeating: UInt8(ascii: " "), count: (8 - header.count % 8) % 8)

    try writeAtomically(to: url) { sink in
        var length = UInt64(header.count).littleEndian
        try withUnsafeBytes(of: &length) { try sink.write($0) }
        try header.withUnsafeBytes { try sink.write($0) }
        for name in names {
            let tensor = tensors[name]!
            try sink.write(UnsafeRawBufferPointer(start: tensor.pointer, count: tensor.count * MemoryLayout<Float>.size))
        }
    }
}

/// A JSON string literal, escaped as serde_json (the reference library's encoder) escapes it.
func jsonString(_ text: String) -> String {
    var quoted = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": quoted += "\\\""
        case "\\": quoted += "\\\\"
        case "\n": quoted += "\\n"
        case "\r": quoted += "\\r"
        case "\t": quoted += "\\t"
        case "\u{08}": quoted += "\\b"
        case "\u{0C}": quoted += "\\f"
        case _ where scalar.value < 0x20: quoted += String(format: "\\u%04x", scalar.value)
        default: quoted.unicodeScalars.append(scalar)
        }
    }
    return quoted + "\""
}
