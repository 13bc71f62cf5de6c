// Reads tensors from one safetensors file, memory-mapped, converting every float type to Float32.
import Foundation
import TensorCore

public final class SafeTensorsFile: @unchecked Sendable {
    public let url: URL
    /// The file's `__metadata__` (empty when absent).
    public let metadata: [String: String]
    private let file: MappedFile
    private let header: SafeTensorsHeader

    public init(contentsOf url: URL) throws {
        self.url = url
        file = try MappedFile(path: url.path)
        header = try SafeTensorsHeader(bytes: file.bytes, size: file.size, file: url.path)
        metadata = header.metadata
    }

    /// Tensor names, sorted.
    public var names: [String] { header.entries.keys.sorted() }

    public func shape(of name: String) -> [Int]? { header.entries[name]?.shape }

    /// The safetensors dtype name ("F32", "F16", "I64", ...) of a tensor.
    public func dtype(of name: String) -> String? { header.entries[name]?.dtype.name }

    /// Reads `name` as Float32. When `shape` is given, a tensor of any other shape is an error.
    public func tensor(_ name: String, shape expected: [Int]? = nil) throws -> Tensor {
        guard let entry = header.entries[name] else { throw CheckpointError.missingTensor(name: name, file: url.path) }
        if let expected, expected != entry.shape {
            throw CheckpointError.shapeMismatch(name: name, file: url.path, expected: expected, found: entry.shape)
        }
        if case .other = entry.dtype {
            throw CheckpointError.unsupportedDType(name: name, file: url.path, dtype: entry.dtype.name)
        }
        let tensor = Tensor(uninitializedShape: entry.shape)
        let source = file.bytes + header.dataStart + entry.begin
        guard entry.dtype.convert(source, count: tensor.count, into: tensor.pointer) else {
            throw CheckpointError.unsupportedDType(name: name, file: url.path, dtype: entry.dtype.name)
        }
        return tensor
    }
}
