// A run's identity for the caches that resume it: everything that determines its arithmetic,
// gathered in one Codable value and hashed, so that only a run of this very configuration picks
// up its files and a changed setting starts afresh beside them.
import Foundation

/// 16 hex digits of the SHA-256 of `value`'s key-sorted JSON (stable from process to process).
public func runKey(_ value: some Encodable) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return String(SHA256.hex(try encoder.encode(value)).prefix(16))
}
