// The data-parallel jobs (benchmarks/mpi.sh runs each on 1 and on 2 ranks, 1 thread a rank):
//   train-dp      ViT-B/16 fine-tuning steps through the Trainer at a global batch of 32, each
//                 rank on its slice, gradients summed with MPI_Allreduce
//   zero-shot-dp  CLIP ViT-B/32 zero-shot over the given JPEGs, each rank on its block of
//                 batches, the logits gathered in image order
// Rank 0 prints the JSON; every rank prints its own step times on stderr.
import Checkpoints
import Cluster
import Foundation
import Imaging
import Models
import TensorCore
import Training

func trainDataParallel(_ args: Arguments) throws {
    let world = MPIWorld.current
    let directory = URL(fileURLWithPath: args.string("checkpoint"))
    let checkpoint = try Checkpoint(directory: directory)
    let model = try ViTForImageClassification(try checkpoint.config(ViTConfig.self))
    try model.load(from: checkpoint)
    let processor = try ImageProcessor(contentsOf: directory.appendingPathComponent("preprocessor_config.json"))
    let batch = args.int("batch", default: 32), steps = args.int("steps", default: 2)
    let paths = args.positional
    guard !paths.isEmpty else { fail("no images") }
    let images = try (0..<batch).map { try Image(contentsOf: URL(fileURLWithPath: paths[$0 % paths.count])) }
    let (height, width) = processor.outputSize
    let pixels = processor.pixelValues(images), imageFloats = 3 * height * width
    let classes = model.config.labels.count

    // One epoch of steps + 1 batches, all the same 32 images; the first step is a warm-up.
    let configuration = TrainingConfiguration(optimizer: AdamWHyperparameters(learningRate: 1e-4, weightDecay: 0.01), epochs: 1,
                                              batchSize: batch, microBatchSize: batch, shuffle: false, seed: 0)
    let trainer = Trainer(parameters: model.namedParameters, configuration: configuration, examplesPerEpoch: batch * (steps + 1), progress: .none)
    var stamps = [now()], losses: [Float] = []
    try trainer.fit(batch: { indices, _ in
        let rows = indices.map { $0 % batch }
        let tensor = Tensor(uninitializedShape: [rows.count, 3, height, width])
        for (row, index) in rows.enumerated() {
            pixels.withUnsafeBufferPointer { (tensor.pointer + row * imageFloats).update(from: $0.baseAddress! + index * imageFloats, count: imageFloats) }
        }
        return (tensor, rows.map { ($0 * 37) % classes })
    }, loss: { crossEntropy(model($0.0), labels: $0.1) }, afterStep: { record in
        stamps.append(now())
        losses.append(record.loss)
    })
    let times = Array(zip(stamps.dropFirst(), stamps).map { $0 - $1 }.dropFirst())
    FileHandle.standardError.write(Data("rank \(world.rank): step seconds \(times)\n".utf8))
    guard world.isLeader else { return }
    printJSON(["ranks": world.size, "batch": batch, "seconds": times, "seconds_per_step": median(times),
               "images_per_second": Double(batch) / median(times), "losses": losses,
               "per_rank_examples_per_second": world.trainingThroughput ?? [], "threads_per_rank": Parallel.coreCount, "blas_core": BLAS.coreName])
}

func zeroShotDataParallel(_ args: Arguments) throws {
    let world = MPIWorld.current
    let classifier = try ZeroShotClassifier(checkpoint: URL(fileURLWithPath: args.string("checkpoint")))
    classifier.batchSize = args.int("batch", default: 32)
    let labels = try String(contentsOfFile: args.string("labels"), encoding: .utf8).split(separator: "\n").map(String.init)
    let images = args.positional.map(URL.init(fileURLWithPath:))
    guard !images.isEmpty else { fail("no images") }
    var times: [Double] = [], logits: [[Float]] = []
    // One untimed pass, then `repeat` timed ones: prompts, decoding, preprocessing, image tower, logits, gather.
    for pass in 0...args.int("repeat", default: 2) {
        try world.barrier()
        let start = now()
        let classes = classifier.classEmbeddings(labels, prompts: .food)
        var mine: [Float] = []
        for range in world.shareOfBatches(examples: images.count, batchSize: classifier.batchSize) {
            mine += try classifier.logitsPerImage(Array(images[range]), classes: classes).flatMap { $0 }
        }
        let all = try world.allgather(mine)
        logits = stride(from: 0, to: all.count, by: labels.count).map { Array(all[$0..<($0 + labels.count)]) }
        if pass > 0 { times.append(now() - start) }
    }
    guard world.isLeader else { return }
    printJSON(["ranks": world.size, "images": images.count, "seconds": times, "images_per_second": Double(images.count) / median(times),
               "top1": topOne(logits).indices, "threads_per_rank": Parallel.coreCount, "blas_core": BLAS.coreName])
}
