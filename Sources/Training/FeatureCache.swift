// The outputs of a frozen part of a model (e.g. the first 11 blocks of a ViT, [T, D] per image),
// computed once so that fine-tuning what follows costs only the trained part's forward and
// backward. They stay in memory, or go to disk as safetensors shards (one tensor per item, read
// through a memory map) when they would not fit. A disk cache records its key and shape in a
// manifest written last; a later run with the same key reuses it instead of recomputing.
//
// The features must not depend on randomness (no random augmentation before the frozen part).
//
// Under MPI the ranks share the work in rounds: in round k rank r computes batch k·size + r
// (a single process's batch boundaries, so every feature is bit for bit its), and a round's
// features, gathered in rank order, are consecutive items. Every rank gathers an in-memory
// cache; a disk cache is gathered, written and its manifest published by rank 0 alone, and the
// other ranks open it after a barrier (the cache directory must be shared).
import Checkpoints
import Cluster
import Foundation
import TensorCore

public final class FeatureCache {
    public enum Location: Sendable {
        case memory
        case disk(URL)
        /// In memory when all features take at most `memoryBudget` bytes, else on disk.
        case automatic(directory: URL, memoryBudget: Int)
    }

    public let count: Int
    public let itemShape: [Int]
    private let store: Store

    private enum Store {
        case memory(Tensor)
        case disk(shards: [SafeTensorsFile], itemsPerShard: Int)
    }

    struct Manifest: Codable {
        static let fileName = "features.json"
        var key: String
        var count: Int
        var itemShape: [Int]
        var itemsPerShard: Int
        var shards: [String]
    }

    /// Features of items 0..<count. `compute` returns them for a range of items, shaped
    /// [range.count] + itemShape; it runs batch by batch with gradients off, on the batches of
    /// `batchesComputedHere`, in order. `key` names what produced them (model, frozen layers,
    /// preprocessing, dataset) so that a stale disk cache is never reused.
    public init(count: Int, batchSize: Int, location: Location, key: String,
                shardBytes: Int = 256 << 20, compute: (Range<Int>) throws -> Tensor) throws {
        precondition(count > 0 && batchSize > 0, "FeatureCache: needs items and a positive batch size")
        self.count = count
        let world = MPIWorld.current
        let directory: URL?
        switch location {
        case .memory: directory = nil
        case let .disk(url), let .automatic(url, _): directory = url
        }
        // Rank 0 decides whether a finished cache is reused, so that every rank does the same.
        if let directory,
           let manifest = try world.broadcast(world.isLeader ? Self.completeManifest(in: directory, key: key, count: count) : nil) {
            itemShape = manifest.itemShape
            store = .disk(shards: try Self.open(manifest, in: directory), itemsPerShard: manifest.itemsPerShard)
            return
        }

        let first = try Self.batchesComputedHere(count: count, batchSize: batchSize).first.map { range in
            try GradMode.with(enabled: false) { try compute(range) }
        }
        // Rank 0 always computes the first batch.
        let itemShape = try world.broadcast(first.map { Array($0.shape.dropFirst()) } ?? [])
        self.itemShape = itemShape
        let itemCount = itemShape.reduce(1, *), bytes = count * itemCount * MemoryLayout<Float>.size
        let onDisk: Bool
        switch location {
        case .memory: onDisk = false
        case .disk: onDisk = true
        case let .automatic(_, budget): onDisk = bytes > budget
        }
        let rounds = Rounds(count: count, batchSize: batchSize, itemShape: itemShape, first: first, world: world)
        if let directory, onDisk {
            let itemsPerShard = max(1, shardBytes / max(1, itemCount * MemoryLayout<Float>.size))
            let shards = (0..<((count + itemsPerShard - 1) / itemsPerShard)).map { String(format: "features-%05d.safetensors", $0) }
            let manifest = Manifest(key: key, count: count, itemShape: itemShape, itemsPerShard: itemsPerShard, shards: shards)
            try Self.write(manifest, to: directory, rounds: rounds, compute: compute)
            try world.barrier()
            store = .disk(shards: try Self.open(manifest, in: directory), itemsPerShard: itemsPerShard)
        } else {
            let all = Tensor(uninitializedShape: [count] + itemShape)
            try rounds.forEach(leaderOnly: false, compute: compute) { range, features in
                (all.pointer + range.lowerBound * itemCount).update(from: features.pointer, count: range.count * itemCount)
            }
            store = .memory(all)
        }
    }

    /// The batches (item ranges) that this rank computes: every one in a single process.
    public static func batchesComputedHere(count: Int, batchSize: Int) -> [Range<Int>] {
        let world = MPIWorld.current
        return stride(from: world.rank * batchSize, to: count, by: batchSize * world.size).map { $0..<min(count, $0 + batchSize) }
    }

    /// The features of `indices`, stacked: [indices.count] + itemShape.
    public func features(_ indices: [Int]) throws -> Tensor {
        let itemCount = itemShape.reduce(1, *)
        let result = Tensor(uninitializedShape: [indices.count] + itemShape)
        for (row, index) in indices.enumerated() {
            precondition((0..<count).contains(index), "FeatureCache: item \(index) out of range 0..<\(count)")
            let target = result.pointer + row * itemCount
            switch store {
            case let .memory(all):
                target.update(from: all.pointer + index * itemCount, count: itemCount)
            case let .disk(shards, itemsPerShard):
                let item = try shards[index / itemsPerShard].tensor(String(index), shape: itemShape)
                target.update(from: item.pointer, count: itemCount)
            }
        }
        return result
    }

    /// Computes every feature into shards of `manifest.itemsPerShard` items, then the manifest;
    /// rank 0 writes, the other ranks compute their batches for it.
    private static func write(_ manifest: Manifest, to directory: URL, rounds: Rounds, compute: (Range<Int>) throws -> Tensor) throws {
        let manager = FileManager.default
        let manifestURL = directory.appendingPathComponent(Manifest.fileName)
        let leader = rounds.world.isLeader
        do {
            if leader {
                try manager.createDirectory(at: directory, withIntermediateDirectories: true)
                if manager.fileExists(atPath: manifestURL.path) { try manager.removeItem(at: manifestURL) }
            }
        } catch {
            throw TrainingError.writeFailed(file: manifestURL.path, reason: error.localizedDescription)
        }
        var pending: [String: Tensor] = [:]
        var shard = 0
        func flush() throws {
            try writeSafeTensors(pending, metadata: ["key": manifest.key],
                                 to: directory.appendingPathComponent(manifest.shards[shard]))
            pending = [:]
            shard += 1
        }
        try rounds.forEach(leaderOnly: true, compute: compute) { range, features in
            for index in range {
                pending[String(index)] = features.slice((index - range.lowerBound)..<(index - range.lowerBound + 1))
                    .reshaped(manifest.itemShape)
                if (index + 1) % manifest.itemsPerShard == 0 || index + 1 == manifest.count { try flush() }
            }
        }
        guard leader else { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        do {
            try encoder.encode(manifest).write(to: manifestURL, options: .atomic)
        } catch {
            throw TrainingError.writeFailed(file: manifestURL.path, reason: error.localizedDescription)
        }
    }

    /// The manifest of a finished cache of `count` items under `key` in `directory`, if any.
    private static func completeManifest(in directory: URL, key: String, count: Int) -> Manifest? {
        let url = directory.appendingPathComponent(Manifest.fileName)
        guard let data = try? Data(contentsOf: url), let manifest = try? JSONDecoder().decode(Manifest.self, from: data),
              manifest.key == key, manifest.count == count else { return nil }
        return manifest
    }

    private static func open(_ manifest: Manifest, in directory: URL) throws -> [SafeTensorsFile] {
        try manifest.shards.map { name in
            let file = try SafeTensorsFile(contentsOf: directory.appendingPathComponent(name))
            guard file.metadata["key"] == manifest.key else {
                throw TrainingError.badFeatureCache(file: file.url.path, reason: "its key '\(file.metadata["key"] ?? "")' is not '\(manifest.key)'")
            }
            return file
        }
    }
}

/// The batches of a feature cache, round by round: in round k rank r computes batch k·size + r.
private struct Rounds {
    let count: Int
    let batchSize: Int
    let itemShape: [Int]
    /// This rank's first batch's features, already computed (nil if it has no batch).
    let first: Tensor?
    let world: MPIWorld

    /// Calls `body` with each round's items and their features [range.count] + itemShape, on
    /// every rank, or on rank 0 alone when `leaderOnly` (the others only compute and send).
    func forEach(leaderOnly: Bool, compute: (Range<Int>) throws -> Tensor, _ body: (Range<Int>, Tensor) throws -> Void) throws {
        let roundItems = batchSize * world.size
        for (round, start) in stride(from: 0, to: count, by: roundItems).enumerated() {
            let mine = start + world.rank * batchSize
            var features: Tensor?
            if mine < count {
                let range = mine..<min(count, mine + batchSize)
                let computed = try round == 0 ? first! : GradMode.with(enabled: false) { try compute(range) }
                precondition(computed.shape == [range.count] + itemShape,
                             "FeatureCache: features of items \(range) have shape \(computed.shape), expected [\(range.count)] + \(itemShape)")
                features = computed
            }
            let range = start..<min(count, start + roundItems)
            guard world.size > 1 else {
                try body(range, features!)
                continue
            }
            let sent = features.map { Array(UnsafeBufferPointer(start: $0.pointer, count: $0.count)) } ?? []
            let gathered = try leaderOnly ? world.gather(sent) : world.allgather(sent)
            if leaderOnly && !world.isLeader { continue }
            try body(range, Tensor(shape: [range.count] + itemShape, scalars: gathered))
        }
    }
}
