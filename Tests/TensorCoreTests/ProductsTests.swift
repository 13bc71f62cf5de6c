// oneDNN's products against a float64 reference and against OpenBLAS, over the geometries the
// models use: transposed operands, leading dimensions wider than the matrix (a head's slice),
// alpha (attention's scale) and beta (accumulating into C); and the precision setting.
import Foundation
import Testing
@testable import TensorCore

@Suite struct OneDNNProducts {
    struct Case: Sendable, CustomStringConvertible {
        var transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, padding: Int, alpha: Float, beta: Float
        var description: String { "\(transposeA ? "T" : "N")\(transposeB ? "T" : "N") \(m)x\(n)x\(k) pad \(padding) alpha \(alpha) beta \(beta)" }
    }

    static let cases: [Case] = [
        Case(transposeA: false, transposeB: true, m: 197, n: 197, k: 64, padding: 704, alpha: 0.125, beta: 0),
        Case(transposeA: false, transposeB: false, m: 197, n: 64, k: 197, padding: 0, alpha: 1, beta: 0),
        Case(transposeA: true, transposeB: false, m: 96, n: 130, k: 77, padding: 3, alpha: 1, beta: 1),
        Case(transposeA: true, transposeB: true, m: 33, n: 17, k: 250, padding: 5, alpha: -2, beta: 0.5),
        Case(transposeA: false, transposeB: true, m: 300, n: 768, k: 96, padding: 0, alpha: 1, beta: 1),
    ]

    /// Random operands for `c`, stored with `padding` extra floats per row.
    static func operands(_ c: Case) -> (a: [Float], lda: Int, b: [Float], ldb: Int, c: [Float], ldc: Int) {
        var generator = SystemRandomNumberGenerator()
        func random(_ count: Int) -> [Float] { (0..<count).map { _ in Float.random(in: -1...1, using: &generator) } }
        let lda = (c.transposeA ? c.m : c.k) + c.padding, ldb = (c.transposeB ? c.k : c.n) + c.padding, ldc = c.n + c.padding
        return (random((c.transposeA ? c.k : c.m) * lda), lda, random((c.transposeB ? c.n : c.k) * ldb), ldb, random(c.m * ldc), ldc)
    }

    /// alpha · op(A) op(B) + beta · C in float64, on C's m × n entries.
    static func reference(_ c: Case, _ x: (a: [Float], lda: Int, b: [Float], ldb: Int, c: [Float], ldc: Int)) -> [Double] {
        var out = [Double](repeating: 0, count: c.m * c.n)
        for i in 0..<c.m {
            for j in 0..<c.n {
                var s = 0.0
                for l in 0..<c.k {
                    let a = c.transposeA ? x.a[l * x.lda + i] : x.a[i * x.lda + l]
                    let b = c.transposeB ? x.b[j * x.ldb + l] : x.b[l * x.ldb + j]
                    s += Double(a) * Double(b)
                }
                out[i * c.n + j] = Double(c.alpha) * s + Double(c.beta) * Double(x.c[i * x.ldc + j])
            }
        }
        return out
    }

    /// Runs the product with oneDNN (fp32 or bf16) and returns C, padding included.
    static func oneDNN(_ c: Case, _ x: (a: [Float], lda: Int, b: [Float], ldb: Int, c: [Float], ldc: Int), bf16: Bool) -> [Float] {
        var out = x.c
        out.withUnsafeMutableBufferPointer { cp in
            OneDNN.gemm(transposeA: c.transposeA, transposeB: c.transposeB, m: c.m, n: c.n, k: c.k, alpha: c.alpha,
                        x.a, lda: x.lda, x.b, ldb: x.ldb, beta: c.beta, cp.baseAddress!, ldc: x.ldc, bias: nil, bf16: bf16)
        }
        return out
    }

    /// Largest |error| on C's entries over the reference's scale; padding must be left untouched.
    static func error(_ c: Case, _ got: [Float], _ x: (a: [Float], lda: Int, b: [Float], ldb: Int, c: [Float], ldc: Int)) -> Double {
        let expected = reference(c, x), scale = max(1, expected.map(abs).max() ?? 1)
        var worst = 0.0
        for i in 0..<c.m {
            for j in 0..<x.ldc {
                if j < c.n { worst = max(worst, abs(Double(got[i * x.ldc + j]) - expected[i * c.n + j]) / scale) }
                else if got[i * x.ldc + j] != x.c[i * x.ldc + j] { return .infinity }
            }
        }
        return worst
    }

    @Test(arguments: cases) func oneDNNMatchesFloat64(_ c: Case) {
        let x = Self.operands(c)
        #expect(Self.error(c, Self.oneDNN(c, x, bf16: false), x) < 1e-6)
        // The same primitive from the cache, on another thread, gives the same bits.
        let first = Self.oneDNN(c, x, bf16: false)
        let again = Thread.runAndWait { Self.oneDNN(c, x, bf16: false) }
        #expect(first == again)
    }

    @Test(arguments: Products.Library.allCases) func biasOnEveryRow(_ library: Products.Library) {
        let c = Case(transposeA: false, transposeB: true, m: 37, n: 50, k: 20, padding: 2, alpha: 1, beta: 0)
        let x = Self.operands(c)
        let bias = (0..<c.n).map { Float($0) - 20 }
        var out = x.c
        out.withUnsafeMutableBufferPointer { cp in
            serialGemm(transposeB: true, m: c.m, n: c.n, k: c.k, alpha: c.alpha, x.a, lda: x.lda, x.b, ldb: x.ldb,
                       cp.baseAddress!, ldc: x.ldc, bias: bias, library: library)
        }
        // The bias is exact in float; subtracting it leaves the plain product.
        for i in 0..<c.m { for j in 0..<c.n { out[i * x.ldc + j] -= bias[j] } }
        #expect(Self.error(c, out, x) < 1e-6)
    }

    @Test(arguments: cases) func openBLASMatchesFloat64(_ c: Case) {
        let x = Self.operands(c)
        var out = x.c
        out.withUnsafeMutableBufferPointer { cp in
            serialGemm(transposeA: c.transposeA, transposeB: c.transposeB, m: c.m, n: c.n, k: c.k, alpha: c.alpha,
                       x.a, lda: x.lda, x.b, ldb: x.ldb, beta: c.beta, cp.baseAddress!, ldc: x.ldc, library: .openBLAS)
        }
        #expect(Self.error(c, out, x) < 1e-6)
    }

    @Test(arguments: cases) func bf16WithinItsRounding(_ c: Case) throws {
        guard Precision.processorHasBF16 else {
            print("note: no AVX512-BF16 or AMX on this processor; bf16 products not checked")
            return
        }
        let x = Self.operands(c)
        // Two bf16 roundings (8 significant bits each) per term, float accumulation.
        #expect(Self.error(c, Self.oneDNN(c, x, bf16: true), x) < 2e-2)
    }

    @Test func bf16RoundsToNearestEven() {
        #expect(BF16Operands.bf16(1) == 0x3F80)
        #expect(BF16Operands.bf16(Float(bitPattern: 0x3F80_8000)) == 0x3F80)  // tie, even stays
        #expect(BF16Operands.bf16(Float(bitPattern: 0x3F81_8000)) == 0x3F82)  // tie, odd rounds up
        #expect(BF16Operands.bf16(Float(bitPattern: 0x3F80_8001)) == 0x3F81)
        #expect(BF16Operands.bf16(-.infinity) == 0xFF80)
        #expect(BF16Operands.bf16(.nan) & 0x7F80 == 0x7F80)
    }

    @Test func precisionChoice() throws {
        #expect(try Precision.auto.resolved(processorHasBF16: true, processorHasAMX: false) == .fp32)
        #expect(try Precision.auto.resolved(processorHasBF16: true, processorHasAMX: true) == .bf16)
        #expect(try Precision.bf16.resolved(processorHasBF16: true, processorHasAMX: false) == .bf16)
        #expect(throws: PrecisionError.self) { try Precision.bf16.resolved(processorHasBF16: false, processorHasAMX: false) }
        #expect(Precision.current == .fp32)
    }
}

extension Thread {
    /// `body` on a new thread, waited for.
    static func runAndWait<T: Sendable>(_ body: @escaping @Sendable () -> T) -> T {
        nonisolated(unsafe) var result: T?
        let done = DispatchSemaphore(value: 0)
        let thread = Thread { result = body(); done.signal() }
        thread.start()
        done.wait()
        return result!
    }
}
