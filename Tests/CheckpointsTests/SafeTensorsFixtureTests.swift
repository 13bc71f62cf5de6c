// Files written by the reference library (scripts/goldens/models.py) read as it wrote them.
import Foundation
import Testing
import TensorCore
@testable import Checkpoints

@Suite struct SafeTensorsFixtureTests {
    let dtypes = Fixtures.model("dtypes.safetensors")

    @Test(arguments: ["f16", "bf16", "f64"])
    func floatTypesConvertToTheExactFloat32Values(name: String) throws {
        let file = try SafeTensorsFile(contentsOf: dtypes)
        let read = try file.tensor(name, shape: [4, 8])
        let expected = try file.tensor("\(name).as_f32", shape: [4, 8])
        #expect(file.dtype(of: "\(name).as_f32") == "F32")
        for (value, want) in zip(read.scalars, expected.scalars) {
            if want.isNaN {
                #expect(value.isNaN)
            } else {
                #expect(value.bitPattern == want.bitPattern, "\(name): \(value) != \(want)")
            }
        }
    }

    @Test func halfConversionCoversSubnormalsZerosAndInfinities() {
        #expect(floatFromHalfBits(0x0001) == 0x1p-24)
        #expect(floatFromHalfBits(0x03FF) == 1023 * 0x1p-24)
        #expect(floatFromHalfBits(0x8000).bitPattern == (-0.0 as Float).bitPattern)
        #expect(floatFromHalfBits(0x7C00) == .infinity)
        #expect(floatFromHalfBits(0xFC00) == -.infinity)
        #expect(floatFromHalfBits(0x7E00).isNaN)
        #expect(floatFromHalfBits(0x3C00) == 1)
        #expect(floatFromHalfBits(0x7BFF) == 65504)
    }

    @Test func integerTensorsAreListedButNotReadAsFloats() throws {
        let file = try SafeTensorsFile(contentsOf: dtypes)
        #expect(file.metadata == ["format": "pt"])
        #expect(file.shape(of: "i64") == [2, 3])
        #expect(file.dtype(of: "i64") == "I64")
        #expect(throws: CheckpointError.unsupportedDType(name: "i64", file: dtypes.path, dtype: "I64")) {
            try file.tensor("i64")
        }
    }

    @Test func writerReproducesTheReferenceLibraryByteForByte() throws {
        let reference = Fixtures.model("writer-reference.safetensors")
        let file = try SafeTensorsFile(contentsOf: reference)
        let tensors = try Dictionary(uniqueKeysWithValues: file.names.map { ($0, try file.tensor($0)) })
        #expect(tensors.count == 5)
        let scratch = try ScratchDirectory()
        let copy = scratch.file("copy.safetensors")
        try writeSafeTensors(tensors, metadata: file.metadata, to: copy)
        #expect(try Data(contentsOf: copy) == Data(contentsOf: reference))
    }

    @Test(arguments: [
        "clip/model.safetensors", "vit/model.safetensors", "clip-grad/model.safetensors", "vit-grad/model.safetensors",
        "reference-clip.safetensors", "reference-vit.safetensors", "grad-clip-layer.safetensors",
        "grad-vit-layer.safetensors", "grad-clip-step.safetensors", "grad-vit-step.safetensors",
    ])
    func everyFixtureTensorReadsAndIsFinite(path: String) throws {
        let file = try SafeTensorsFile(contentsOf: Fixtures.model(path))
        #expect(!file.names.isEmpty)
        for name in file.names {
            let tensor = try file.tensor(name)
            #expect(tensor.shape == file.shape(of: name))
            let finite = tensor.scalars.allSatisfy { $0.isFinite }
            #expect(finite, "\(path): \(name)")
        }
    }
}
