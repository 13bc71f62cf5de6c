// Evaluation split across the ranks of an MPI job: each rank scores a contiguous block of the
// batches a single process would score (the same batch boundaries, so every image's numbers are
// bit for bit a single process's), and the per-image results are gathered in rank order, which
// is image order. In a world of one nothing is split or gathered.
import Cluster
import TensorCore

extension MPIWorld {
    /// Every rank's rows of `width` floats, concatenated in rank order into a [rows, width] tensor.
    public func allgatherRows(_ rows: [Float], width: Int) throws -> Tensor {
        let all = try allgather(rows)
        return Tensor(shape: [all.count / width, width], scalars: all)
    }

    /// The [count, width] rows of `count` items, computed `batchSize` items at a time with
    /// gradients off: this rank its share of the batches, then every rank's rows, in item order,
    /// on every rank. `progress` hears how many items this rank has done after each batch.
    public func shardedRows(count: Int, batchSize: Int, width: Int, progress: ((Int) -> Void)? = nil,
                            _ rowsOf: (Range<Int>) throws -> Tensor) throws -> Tensor {
        var rows: [Float] = []
        for range in shareOfBatches(examples: count, batchSize: batchSize) {
            let batch = try GradMode.with(enabled: false) { try rowsOf(range) }
            precondition(batch.shape == [range.count, width], "shardedRows: rows \(batch.shape) for items \(range) of width \(width)")
            rows += UnsafeBufferPointer(start: batch.pointer, count: batch.count)
            progress?(range.upperBound)
        }
        return try allgatherRows(rows, width: width)
    }
}

extension ClassificationHits {
    /// Every rank's hits (each for a contiguous block of images), in rank order.
    func gathered(over world: MPIWorld) throws -> ClassificationHits {
        guard world.size > 1 else { return self }
        var encoded: [Float] = []
        for (label, (first, fifth)) in zip(labels, zip(top1, top5)) { encoded += [Float(label), first ? 1 : 0, fifth ? 1 : 0] }
        let all = try world.allgather(encoded)
        var gathered = ClassificationHits(classNames: classNames)
        for start in stride(from: 0, to: all.count, by: 3) {
            gathered.append(label: Int(all[start]), top1: all[start + 1] == 1, top5: all[start + 2] == 1)
        }
        return gathered
    }
}
