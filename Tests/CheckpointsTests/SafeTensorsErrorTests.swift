// Bad files give errors that name the file and, where there is one, the tensor.
import Foundation
import Testing
import TensorCore
@testable import Checkpoints

@Suite struct SafeTensorsErrorTests {
    let scratch: ScratchDirectory
    let valid: URL

    init() throws {
        scratch = try ScratchDirectory()
        valid = scratch.file("valid.safetensors")
        try writeSafeTensors(["first": Tensor(shape: [2, 2], scalars: [1, 2, 3, 4]), "last": Tensor(shape: [3], scalars: [5, 6, 7])], to: valid)
    }

    /// A file holding `bytes`.
    func file(_ name: String, _ bytes: Data) throws -> URL {
        let url = scratch.file(name)
        try bytes.write(to: url)
        return url
    }

    /// A file with the given header text (padded as the format expects) and `dataBytes` bytes of data.
    func file(_ name: String, header: String, dataBytes: Int = 0) throws -> URL {
        var bytes = Data()
        let text = Data(header.utf8)
        var length = UInt64(text.count).littleEndian
        withUnsafeBytes(of: &length) { bytes.append(contentsOf: $0) }
        bytes.append(text)
        bytes.append(Data(count: dataBytes))
        return try file(name, bytes)
    }

    func message(_ body: () throws -> Void) -> String {
        do {
            try body()
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    @Test func missingTensorNamesTensorAndFile() throws {
        let file = try SafeTensorsFile(contentsOf: valid)
        #expect(throws: CheckpointError.missingTensor(name: "middle", file: valid.path)) { try file.tensor("middle") }
        #expect(file.shape(of: "middle") == nil)
        #expect(message { _ = try file.tensor("middle") } == "tensor 'middle' is missing from \(valid.path)")
    }

    @Test func shapeMismatchNamesExpectedAndFoundShapes() throws {
        let file = try SafeTensorsFile(contentsOf: valid)
        #expect(throws: CheckpointError.shapeMismatch(name: "first", file: valid.path, expected: [4], found: [2, 2])) {
            try file.tensor("first", shape: [4])
        }
        #expect(message { _ = try file.tensor("first", shape: [4]) } == "tensor 'first' in \(valid.path) has shape [2, 2], expected [4]")
    }

    @Test func truncatedDataNamesTheTensorPastTheEnd() throws {
        let bytes = try Data(contentsOf: valid)
        let cut = try file("cut.safetensors", bytes.dropLast(4))
        #expect(throws: CheckpointError.truncated(file: cut.path, tensor: "last", needed: bytes.count, size: bytes.count - 4)) {
            try SafeTensorsFile(contentsOf: cut)
        }
        let text = message { _ = try SafeTensorsFile(contentsOf: cut) }
        #expect(text.contains(cut.path) && text.contains("'last'") && text.contains("truncated"))
    }

    @Test func truncatedHeaderIsReported() throws {
        let bytes = try Data(contentsOf: valid)
        let short = try file("short.safetensors", bytes.prefix(20))
        #expect(throws: CheckpointError.truncated(file: short.path, tensor: nil, needed: bytes.count - 4 * 7, size: 20)) {
            try SafeTensorsFile(contentsOf: short)
        }
        let empty = try file("empty.safetensors", Data())
        #expect(throws: CheckpointError.truncated(file: empty.path, tensor: nil, needed: 8, size: 0)) {
            try SafeTensorsFile(contentsOf: empty)
        }
    }

    @Test func missingFileCannotBeOpened() {
        let absent = scratch.file("absent.safetensors")
        #expect(message { _ = try SafeTensorsFile(contentsOf: absent) } == "cannot open \(absent.path): No such file or directory")
    }

    @Test(arguments: [
        ("not json", "header is not valid JSON"),
        ("[1, 2]", "header is not a JSON object"),
        (#"{"t": {"dtype": "F32", "shape": [2], "data_offsets": [0, 4]}}"#, "tensor 't': data_offsets [0, 4] span 4 bytes, but F32 [2] needs 2 × 4"),
        (#"{"t": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}}"#, "tensor 't': shape must be a list of non-negative integers"),
        (#"{"t": {"dtype": "F32", "shape": [1], "data_offsets": [4, 0]}}"#, "tensor 't': data_offsets must be [begin, end] with 0 <= begin <= end"),
        (#"{"t": {"shape": [1], "data_offsets": [0, 4]}}"#, "tensor 't': missing dtype"),
        (#"{"__metadata__": {"n": 1}}"#, "__metadata__ must map strings to strings"),
        (#"{"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}, "b": {"dtype": "F16", "shape": [2], "data_offsets": [2, 6]}}"#,
         "tensors 'a' (bytes 0..<4) and 'b' (bytes 2..<6) overlap"),
        (#"{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "b": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}"#,
         "tensors 'a' (bytes 0..<8) and 'b' (bytes 0..<8) overlap"),
        (#"{"t": {"dtype": "F32", "shape": [2.5], "data_offsets": [0, 8]}}"#, "tensor 't': shape must be a list of non-negative integers"),
        (#"{"t": {"dtype": "F32", "shape": [1], "data_offsets": ["0", "4"]}}"#, "tensor 't': data_offsets must be [begin, end] with 0 <= begin <= end"),
    ])
    func badHeadersAreDescribed(header: String, reason: String) throws {
        let url = try file("bad.safetensors", header: header, dataBytes: 8)
        #expect(throws: CheckpointError.badHeader(file: url.path, reason: reason)) { try SafeTensorsFile(contentsOf: url) }
    }

    @Test func implausibleHeaderLengthIsRefusedBeforeReading() throws {
        var bytes = Data()
        var length = UInt64(1 << 40).littleEndian
        withUnsafeBytes(of: &length) { bytes.append(contentsOf: $0) }
        let url = try file("huge.safetensors", bytes)
        #expect(message { _ = try SafeTensorsFile(contentsOf: url) }.contains("exceeds"))
    }

    @Test("a header length of 2^63 is refused before anything is read or allocated")
    func headerLengthOfTwoToTheSixtyThird() throws {
        var bytes = Data()
        var length = (UInt64(1) << 63).littleEndian
        withUnsafeBytes(of: &length) { bytes.append(contentsOf: $0) }
        bytes.append(Data("{}".utf8))
        let url = try file("huge.safetensors", bytes)
        #expect(throws: CheckpointError.badHeader(file: url.path, reason: "declared header length 9223372036854775808 exceeds 100000000 bytes")) {
            try SafeTensorsFile(contentsOf: url)
        }
    }

    @Test("offsets whose end does not fit in an Int past the header are a truncation, not an overflow trap")
    func offsetsPastTheEndOfAddressableMemory() throws {
        let end = Int.max - 3  // 4 x 2305843009213693951, so the dtype and shape agree with the span
        let header = #"{"t": {"dtype": "F32", "shape": [2305843009213693951], "data_offsets": [0, \#(end)]}}"#
        let url = try file("far.safetensors", header: header, dataBytes: 8)
        let size = 8 + header.utf8.count + 8
        #expect(throws: CheckpointError.truncated(file: url.path, tensor: "t", needed: .max, size: size)) {
            try SafeTensorsFile(contentsOf: url)
        }
    }

    @Test("a dtype that lies about the width of the data is refused at open")
    func dtypeLyingAboutTheDataWidth() throws {
        let url = try file("lying.safetensors", header: #"{"t": {"dtype": "F64", "shape": [2], "data_offsets": [0, 8]}}"#, dataBytes: 8)
        #expect(throws: CheckpointError.badHeader(file: url.path, reason: "tensor 't': data_offsets [0, 8] span 8 bytes, but F64 [2] needs 2 × 8")) {
            try SafeTensorsFile(contentsOf: url)
        }
    }

    @Test("an unreadable dtype with a huge shape is refused before any tensor is allocated")
    func unknownDTypeWithAHugeShape() throws {
        let overflowing = try file("overflowing.safetensors", header: #"{"t": {"dtype": "C64", "shape": [4294967296, 4294967296], "data_offsets": [0, 8]}}"#, dataBytes: 8)
        #expect(throws: CheckpointError.badHeader(file: overflowing.path, reason: "tensor 't': shape [4294967296, 4294967296] is too large")) {
            try SafeTensorsFile(contentsOf: overflowing)
        }
        let huge = try file("huge.safetensors", header: #"{"t": {"dtype": "C64", "shape": [1099511627776], "data_offsets": [0, 8]}}"#, dataBytes: 8)
        let file = try SafeTensorsFile(contentsOf: huge)
        #expect(throws: CheckpointError.unsupportedDType(name: "t", file: huge.path, dtype: "C64")) { try file.tensor("t") }
    }

    @Test func unknownDTypesOpenButCannotBeRead() throws {
        let url = try file("odd.safetensors", header: #"{"t": {"dtype": "C64", "shape": [1], "data_offsets": [0, 8]}}"#, dataBytes: 8)
        let file = try SafeTensorsFile(contentsOf: url)
        #expect(throws: CheckpointError.unsupportedDType(name: "t", file: url.path, dtype: "C64")) { try file.tensor("t") }
    }
}
