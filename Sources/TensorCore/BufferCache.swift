// Large tensor buffers are recycled. A training step allocates the same sizes every step (and
// backward allocates gradients the size of the activations it frees); fresh memory from the
// kernel costs a page fault and a zeroing per 4 KB page, which was about 5% of a ViT-B/16 step.
// Freed buffers of at least 256 KB are kept, by exact size, up to `TensorMemory.cacheLimit` bytes,
// and the least recently freed are released first when it is exceeded.
import Foundation

public enum TensorMemory {
    /// Bytes of freed buffers kept for reuse (default: 1/8 of physical memory, at most 4 GiB).
    /// Setting it releases whatever exceeds the new limit.
    public static var cacheLimit: Int {
        get { BufferCache.shared.withLock { $0.limit } }
        set { BufferCache.shared.withLock { $0.limit = max(0, newValue); $0.trim() } }
    }

    /// Bytes currently kept for reuse (not in use by any tensor).
    public static var cachedBytes: Int { BufferCache.shared.withLock { $0.bytes } }

    /// Returns every cached buffer to the system.
    public static func releaseCache() { BufferCache.shared.withLock { $0.trim(to: 0) } }
}

final class BufferCache: @unchecked Sendable {
    static let shared = BufferCache()
    /// Buffers smaller than this (in floats) go straight to and from the allocator.
    static let minimumCount = 1 << 16

    struct State {
        var limit = min(4 << 30, Int(ProcessInfo.processInfo.physicalMemory / 8))
        var bytes = 0
        var clock = 0
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
               guard let entry = state.free[count]?.popLast() else { return nil }
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
