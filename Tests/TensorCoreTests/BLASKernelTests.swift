// OpenBLAS 0.3.21 falls back to its Prescott kernels on processors it does not know; TensorCore
// then reselects the kernel the processor's flags support, and leaves every other choice alone.
import Foundation
import Testing
@testable import TensorCore

@Suite struct BLASKernelSelection {
    let emeraldRapids: Set<String> = ["sse3", "avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512_bf16"]

    @Test func correctsOnlyAFallbackToPrescott() {
        #expect(BLASKernel.correction(chosen: "Prescott", cpuFlags: emeraldRapids) == "Cooperlake")
        #expect(BLASKernel.correction(chosen: "Prescott", cpuFlags: emeraldRapids.subtracting(["avx512_bf16"])) == "SkylakeX")
        #expect(BLASKernel.correction(chosen: "Prescott", cpuFlags: ["sse3", "avx2", "fma"]) == "Haswell")
        #expect(BLASKernel.correction(chosen: "Prescott", cpuFlags: ["sse3"]) == nil)
        #expect(BLASKernel.correction(chosen: "Haswell", cpuFlags: emeraldRapids) == nil)
        #expect(BLASKernel.correction(chosen: "SkylakeX", cpuFlags: emeraldRapids) == nil)
    }

    @Test func thisProcessRunsTheCorrectedKernel() {
        let expected = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] != nil ? nil
            : BLASKernel.correction(chosen: BLAS.coreChosenAtLoad, cpuFlags: BLASKernel.cpuFlags())
        #expect(BLAS.coreName == expected ?? BLAS.coreChosenAtLoad)
        // Products still agree with a plain sum after a reselection.
        let a = Tensor(shape: [3, 2], scalars: [1, 2, 3, 4, 5, 6]), b = Tensor(shape: [2, 2], scalars: [1, 0, 0.5, 2])
        #expect(matmul(a, b).rows == [[2, 4], [5, 8], [8, 12]])
    }
}
