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

    @Test func unknownDTypesOpenButCannotBeRead() throws {
        let url = try file("odd.safetensors", header: #"{"t": {"dtype": "C64", "shape": [1], "data_offsets": [0, 8]}}"#, dataBytes: 8)
        let file = try SafeTensorsFile(contentsOf: url)
        #expect(throws: CheckpointError.unsupportedDType(name: "t", file: url.path, dtype: "C64")) { try file.tensor("t") }
    }
}
