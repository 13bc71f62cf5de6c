// The safetensors layout: an 8-byte little-endian header length N, N bytes of JSON mapping each
// tensor name to {dtype, shape, data_offsets: [begin, end]} (offsets into the data that follows the
// header) plus an optional "__metadata__" of strings, then the data. Everything is checked once, at
// open, so that reading a tensor later cannot run past the file.
import Foundation

struct TensorEntry {
    let dtype: DType
    let shape: [Int]
    /// Byte range relative to the start of the data section.
    let begin: Int
    let end: Int
}

struct SafeTensorsHeader {
    static let metadataKey = "__metadata__"
    /// The reference implementation refuses larger headers; so do we, rather than allocate wildly.
    static let maximumLength = 100_000_000

    let entries: [String: TensorEntry]
    let metadata: [String: String]
    /// File offset of the data section.
    let dataStart: Int

    init(bytes: UnsafeRawPointer, size: Int, file: String) throws {
        guard size >= 8 else { throw CheckpointError.truncated(file: file, tensor: nil, needed: 8, size: size) }
        let declared = UInt64(littleEndian: bytes.loadUnaligned(as: UInt64.self))
        guard declared <= UInt64(Self.maximumLength) else {
            throw CheckpointError.badHeader(file: file, reason: "declared header length \(declared) exceeds \(Self.maximumLength) bytes")
        }
        let length = Int(declared)
        guard 8 + length <= size else { throw CheckpointError.truncated(file: file, tensor: nil, needed: 8 + length, size: size) }
        dataStart = 8 + length

        // Decoded straight into entries (JSONDecoder's flat token map, not a tree of NSObjects):
        // memory stays linear in the header with a small constant, even for millions of entries.
        let values: [String: HeaderValue]
        let decoder = JSONDecoder()
        decoder.userInfo[HeaderValue.fileKey] = file
        do {
            values = try decoder.decode([String: HeaderValue].self, from: Data(bytes: bytes + 8, count: length))
        } catch let error as CheckpointError {
            throw error
        } catch DecodingError.typeMismatch(_, let context) where context.codingPath.isEmpty {
            throw CheckpointError.badHeader(file: file, reason: "header is not a JSON object")
        } catch {
            throw CheckpointError.badHeader(file: file, reason: "header is not valid JSON")
        }

        var entries: [String: TensorEntry] = [:]
        entries.reserveCapacity(values.count)
        var metadata: [String: String] = [:]
        for (name, value) in values {
            switch value {
            case let .metadata(strings):
                metadata = strings
            case let .tensor(entry):
                guard entry.end <= size - dataStart else {
                    let (needed, overflow) = dataStart.addingReportingOverflow(entry.end)
                    throw CheckpointError.truncated(file: file, tensor: name, needed: overflow ? .max : needed, size: size)
                }
                entries[name] = entry
            }
        }
        try Self.checkDisjoint(entries, file: file)
        self.entries = entries
        self.metadata = metadata
    }

    /// Two tensors sharing bytes would alias each other's storage: the format forbids it.
    private static func checkDisjoint(_ entries: [String: TensorEntry], file: String) throws {
        let ordered = entries.filter { $0.value.begin < $0.value.end }
            .sorted { ($0.value.begin, $0.value.end, $0.key) < ($1.value.begin, $1.value.end, $1.key) }
        for (previous, next) in zip(ordered, ordered.dropFirst()) where next.value.begin < previous.value.end {
            throw CheckpointError.badHeader(file: file, reason: "tensors '\(previous.key)' (bytes \(previous.value.begin)..<\(previous.value.end)) "
                                            + "and '\(next.key)' (bytes \(next.value.begin)..<\(next.value.end)) overlap")
        }
    }
}

/// One value of the header object: `__metadata__`, or a tensor's entry, checked as it is decoded.
private enum HeaderValue: Decodable {
    case metadata([String: String])
    case tensor(TensorEntry)

    static let fileKey = CodingUserInfoKey(rawValue: "safetensors file")!

    private enum Field: String, CodingKey { case dtype, shape, dataOffsets = "data_offsets" }

    init(from decoder: Decoder) throws {
        let name = decoder.codingPath.last?.stringValue ?? ""
        let file = decoder.userInfo[Self.fileKey] as? String ?? ""
        if name == SafeTensorsHeader.metadataKey {
            guard let strings = try? [String: String](from: decoder) else {
                throw CheckpointError.badHeader(file: file, reason: "\(SafeTensorsHeader.metadataKey) must map strings to strings")
            }
            self = .metadata(strings)
            return
        }
        func bad(_ reason: String) -> CheckpointError {
            CheckpointError.badHeader(file: file, reason: "tensor '\(name)': \(reason)")
        }
        guard let fields = try? decoder.container(keyedBy: Field.self) else { throw bad("entry is not an object") }
        guard let dtypeName = try? fields.decode(String.self, forKey: .dtype) else { throw bad("missing dtype") }
        guard let shape = try? fields.decode([Int].self, forKey: .shape), shape.allSatisfy({ $0 >= 0 }) else {
            throw bad("shape must be a list of non-negative integers")
        }
        guard let offsets = try? fields.decode([Int].self, forKey: .dataOffsets), offsets.count == 2, 0 <= offsets[0], offsets[0] <= offsets[1] else {
            throw bad("data_offsets must be [begin, end] with 0 <= begin <= end")
        }
        let dtype = DType(dtypeName)
        var elements = 1
        for dimension in shape {
            let (product, overflow) = elements.multipliedReportingOverflow(by: dimension)
            guard !overflow else { throw bad("shape \(shape) is too large") }
            elements = product
        }
        if let byteSize = dtype.byteSize {
            let (bytes, overflow) = elements.multipliedReportingOverflow(by: byteSize)
            guard !overflow, bytes == offsets[1] - offsets[0] else {
                throw bad("data_offsets \(offsets) span \(offsets[1] - offsets[0]) bytes, but \(dtypeName) \(shape) needs \(elements) × \(byteSize)")
            }
        }
        self = .tensor(TensorEntry(dtype: dtype, shape: shape, begin: offsets[0], end: offsets[1]))
    }
}
