// Data-parallel training over the ranks of an MPI job. Every rank draws the same global batch
// (the order a single process draws, fixed by the seed), takes its contiguous slice of it
// (`MPIWorld.share`), and weights each micro-batch's loss by its share of the GLOBAL batch, so
// that the summed gradients are the gradient of the global batch's mean loss: the one a single
// process computes, up to the order of the float additions. Every rank then applies the same
// AdamW step to the same summed gradient. A coupled batch (`coupledBatches`: a contrastive loss,
// batch statistics) would change its loss if split, so every rank computes all of it, the same
// gradient, and nothing is summed: the ranks speed up the sharded work around it, not its steps.
// In a world of one all of this is a no-op.
import Cluster
import Foundation
import TensorCore

extension Trainer {
    /// The positions of a batch of `count` examples this rank computes: its share, or all of a
    /// coupled batch.
    func slice(of count: Int) -> Range<Int> {
        coupledBatches ? 0..<count : world.share(of: count)
    }

    /// Per-example flags the loss function recorded, each tagged with the step it trained in, in
    /// the order one process records them: step by step, and within a step in the batch's order
    /// (the ranks' slices are contiguous and in rank order). Every rank gets them all.
    public func gatheredByStep(_ recorded: [(step: Int, flag: Bool)]) throws -> [Bool] {
        guard world.size > 1, !coupledBatches else { return recorded.map { $0.flag } }
        let all = try world.allgather(recorded.flatMap { [Float($0.step), $0.flag ? 1 : 0] })
        var byStep: [Int: [Bool]] = [:]
        for start in stride(from: 0, to: all.count, by: 2) { byStep[Int(all[start]), default: []].append(all[start + 1] == 1) }
        return byStep.keys.sorted().flatMap { byStep[$0]! }
    }

    /// Floats per all-reduce: small gradients are packed together into buckets of this size,
    /// larger ones are reduced in place (fewer, larger messages).
    static let bucketFloats = 4 << 20

    /// Sums every trained parameter's gradient over the ranks, bucketed. A rank whose slice
    /// left a parameter without a gradient contributes zeros.
    func allreduceGradients() throws {
        guard world.size > 1 else { return }
        let tensors = optimizer.parameters.map(\.tensor)
        for tensor in tensors where tensor.grad == nil { tensor.grad = Tensor(zeros: tensor.shape) }
        var bucket: [Tensor] = [], filled = 0
        let staging = UnsafeMutableBufferPointer<Float>.allocate(capacity: Self.bucketFloats)
        defer { staging.deallocate() }
        func flush() throws {
            guard !bucket.isEmpty else { return }
            var offset = 0
            for tensor in bucket {
                (staging.baseAddress! + offset).update(from: tensor.grad!.pointer, count: tensor.count)
                offset += tensor.count
            }
            try world.allreduceSum(UnsafeMutableBufferPointer(rebasing: staging[0..<filled]))
            offset = 0
            for tensor in bucket {
                tensor.grad!.pointer.update(from: staging.baseAddress! + offset, count: tensor.count)
                offset += tensor.count
            }
            (bucket, filled) = ([], 0)
        }
        for tensor in tensors {
            if tensor.count > Self.bucketFloats {
                try world.allreduceSum(UnsafeMutableBufferPointer(start: tensor.grad!.pointer, count: tensor.count))
                continue
            }
            if filled + tensor.count > Self.bucketFloats { try flush() }
            bucket.append(tensor)
            filled += tensor.count
        }
        try flush()
    }

    /// Makes every rank start from rank 0's state: its step (a resumed checkpoint's), its
    /// parameters (trained and frozen) and AdamW's moments and step counts. Rank 0 alone need
    /// have read a checkpoint.
    func synchronizeWithLeader() throws {
        guard world.size > 1 else { return }
        step = try world.broadcast(step)
        optimizer.stepCounts = try world.broadcast(optimizer.stepCounts)
        let tensors = parameters.map(\.tensor) + optimizer.firstMoments + optimizer.secondMoments
        for tensor in tensors {
            try world.broadcast(UnsafeMutableRawBufferPointer(start: tensor.pointer, count: tensor.count * MemoryLayout<Float>.stride))
        }
    }

    /// Records every rank's examples per second (rank order) for the results file.
    func recordThroughput(examples: Int, seconds: Double) throws {
        let mine = seconds > 0 ? Float(Double(examples) / seconds) : 0
        world.trainingThroughput = try world.allgather([mine]).map(Double.init)
    }
}
