import Dispatch
import Foundation

/// `body(0..<count)` on `workers` threads, results in index order. Work is claimed one index at
/// a time, so uneven items (a large JPEG beside a small one) keep both cores busy.
func concurrentMap<T>(_ count: Int, workers: Int = 2, _ body: (Int) -> T) -> [T] {
    let results = UnsafeMutableBufferPointer<T?>.allocate(capacity: count)
    results.initialize(repeating: nil)
    defer { results.deallocate() }
    let claim = NSLock()
    var next = 0
    DispatchQueue.concurrentPerform(iterations: max(1, min(workers, count))) { _ in
        while true {
            claim.lock()
            let index = next
            next += 1
            claim.unlock()
            guard index < count else { return }
            results[index] = body(index)
        }
    }
    return results.map { $0! }
}
