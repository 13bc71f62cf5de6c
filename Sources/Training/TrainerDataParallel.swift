// Data-parallel training over the ranks of an MPI job. Every rank draws the same global batch
// (the order a single process draws, fixed by the seed), takes its contiguous slice of it
// (whole micro-batches where it can, `slice(of:)`), and weights each micro-batch's loss by its
// share of the GLOBAL batch, so that the summed gradients are the gradient of the global batch's
// mean loss: the one a single process computes, up to the order of the float additions. Every rank then applies the same
// AdamW step to the same summed gradient. A loss that couples its batch would change if the
// batch were split (`BatchCoupling`): with batch statistics every rank computes all of it and
// nothing is summed; with a contrastive loss every rank gathers the others' rows and computes
// the whole batch's loss, whose gradient reaches its own rows only, and those are summed.
// In a world of one all of this is a no-op.
import Cluster
import Foundation
import TensorCore

/// How an example's loss depends on the rest of its batch.
public enum BatchCoupling: Sendable {
    /// Not at all: each rank computes its slice, weighted by its share of the batch.
    case independent
    /// Within each micro-batch (a contrastive loss per micro-batch, as FLYP's and CLIP
    /// pretraining's): the ranks share whole micro-batches and never split one, so ranks beyond
    /// the micro-batch count have nothing to compute.
    case perMicroBatch
    /// Through statistics of the batch's activations (batch norm in training): every rank
    /// computes the whole batch and takes the same step; the steps gain no speed from the ranks.
    case replicated
    /// Through the other examples' outputs (a contrastive loss): every rank draws the whole batch
    /// (the same inputs one process draws) and its loss function computes the rows of its own
    /// share (`MPIWorld.share`), gathers the other ranks' rows as constants and returns the whole
    /// batch's loss. A parameter the whole loss reads directly (a temperature) gets its gradient
    /// on every rank: the loss function must give each rank 1/size of it.
    case gathered
}

extension Trainer {
    /// The positions of a batch of `count` examples this rank draws: its share, or all of a
    /// coupled batch.
    func slice(of count: Int) -> Range<Int> {
        let micro = configuration.microBatchSize
        switch coupling {
        case .independent: return Self.slice(of: count, microBatchSize: micro, rank: world.rank, ranks: world.size)
        case .perMicroBatch: return Self.wholeMicroBatches(of: count, microBatchSize: micro, rank: world.rank, ranks: world.size)
        case .replicated, .gathered: return 0..<count
        }
    }

    /// Rank `rank`'s share of a batch of `count` split into micro-batches of `microBatchSize`:
    /// whole micro-batches of one process's, when there are at least as many as ranks, so that
    /// every micro-batch (its randomness) is the one a single process computes, for any number
    /// of ranks; else a share of the examples, so that every rank works.
    static func slice(of count: Int, microBatchSize: Int, rank: Int, ranks: Int) -> Range<Int> {
        guard (count + microBatchSize - 1) / microBatchSize >= ranks else { return MPIWorld.share(of: count, rank: rank, size: ranks) }
        return wholeMicroBatches(of: count, microBatchSize: microBatchSize, rank: rank, ranks: ranks)
    }

    /// Rank `rank`'s share of the micro-batches of a batch of `count`, as example positions
    /// (empty when there are fewer micro-batches than ranks and none is left for it).
    static func wholeMicroBatches(of count: Int, microBatchSize: Int, rank: Int, ranks: Int) -> Range<Int> {
        let mine = MPIWorld.share(of: (count + microBatchSize - 1) / microBatchSize, rank: rank, size: ranks)
        return min(count, mine.lowerBound * microBatchSize)..<min(count, mine.upperBound * microBatchSize)
    }

    /// The examples of a batch of `count` this rank trains on (its throughput's count).
    func trainedExamples(of count: Int) -> Int {
        switch coupling {
        case .independent, .perMicroBatch: slice(of: count).count
        case .replicated: count
        case .gathered: world.share(of: count).count
        }
    }

    /// Per-example flags the loss function recorded, each tagged with the step it trained in, in
    /// the order one process records them: step by step, and within a step in the batch's order
    /// (the ranks' slices are contiguous and in rank order). Every rank gets them all.
    public func gatheredByStep(_ recorded: [(step: Int, flag: Bool)]) throws -> [Bool] {
        guard world.size > 1, coupling == .independent || coupling == .perMicroBatch else { return recorded.map { $0.flag } }
        let all = try world.allgather(recorded.flatMap { [Float($0.step), $0.flag ? 1 : 0] })
        var byStep: [Int: [Bool]] = [:]
        for start in stride(from: 0, to: all.count, by: 2) { byStep[Int(all[start]), default: []].append(all[start + 1] == 1) }
        return byStep.keys.sorted().flatMap { byStep[$0]! }
    }

    /// Sums every trained parameter's gradient over the ranks, bucketed. A rank whose slice
    /// left a parameter without a gradient contributes zeros.
    func allreduceGradients() throws {
        guard world.size > 1 else { return }
        let tensors = optimizer.parameters.map(\.tensor)
        for tensor in tensors where tensor.grad == nil { tensor.grad = Tensor(zeros: tensor.shape) }
        try GradientAllreduce.sum(gradientsOf: tensors, over: world)
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

/// How the trainer sums gradients over the ranks: small gradients are packed together into
/// buckets of `bucketFloats`, larger ones are reduced in place (fewer, larger messages). The
/// cost chapter times this same call.
public enum GradientAllreduce {
    /// 16 MiB of floats per packed all-reduce.
    public static let bucketFloats = 4 << 20

    /// The MPI_Allreduce calls for tensors of `counts` floats, in order: each the indices of the
    /// tensors it carries (one index for a tensor reduced in place).
    public static func buckets(_ counts: [Int]) -> [[Int]] {
        var buckets: [[Int]] = [], bucket: [Int] = [], filled = 0
        for (index, count) in counts.enumerated() {
            if count > bucketFloats {
                buckets.append([index])
                continue
            }
            if filled + count > bucketFloats { (buckets, bucket, filled) = (buckets + [bucket], [], 0) }
            bucket.append(index)
            filled += count
        }
        return bucket.isEmpty ? buckets : buckets + [bucket]
    }

    /// Sums the gradients of `tensors` (every one must have a gradient) over the ranks of `world`, in place.
    public static func sum(gradientsOf tensors: [Tensor], over world: MPIWorld) throws {
        guard world.size > 1 else { return }
        let staging = UnsafeMutableBufferPointer<Float>.allocate(capacity: bucketFloats)
        defer { staging.deallocate() }
        for bucket in buckets(tensors.map(\.count)) {
            let grads = bucket.map { tensors[$0].grad! }
            if grads.count == 1, grads[0].count > bucketFloats {
                try world.allreduceSum(UnsafeMutableBufferPointer(start: grads[0].pointer, count: grads[0].count))
                continue
            }
            var offset = 0
            for grad in grads {
                (staging.baseAddress! + offset).update(from: grad.pointer, count: grad.count)
                offset += grad.count
            }
            try world.allreduceSum(UnsafeMutableBufferPointer(rebasing: staging[0..<offset]))
            offset = 0
            for grad in grads {
                grad.pointer.update(from: staging.baseAddress! + offset, count: grad.count)
                offset += grad.count
            }
        }
    }
}
