import Foundation
import Imaging
import Testing
@testable import Datasets

/// A dataset of tiny solid images whose red channel is the index; it counts loads and can fail.
private final class Probe: Dataset, @unchecked Sendable {
    let count: Int
    let failing: Int?
    let classNames = ["even", "odd"]
    private let lock = NSLock()
    private var loadedCount = 0

    init(count: Int, failing: Int? = nil) {
        self.count = count
        self.failing = failing
    }

    var loaded: Int {
        lock.lock()
        defer { lock.unlock() }
        return loadedCount
    }

    func label(at index: Int) -> Int { index % 2 }

    func image(at index: Int) throws -> Image {
        lock.lock()
        loadedCount += 1
        lock.unlock()
        if index == failing { throw DatasetError.corruptImage(file: "probe/\(index).jpg", reason: "broken on purpose") }
        return Image(width: 1, height: 1, pixels: [UInt8(index % 256), 0, 0])
    }
}

@Suite struct BatchStreamTests {
    private func drain(_ stream: BatchStream<Int>) throws -> [Batch<Int>] {
        var batches: [Batch<Int>] = []
        while let batch = try stream.next() { batches.append(batch) }
        return batches
    }

    @Test func visitsEverySampleOnceInASeededOrder() throws {
        let probe = Probe(count: 103)
        let batches = try drain(BatchStream(probe, batchSize: 10, order: .shuffled(seed: 4)) { Int($0.pixels[0]) })
        #expect(batches.count == 11 && batches.last?.items.count == 3)
        let indices = batches.flatMap(\.indices)
        #expect(indices.sorted() == Array(0..<103) && indices != Array(0..<103))
        for batch in batches {
            #expect(batch.items == batch.indices)
            #expect(batch.labels == batch.indices.map { $0 % 2 })
        }
        let again = try drain(BatchStream(probe, batchSize: 10, order: .shuffled(seed: 4), workers: 1) { Int($0.pixels[0]) })
        #expect(again.flatMap(\.indices) == indices)
        let other = try drain(BatchStream(probe, batchSize: 10, order: .shuffled(seed: 5)) { Int($0.pixels[0]) })
        #expect(other.flatMap(\.indices) != indices)
        let sequential = try drain(BatchStream(probe, batchSize: 10, order: .sequential, dropLast: true) { Int($0.pixels[0]) })
        #expect(sequential.flatMap(\.indices) == Array(0..<100))
    }

    @Test func decodesOnlyAFewBatchesAhead() throws {
        let probe = Probe(count: 1_000)
        let stream = BatchStream(probe, batchSize: 8, order: .shuffled(seed: 1), prefetch: 2) { Int($0.pixels[0]) }
        Thread.sleep(forTimeInterval: 0.2)
        #expect(probe.loaded == 16)
        _ = try stream.next()
        Thread.sleep(forTimeInterval: 0.2)
        #expect(probe.loaded == 24)
    }

    @Test func aFailingSampleFailsItsBatchAndEndsTheStream() throws {
        let probe = Probe(count: 40, failing: 25)
        let stream = BatchStream(probe, batchSize: 10, order: .sequential) { Int($0.pixels[0]) }
        _ = try stream.next()
        _ = try stream.next()
        let error = try #require(throws: DatasetError.self) { try stream.next() }
        #expect(error.description.contains("probe/25.jpg"))
        #expect(try stream.next() == nil)
    }

    @Test func streamsRenderedMiniFood() throws {
        let mini = MiniFood(seed: 3, sizes: .quick)
        let stream = BatchStream(mini.test, batchSize: 32, order: .shuffled(seed: 0)) { image in
            image.pixels.map { Float($0) / 255 }
        }
        var seen = 0
        while let batch = try stream.next() {
            #expect(batch.items.allSatisfy { $0.count == 32 * 32 * 3 })
            seen += batch.items.count
        }
        #expect(seen == mini.test.count)
    }
}

@Suite struct CIFAR10Tests {
    /// Writes a small CIFAR-10 binary directory: `perFile` records per batch, record i of batch
    /// b labelled (b + i) % 10 with planes R = i, G = 100 + b, B = 200.
    private func makeCIFAR(in directory: URL, perFile: Int) throws {
        let names = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
        try (names.joined(separator: "\n") + "\n").write(to: directory.appendingPathComponent("batches.meta.txt"), atomically: true, encoding: .utf8)
        for (b, name) in ["data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5", "test_batch"].enumerated() {
            var bytes: [UInt8] = []
            for i in 0..<perFile {
                bytes.append(UInt8((b + i) % 10))
                bytes += [UInt8](repeating: UInt8(i), count: 1024) + [UInt8](repeating: UInt8(100 + b), count: 1024) + [UInt8](repeating: 200, count: 1024)
            }
            try Data(bytes).write(to: directory.appendingPathComponent("\(name).bin"))
        }
    }

    @Test func readsBatchesAndInterleavesPlanes() throws {
        let directory = try temporaryDirectory("cifar")
        defer { try? FileManager.default.removeItem(at: directory) }
        try makeCIFAR(in: directory, perFile: 3)
        let native = try CIFAR10(directory: directory, upscaledTo: nil)
        #expect(native.classNames.count == 10 && native.classNames[9] == "truck")
        #expect(native.train.count == 15 && native.test.count == 3)
        #expect(native.train.label(at: 4) == 2 && native.test.label(at: 2) == 7)
        let image = try native.train.image(at: 4)
        #expect(image.width == 32 && Array(image.pixels.prefix(6)) == [1, 101, 200, 1, 101, 200])

        let upscaled = try CIFAR10(directory: directory).train.image(at: 4)
        #expect(upscaled.width == 224 && upscaled.height == 224)
        #expect(Array(upscaled.pixels.prefix(3)) == [1, 101, 200])
    }

    @Test func badFilesAreNamed() throws {
        let directory = try temporaryDirectory("cifar")
        defer { try? FileManager.default.removeItem(at: directory) }
        try makeCIFAR(in: directory, perFile: 2)
        let batch = directory.appendingPathComponent("data_batch_3.bin")
        let bytes = try Data(contentsOf: batch)
        try bytes.dropLast(5).write(to: batch)
        let truncated = try #require(throws: DatasetError.self) { try CIFAR10(directory: directory) }
        #expect(truncated.description.contains("data_batch_3.bin"))

        var relabelled = [UInt8](bytes)
        relabelled[0] = 12
        try Data(relabelled).write(to: batch)
        let label = try #require(throws: DatasetError.self) { try CIFAR10(directory: directory) }
        #expect(label.description.contains("data_batch_3.bin:1"))

        try FileManager.default.removeItem(at: directory.appendingPathComponent("test_batch.bin"))
        try Data(bytes).write(to: batch)
        let missing = try #require(throws: DatasetError.self) { try CIFAR10(directory: directory) }
        #expect(missing.description.contains("test_batch.bin"))
    }
}
