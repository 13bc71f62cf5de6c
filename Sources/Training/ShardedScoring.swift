// Evaluation split across the ranks of an MPI job: each rank scores a contiguous block of the
// batches a single process would score (the same batch boundaries, so every image's numbers are
// bit for bit a single process's), and the per-image results are gathered in rank order, which
// is image order. In a world of one nothing is split or gathered.
import Cluster
import TensorCore

extension MPIWorld {
    /// The batches of `batchSize` over `examples` items that this rank computes, as item ranges.
    public func shareOfBatches(examples: Int, batchSize: Int) -> [Range<Int>] {
        let starts = Array(stride(from: 0, to: examples, by: batchSize))
        return starts[share(of: starts.count)].map { $0..<min(examples, $0 + batchSize) }
    }

    /// Every rank's rows of `width` floats, concatenated in rank order into a [rows, width] tensor.
    public func allgatherRows(_ rows: [Float], width: Int) throws -> Tensor {
        let all = try allgather(rows)
        return Tensor(shape: [all.count / width, width], scalars: all)
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
