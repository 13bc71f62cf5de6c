// The tensor: Float32, row-major, contiguous. Reference semantics, as torch.Tensor has:
// operations return new tensors, and views (reshape, leading-axis slices) share storage.
import Foundation

/// An owned, 64-byte aligned Float32 buffer (large ones recycled through `TensorMemory`'s cache;
/// its contents start undefined).
public final class Storage: @unchecked Sendable {
    public let base: UnsafeMutablePointer<Float>
    public let count: Int

    public init(count: Int) {
        self.count = count
        base = BufferCache.allocate(count: count).bindMemory(to: Float.self, capacity: max(count, 1))
    }

    deinit { BufferCache.free(UnsafeMutableRawPointer(base), count: count) }
}

public final class Tensor: @unchecked Sendable {
    public let shape: [Int]
    public let storage: Storage
    /// Offset of element 0 in `storage`, for views that share it.
    public let offset: Int

    /// Set on leaves whose gradient `backward()` should accumulate into `grad`.
    public var requiresGrad: Bool
    public var grad: Tensor?
    /// The operation that produced this tensor, when it was recorded for autograd.
    var node: Node?

    public init(shape: [Int], storage: Storage, offset: Int = 0, requiresGrad: Bool = false) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in \(shape)")
        precondition(offset + shape.reduce(1, *) <= storage.count, "view \(shape)+\(offset) exceeds storage of \(storage.count)")
        self.shape = shape
        self.storage = storage
        self.offset = offset
        self.requiresGrad = requiresGrad
    }

    /// Uninitialised memory: every kernel that uses it writes all elements first.
    public convenience init(uninitializedShape shape: [Int]) {
        self.init(shape: shape, storage: Storage(count: shape.reduce(1, *)))
    }

    public convenience init(zeros shape: [Int]) {
        self.init(repeating: 0, shape: shape)
    }

    public convenience init(repeating value: Float, shape: [Int]) {
        self.init(uninitializedShape: shape)
        pointer.update(repeating: value, count: count)
    }

    public convenience init(shape: [Int], scalars: [Float]) {
        precondition(shape.reduce(1, *) == scalars.count, "shape \(shape) does not hold \(scalars.count) scalars")
        self.init(uninitializedShape: shape)
        scalars.withUnsafeBufferPointer { pointer.update(from: $0.baseAddress!, count: count) }
    }

    public convenience init(shape: [Int], copying source: UnsafePointer<Float>) {
        self.init(uninitializedShape: shape)
        pointer.update(from: source, count: count)
    }

    public var count: Int { shape.reduce(1, *) }
    public var rank: Int { shape.count }
    /// First element; elements are contiguous in row-major order.
    public var pointer: UnsafeMutablePointer<Float> { storage.base + offset }
    public var buffer: UnsafeMutableBufferPointer<Float> { UnsafeMutableBufferPointer(start: pointer, count: count) }
    public var scalars: [Float] { Array(buffer) }

    /// The single value of a one-element tensor.
    public var item: Float {
        precondition(count == 1, "item of a tensor of shape \(shape)")
        return pointer[0]
    }

    /// The tensor as rows of its last axis (a matrix as an array of rows).
    public var rows: [[Float]] {
        let width = shape.last ?? 0
        return (0..<(count / max(width, 1))).map { Array(buffer[($0 * width)..<(($0 + 1) * width)]) }
    }

    /// A copy that does not take part in autograd.
    public func copy() -> Tensor { Tensor(shape: shape, copying: pointer) }

    /// The same values, cut from the autograd graph (shares storage).
    public func detached() -> Tensor { Tensor(shape: shape, storage: storage, offset: offset) }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let preview = buffer.prefix(8).map { String(format: "%.5g", $0) }.joined(separator: ", ")
        return "Tensor(\(shape): [\(preview)\(count > 8 ? ", ..." : "")])"
    }
}
