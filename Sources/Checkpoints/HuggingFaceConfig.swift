// Reading and writing Hugging Face config.json files. HF saves only the values that differ from its
// class defaults, so every absent key decodes to HF's default for it.
import Common
import Foundation

public protocol HuggingFaceConfig: Codable, Equatable, Sendable {}

extension HuggingFaceConfig {
    public init(contentsOf url: URL) throws {
        let data: Data
        try MappedFile.requireRegularFile(url.path)
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw CheckpointError.cannotOpen(file: url.path, reason: error.localizedDescription)
        }
        try self.init(jsonData: data, file: url.path)
    }

    /// Decodes a config.json's bytes; `file` names them in errors.
    public init(jsonData data: Data, file: String) throws {
        do {
            self = try JSONDecoder().decode(Self.self, from: data)
        } catch let error as DecodingError {
            if case .dataCorrupted = error, let reason = nonFiniteNumber(in: data) {
                throw CheckpointError.badConfig(file: file, reason: reason)
            }
            throw CheckpointError.badConfig(file: file, reason: describe(error))
        }
    }

    /// Writes the config as pretty, key-sorted JSON that `from_pretrained` loads.
    public func write(to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(self) + Data("\n".utf8)
        try writeAtomically(to: url) { try $0.write(data) }
    }
}

extension KeyedDecodingContainer {
    /// The value under `key`, or `fallback` when the key is absent or null.
    func value<T: Decodable>(_ key: Key, or fallback: T) throws -> T {
        try decodeIfPresent(T.self, forKey: key) ?? fallback
    }

    /// Fails when the config declares a `model_type` other than the expected ones.
    func expectModelType(_ key: Key, in accepted: Set<String>) throws {
        if let found = try decodeIfPresent(String.self, forKey: key), !accepted.contains(found) {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: self, debugDescription: "model_type is '\(found)', expected \(accepted.sorted().joined(separator: " or "))")
        }
    }
}

/// Why JSON that failed to parse did, when it holds a bare NaN or Infinity: Python's json writes
/// non-finite floats so, and JSON has no such values.
func nonFiniteNumber(in data: Data) -> String? {
    let text = String(decoding: data, as: UTF8.self)
    guard let found = text.range(of: #"[:\[,]\s*-?(NaN|Infinity)\b"#, options: .regularExpression) else { return nil }
    let token = text[found].drop { !$0.isLetter && $0 != "-" }
    return "it holds \(token), which JSON does not allow: every value must be a finite number"
}

private func describe(_ error: DecodingError) -> String {
    func path(_ codingPath: [CodingKey]) -> String {
        codingPath.isEmpty ? "the top level" : "'" + codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".") + "'"
    }
    switch error {
    case let .typeMismatch(type, context):
        return "\(path(context.codingPath)) should be \(type)"
    case let .valueNotFound(type, context):
        return "\(path(context.codingPath)) should be \(type), found null"
    case let .keyNotFound(key, context):
        return "\(path(context.codingPath + [key])) is missing"
    case let .dataCorrupted(context):
        return "\(path(context.codingPath)): \(context.debugDescription)"
    @unknown default:
        return String(describing: error)
    }
}
