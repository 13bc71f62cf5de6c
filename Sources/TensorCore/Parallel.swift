// Elementwise and row-wise kernels split their work over the cores when it is large enough to
// pay for the hand-off; OpenBLAS parallelises the GEMMs itself.
import Dispatch
import Foundation

public enum Parallel {
    public static let coreCount = ProcessInfo.processInfo.activeProcessorCount

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
}
