// Joining tensors along one axis (torch.cat): an encoder layer's query, key and value weights
// (axis 0), DenseNet's channels ([B, C, H, W], axis 1) and CaiT's class token before the patch
// tokens ([B, T, D], axis 1).

/// The parts side by side along `axis`; they must agree on every other axis. When every axis
/// before `axis` has length 1 (axis 0, say) and the parts already lie one after another in one
/// storage (parameters allocated together), the result is a view and nothing is copied.
public func concatenated(_ parts: [Tensor], axis: Int = 0) -> Tensor {
    precondition(!parts.isEmpty && (0..<parts[0].rank).contains(axis), "concatenated: no parts, or no axis \(axis)")
    let first = parts[0].shape
    for part in parts {
        precondition(part.rank == first.count && (0..<first.count).allSatisfy { $0 == axis || part.shape[$0] == first[$0] },
                     "concatenated: \(part.shape) does not fit \(first) along axis \(axis)")
    }
    let outer = first[..<axis].reduce(1, *)
    // Each part contributes a contiguous run of `run` values to every outer index.
    let runs = parts.map { $0.count / max(outer, 1) }, total = runs.reduce(0, +)
    var shape = first
    shape[axis] = parts.map { $0.shape[axis] }.reduce(0, +)
    var adjacent = outer == 1, next = parts[0].offset
    for part in parts {
        adjacent = adjacent && part.storage === parts[0].storage && part.offset == next
        next = part.offset + part.count
    }
    let y: Tensor
    if adjacent {
        y = Tensor(shape: shape, storage: parts[0].storage, offset: parts[0].offset)
    } else {
        y = Tensor(uninitializedShape: shape)
        var start = 0
        for (part, run) in zip(parts, runs) {
            for o in 0..<outer { (y.pointer + o * total + start).update(from: part.pointer + o * run, count: run) }
            start += run
        }
    }
    return y.recording(parts) { g in
        var start = 0
        return zip(parts, runs).map { part, run in
            defer { start += run }
            guard part.needsGrad else { return nil }
            // With one outer index each part's gradient is a slice of the incoming one, viewed in place.
            if outer == 1 { return Tensor(shape: part.shape, storage: g.storage, offset: g.offset + start) }
            let d = Tensor(uninitializedShape: part.shape)
            for o in 0..<outer { (d.pointer + o * run).update(from: g.pointer + o * total + start, count: run) }
            return d
        }
    }
}
