import Foundation
import Testing
import TensorCore
@testable import Checkpoints

@Suite struct SafeTensorsRoundTripTests {
    @Test func writtenTensorsReadBackExactly() throws {
        let scratch = try ScratchDirectory()
        let url = scratch.file("round-trip.safetensors")
        let tensors = [
            "weight": Tensor(shape: [2, 3], scalars: [1, -2, 3.5, .infinity, -0.0, Float(bitPattern: 1)]),
            "bias": Tensor(shape: [3], scalars: [0.25, -0.5, 7]),
            "scalar": Tensor(shape: [], scalars: [2.6592]),
            "empty": Tensor(shape: [0, 4], scalars: []),
        ]
        try writeSafeTensors(tensors, metadata: ["format": "pt", "note": "quote \" and \\ and\nnewline"], to: url)

        let file = try SafeTensorsFile(contentsOf: url)
        #expect(file.names == ["bias", "empty", "scalar", "weight"])
        #expect(file.metadata == ["format": "pt", "note": "quote \" and \\ and\nnewline"])
        for (name, tensor) in tensors {
            let read = try file.tensor(name, shape: tensor.shape)
            #expect(read.shape == tensor.shape)
            #expect(read.scalars.map(\.bitPattern) == tensor.scalars.map(\.bitPattern), "\(name)")
        }
    }

    @Test func headerIsPaddedToEightBytesAndDataFollowsInNameOrder() throws {
        let scratch = try ScratchDirectory()
        let url = scratch.file("layout.safetensors")
        try writeSafeTensors(["b": Tensor(shape: [1], scalars: [2]), "a": Tensor(shape: [1], scalars: [1])], to: url)
        let bytes = try Data(contentsOf: url)
        let headerLength = Int(bytes.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
        #expect(headerLength % 8 == 0)
        let data = bytes.dropFirst(8 + headerLength)
        #expect(Array(data) == Array(Data(bytes: [Float(1), Float(2)], count: 8)))
    }

    @Test func writingReplacesAnExistingFileAndLeavesNoTemporaryFiles() throws {
        let scratch = try ScratchDirectory()
        let url = scratch.file("replace.safetensors")
        try writeSafeTensors(["x": Tensor(shape: [1], scalars: [1])], to: url)
        try writeSafeTensors(["y": Tensor(shape: [2], scalars: [3, 4])], to: url)
        #expect(try SafeTensorsFile(contentsOf: url).names == ["y"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.url.path) == ["replace.safetensors"])
    }

    @Test func reservedMetadataNameCannotNameATensor() throws {
        let scratch = try ScratchDirectory()
        #expect(throws: CheckpointError.self) {
            try writeSafeTensors(["__metadata__": Tensor(shape: [1], scalars: [1])], to: scratch.file("bad.safetensors"))
        }
    }
}
