// Large tensor buffers are recycled. A training step allocates the same sizes every step (and
// backward allocates gradients the size of the activations it frees); fresh memory from the
// kernel costs a page fault and a zeroing per 4 KB page, which was about 5% of a ViT-B/16 step.
// Freed buffers of at least 256 KB are kept, by exact size, up to `TensorMemory.cacheLimit` bytes,
// and the least recently freed are released first when it is exceeded. In a loop that allocates
// the same sizes again (training steps, inference batches) the cache does not add to the peak: each
// request is served by a buffer freed since the previous iteration's request of that size. (An
// earlier version released as many cached bytes as a missed request asked for, to bound the cache
// by construction; backward's first misses then evicted what its later requests needed, and every
// step went back to the kernel for 2.5 GB at batch 8.)
import Foundation

public enum TensorMemory {
    /// Bytes of freed buffers kept for reuse (default: a quarter of physical memory). The cache
    /// keeps what it is given up to this limit, so a process whose tensor sizes keep changing (text
    /// batches padded to different lengths, say) holds that much more than it uses: such a process
    /// can lower the limit, or call `releaseCache()` between phases. Setting it releases whatever
    /// exceeds the new limit.
    public static var cacheLimit: Int {
        get { BufferCache.shared.withLock { $0.limit } }
        set { BufferCache.shared.withLock { $0.limit = max(0, newValue); $0.trim() } }
    }

    /// Bytes currently kept for reuse (not in use by any tensor).
    public static var cachedBytes: Int { BufferCache.shared.withLock { $0.bytes } }

    /// Large-buffer requests served from the cache and from the system, since the start.
    public static var statistics: (hits: Int, misses: Int, missedBytes: Int) {
        BufferCache.shared.withLock { ($0.hits, $0.misses, $0.missedBytes) }
    }

    /// Returns every cached buffer to the system.
    public static func releaseCache() { BufferCache.shared.withLock { $0.trim(to: 0) } }
}

final class BufferCache: @unchecked Sendable {
    static let shared = BufferCache()
    /// Buffers smaller than this (in floats) go straight to and from the allocator.
    static let minimumCount = 1 << 16

    struct State {
        var limit = Int(ProcessInfo.processInfo.physicalMemory / 4)
        var bytes = 0
        var clock = 0
        var hits = 0, misses = 0, missedBytes = 0
        /// Free buffers by float count, oldest first, each with the time it was freed.
        var free: [Int: [(pointer: UnsafeMutableRawPointer, time: Int)]] = [:]

        mutating func trim(to target: Int? = nil) {
            let target = target ?? limit
            while bytes > target {
                // The least recently freed buffer: the oldest entry of some bucket.
                guard let count = free.min(by: { $0.value[0].time < $1.value[0].time })?.key else { break }
                let entry = free[count]!.removeFirst()
                if free[count]!.isEmpty { free[count] = nil }
                bytes -= count * MemoryLayout<Float>.stride
                entry.pointer.deallocate()
            }
        }
    }

    private var state = State()
    private let lock = NSLock()

    func withLock<T>(_ body: (inout State) -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body(&state)
    }

    static func allocate(count: Int) -> UnsafeMutableRawPointer {
        if count >= minimumCount,
           let pointer = shared.withLock({ state -> UnsafeMutableRawPointer? in
               guard let entry = state.free[count]?.popLast() else {
                   state.misses += 1
                   state.missedBytes += count * MemoryLayout<Float>.stride
                   return nil
               }
               state.hits += 1
               if state.free[count]!.isEmpty { state.free[count] = nil }
               state.bytes -= count * MemoryLayout<Float>.stride
               return entry.pointer
           }) {
            return pointer
        }
        return UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * MemoryLayout<Float>.stride, alignment: 64)
    }

    static func free(_ pointer: UnsafeMutableRawPointer, count: Int) {
        let bytes = count * MemoryLayout<Float>.stride
        guard count >= minimumCount else {
            pointer.deallocate()
            return
        }
        let kept = shared.withLock { state -> Bool in
            guard bytes <= state.limit else { return false }
            state.clock += 1
            state.free[count, default: []].append((pointer, state.clock))
            state.bytes += bytes
            state.trim()
            return true
        }
        if !kept { pointer.deallocate() }
    }
}
