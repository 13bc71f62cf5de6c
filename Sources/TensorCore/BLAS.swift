// Every matrix product goes through OpenBLAS's sgemm. Row-major throughout; leading dimensions
// let a head's slice of a [T, D] activation be multiplied in place, without a copy.
import CBLAS

/// C = alpha · op(A) · op(B) + beta · C, where op(A) is m×k and op(B) is k×n.
@inline(__always)
func gemm(
    transposeA: Bool = false, transposeB: Bool = false, m: Int, n: Int, k: Int, alpha: Float = 1,
    _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
    beta: Float = 0, _ c: UnsafeMutablePointer<Float>, ldc: Int
) {
    cblas_sgemm(
        CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
        Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
}

public enum BLAS {
    /// The kernel OpenBLAS chose for this processor (e.g. "Haswell", "SkylakeX", "Zen").
    public static var coreName: String { String(cString: openblas_get_corename()) }
    public static var threadCount: Int { Int(openblas_get_num_threads()) }
    public static func setThreadCount(_ count: Int) { openblas_set_num_threads(Int32(count)) }
}
