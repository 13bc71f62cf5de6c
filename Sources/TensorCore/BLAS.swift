// Every matrix product goes through one sgemm-shaped entry, `gemm`, computed by oneDNN's matmul
// (`OneDNN`) or OpenBLAS's sgemm, as `Products` chooses. Row-major throughout; leading dimensions
// let a head's slice of a [T, D] activation be multiplied in place, without a copy.
//
// Both libraries run single-threaded, and TensorCore splits large products over the cores itself
// (`gemm`), with the rest of its kernels on the same `Parallel` workers. OpenBLAS's own threads
// spin (sched_yield) between calls, which took a core away from every non-GEMM kernel and from
// the other processes on a shared machine; and attention runs its many small per-head products
// on both cores at once, each single-threaded.
import CBLAS
import Foundation

enum BLASSetup {
    /// Done once, before the first product: the kernel OpenBLAS should have chosen (see
    /// `BLASKernel`), and a single OpenBLAS thread.
    static let ready: Void = {
        BLASKernel.correctFallback()
        openblas_set_num_threads(1)
    }()
}

/// C = alpha · op(A) · op(B) + beta · C (+ bias on every row) on the calling thread, where op(A) is
/// m×k and op(B) is k×n. A bias needs alpha = 1 and beta = 0 (oneDNN would scale it with alpha).
@inline(__always)
func serialGemm(
    transposeA: Bool = false, transposeB: Bool = false, m: Int, n: Int, k: Int, alpha: Float = 1,
    _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
    beta: Float = 0, _ c: UnsafeMutablePointer<Float>, ldc: Int, bias: UnsafePointer<Float>? = nil,
    library: Products.Library = Products.batchedLibrary
) {
    guard m > 0, n > 0 else { return }
    precondition(bias == nil || (alpha == 1 && beta == 0), "gemm: a bias needs alpha = 1 and beta = 0")
    let started = GEMMClock.isOn ? GEMMClock.threadCPUTime() : 0
    let bf16 = Precision.current == .bf16
    if (library == .oneDNN || bf16) && k > 0 {
        OneDNN.gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha, a, lda: lda,
                    b, ldb: ldb, beta: beta, c, ldc: ldc, bias: bias, bf16: bf16)
    } else {
        _ = BLASSetup.ready
        // OpenBLAS has no bias: C starts as the bias rows, and the product adds into them.
        if let bias { for r in 0..<m { (c + r * ldc).update(from: bias, count: n) } }
        cblas_sgemm(
            CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), bias == nil ? beta : 1, c, Int32(ldc))
    }
    if GEMMClock.isOn { GEMMClock.add(GEMMClock.threadCPUTime() - started, flops: 2 * m * n * k) }
}

/// CPU time spent inside the products, summed over threads, and their floating-point operations,
/// while switched on (the benchmark's split of a step into products and everything else). Off by default: it reads the thread's CPU clock (a
/// system call) twice per product.
enum GEMMClock {
    nonisolated(unsafe) static var isOn = false
    nonisolated(unsafe) private static var seconds: Double = 0
    nonisolated(unsafe) private static var operations = 0
    private static let lock = NSLock()

    static func threadCPUTime() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }

    static func add(_ elapsed: Double, flops: Int) {
        lock.lock()
        seconds += elapsed
        operations += flops
        lock.unlock()
    }

    static var flops: Int {
        lock.lock()
        defer { lock.unlock() }
        return operations
    }

    static var total: Double {
        lock.lock()
        defer { lock.unlock() }
        return seconds
    }
}

/// C = alpha · op(A) · op(B) + beta · C (+ bias), split over the cores when it is large: by rows of C
/// (whole blocks of the micro-kernel's height), or by columns when C has few rows. Each part
/// computes its entries exactly as the whole product would.
func gemm(
    transposeA: Bool = false, transposeB: Bool = false, m: Int, n: Int, k: Int, alpha: Float = 1,
    _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
    beta: Float = 0, _ c: UnsafeMutablePointer<Float>, ldc: Int, bias: UnsafePointer<Float>? = nil
) {
    let cores = Parallel.coreCount
    let flops = 2 * m * n * k
    guard cores > 1, flops >= 8_000_000 else {
        serialGemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                   a, lda: lda, b, ldb: ldb, beta: beta, c, ldc: ldc, bias: bias)
        return
    }
    let block = 32
    if m >= cores * block {
        // Rows of C: rows of op(A).
        let blocks = (m + block - 1) / block
        Parallel.forEachTask(cores) { part in
            let lo = min(m, part * blocks / cores * block), hi = min(m, (part + 1) * blocks / cores * block)
            guard hi > lo else { return }
            serialGemm(transposeA: transposeA, transposeB: transposeB, m: hi - lo, n: n, k: k, alpha: alpha,
                       transposeA ? a + lo : a + lo * lda, lda: lda, b, ldb: ldb, beta: beta, c + lo * ldc, ldc: ldc, bias: bias)
        }
    } else {
        // Columns of C: columns of op(B).
        let blocks = (n + block - 1) / block
        Parallel.forEachTask(cores) { part in
            let lo = min(n, part * blocks / cores * block), hi = min(n, (part + 1) * blocks / cores * block)
            guard hi > lo else { return }
            serialGemm(transposeA: transposeA, transposeB: transposeB, m: m, n: hi - lo, k: k, alpha: alpha,
                       a, lda: lda, transposeB ? b + lo * ldb : b + lo, ldb: ldb, beta: beta, c + lo, ldc: ldc, bias: bias.map { $0 + lo })
        }
    }
}

/// Which library computes which products (fp32; bf16 products always use oneDNN). Measured on this
/// project's machine (benchmarks/NOTES.md, change 14): the two are equally fast on the large products,
/// oneDNN about 1.2x faster on attention's per-head ones; but a row of oneDNN's product depends on
/// how many rows are multiplied together (its blocking follows the row count), OpenBLAS's does not.
public enum Products {
    public enum Library: String, CaseIterable, Sendable { case oneDNN = "onednn", openBLAS = "openblas" }

    /// Products whose row count follows the batch (linear layers, `matmul`, convolutions): OpenBLAS,
    /// so that an image's features do not depend on the batch it is in (the feature cache relies on it).
    nonisolated(unsafe) public static var batchedLibrary = Library.openBLAS
    /// Attention's per-(item, head) products, the same shapes whatever the batch: oneDNN.
    nonisolated(unsafe) public static var perHeadLibrary = Library.oneDNN

    /// The oneDNN implementations chosen so far, with how many cached product shapes use each.
    public static var oneDNNImplementations: [String: Int] { OneDNN.cachedImplementations }
}

public enum BLAS {
    /// The kernel OpenBLAS runs (e.g. "Haswell", "SkylakeX", "Zen").
    public static var coreName: String {
        _ = BLASSetup.ready
        return String(cString: openblas_get_corename())
    }
    /// The kernel OpenBLAS chose itself when it loaded; differs from `coreName` when TensorCore
    /// corrected a fallback to Prescott (see `BLASKernel`).
    public static var coreChosenAtLoad: String { BLASKernel.chosenAtLoad }
    /// OpenBLAS's own thread count: 1, since TensorCore parallelises products itself.
    public static var threadCount: Int {
        _ = BLASSetup.ready
        return Int(openblas_get_num_threads())
    }
    /// Whether TensorCore counts the CPU time its products spend in sgemm (`gemmCPUSeconds`).
    public static var timesProducts: Bool {
        get { GEMMClock.isOn }
        set { GEMMClock.isOn = newValue }
    }
    /// CPU seconds spent in the products, all threads, while `timesProducts` was on.
    public static var gemmCPUSeconds: Double { GEMMClock.total }
    /// Floating-point operations of the products (2 per multiply-add) while `timesProducts` was on.
    public static var gemmFLOPs: Int { GEMMClock.flops }
}
