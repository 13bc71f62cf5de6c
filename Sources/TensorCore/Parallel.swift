// Elementwise and row-wise kernels split their work over the cores when it is large enough to
// pay for the hand-off; so do the large matrix products (see `gemm`), OpenBLAS itself running
// single-threaded.
import Dispatch
import Foundation

public enum Parallel {
    /// The cores this process may run on: its CPU affinity mask, which `taskset`, `mpirun --bind-to`
    /// and Slurm's `--cpus-per-task` set (as OpenMP's default thread count does), else every core.
    /// So ranks bound to their own cores do not each start a thread per core of the machine.
    public static let coreCount = allowedCoreCount() ?? ProcessInfo.processInfo.activeProcessorCount

    /// The bits set in `Cpus_allowed` of /proc/self/status (a hex mask, comma-separated in words).
    static func allowedCoreCount(status: String? = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) -> Int? {
        guard let line = status?.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed:") }) else { return nil }
        let count = line.dropFirst("Cpus_allowed:".count).compactMap { $0.hexDigitValue?.nonzeroBitCount }.reduce(0, +)
        return count > 0 ? count : nil
    }

    /// Runs `body` on disjoint chunks covering 0..<count, in parallel when `count · costPerItem`
    /// is large. Chunks are contiguous, so results do not depend on the thread count.
    public static func forEachChunk(_ count: Int, costPerItem: Int = 1, _ body: (Range<Int>) -> Void) {
        let chunks = min(coreCount, max(1, count * costPerItem / 32_768), count)
        if chunks <= 1 {
            if count > 0 { body(0..<count) }
            return
        }
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            body((chunk * count / chunks)..<((chunk + 1) * count / chunks))
        }
    }

    /// Runs `body(0)`, ..., `body(count − 1)` concurrently (one task per index; `count` is
    /// usually the core count).
    static func forEachTask(_ count: Int, _ body: (Int) -> Void) {
        if count == 1 { body(0); return }
        DispatchQueue.concurrentPerform(iterations: count, execute: body)
    }

    /// Sums of `width` columns over `rows` rows of a row-major matrix.
    static func columnSums(_ x: UnsafePointer<Float>, rows: Int, width: Int, into out: UnsafeMutablePointer<Float>) {
        columnSums(rows: rows, width: width, into: out) { r, acc in
            let row = x + r * width
            for i in 0..<width { acc[i] += row[i] }
        }
    }

    /// Column sums of a matrix given row by row: `add(r, acc)` adds row r's contribution into
    /// `acc` (`width` long). Rows are summed in fixed blocks of 64, the blocks in parallel, then
    /// the block sums in order: the result does not depend on the core count.
    static func columnSums(rows: Int, width: Int, into out: UnsafeMutablePointer<Float>,
                           _ add: (Int, UnsafeMutablePointer<Float>) -> Void) {
        let blockRows = 64, blocks = (rows + blockRows - 1) / blockRows
        out.update(repeating: 0, count: width)
        guard blocks > 1 else {
            for r in 0..<rows { add(r, out) }
            return
        }
        let partials = UnsafeMutablePointer<Float>.allocate(capacity: blocks * width)
        defer { partials.deallocate() }
        partials.initialize(repeating: 0, count: blocks * width)
        forEachChunk(blocks, costPerItem: blockRows * width) { range in
            for block in range {
                let acc = partials + block * width
                for r in (block * blockRows)..<min(rows, (block + 1) * blockRows) { add(r, acc) }
            }
        }
        for block in 0..<blocks {
            let acc = partials + block * width
            for i in 0..<width { out[i] += acc[i] }
        }
    }
}
