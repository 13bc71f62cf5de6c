// `bench`: times vitclip's models the way benchmarks/run.sh compares them with transformers.
// Every subcommand prints one line of JSON on stdout (what benchmarks/compare.py reads).
//
//   bench blas                                   both libraries' GEMM rates, a self-check, and the fp32 limit
//   bench vision --checkpoint DIR [--batch 32] [--repeat 3]   the vision tower alone, random pixels
//   bench kernels [--batch 32] [--repeat 5]      the non-GEMM kernels of a ViT-B/16 step, each alone
//   bench zero-shot --checkpoint DIR --labels FILE [--batch 32] [--repeat 3] IMAGE...
//   bench train --checkpoint DIR [--batch 32] [--steps 3] [--optimizer sgd|adamw] IMAGE...
// Every command takes --library onednn|openblas (the batched products; default openblas),
// --attention-library onednn|openblas (per-head products; default onednn) and --precision fp32|bf16|auto.
import Checkpoints
import Foundation
import Imaging
import Models
import TensorCore
import Training

// MARK: - Arguments

struct Arguments {
    var command: String
    var options: [String: String] = [:]
    var positional: [String] = []

    init(_ argv: [String]) {
        command = argv.first ?? "help"
        var i = 1
        while i < argv.count {
            if argv[i].hasPrefix("--"), i + 1 < argv.count {
                options[String(argv[i].dropFirst(2))] = argv[i + 1]
                i += 2
            } else {
                positional.append(argv[i])
                i += 1
            }
        }
    }

    func string(_ name: String) -> String {
        guard let value = options[name] else { fail("missing --\(name)") }
        return value
    }

    func int(_ name: String, default value: Int) -> Int {
        guard let text = options[name] else { return value }
        guard let number = Int(text) else { fail("--\(name) takes an integer") }
        return number
    }
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data(("bench: " + message + "\n").utf8))
    exit(2)
}

// MARK: - Measuring

func now() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

/// CPU time (user + system) of this process so far, all threads, in seconds.
func cpuTime() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1e-6
}

/// Peak resident set size of this process so far, in MB.
func peakRSS() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
}

/// Current resident set size, in MB.
func currentRSS() -> Double {
    guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let pages = statm.split(separator: " ").dropFirst().first.flatMap { Double($0) } ?? 0
    return pages * Double(sysconf(Int32(_SC_PAGESIZE))) / (1024 * 1024)
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.isEmpty ? 0 : sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

func printJSON(_ value: [String: Any]) {
    let data = try! JSONSerialization.data(withJSONObject: value, options: [.sortedKeys])
    print(String(decoding: data, as: UTF8.self))
}

func argmax(_ row: [Float]) -> Int { row.indices.max { row[$0] < row[$1] } ?? 0 }

/// Top-1 index and the gap to the runner-up, per row.
func topOne(_ rows: [[Float]]) -> (indices: [Int], margins: [Float]) {
    var indices: [Int] = [], margins: [Float] = []
    for row in rows {
        let best = argmax(row)
        indices.append(best)
        margins.append(row[best] - (row.enumerated().filter { $0.offset != best }.map(\.element).max() ?? row[best]))
    }
    return (indices, margins)
}

/// The share of CPU time (all threads) spent outside sgemm, over all timed passes or steps.
func nonGEMMShare(cpu: [Double], gemm: [Double]) -> Double {
    let total = cpu.reduce(0, +)
    return total > 0 ? 1 - gemm.reduce(0, +) / total : 0
}

// MARK: - Commands

/// Which library computes which products in this run.
var productsDescription: String { "\(Products.batchedLibrary.rawValue), attention \(Products.perHeadLibrary.rawValue)" }

func blasReport() {
    // The GEMMs of a ViT-B/16 step at batch 32 (6304 tokens) and of a B/32 batch (1600 tokens).
    let shapes: [(String, Bool, Bool, Int, Int, Int)] = [
        ("qkv B/16", false, true, 6304, 2304, 768), ("fc1 B/16", false, true, 6304, 3072, 768),
        ("fc2 B/16", false, true, 6304, 768, 3072), ("dW fc1", true, false, 3072, 768, 6304),
        ("fc1 B/32", false, true, 1600, 3072, 768), ("scores", false, true, 197, 197, 64), ("pv", false, false, 197, 64, 197),
    ]
    let largest: Set<String> = ["qkv B/16", "fc1 B/16", "fc2 B/16", "dW fc1"]
    let chosen = Products.batchedLibrary
    // Rates per wall-clock second (disturbed by other processes) and per CPU second of all threads
    // (a core's rate, whatever the load), for each library, interleaved shape by shape.
    var rates: [String: [String: Double]] = [:], cpuRates: [String: [String: Double]] = [:]
    var worst: Double = 0
    for (name, ta, tb, m, n, k) in shapes {
        let a = Tensor(shape: ta ? [k, m] : [m, k], scalars: (0..<(m * k)).map { Float(($0 * 7919) % 1009) / 1009 - 0.5 })
        let b = Tensor(shape: tb ? [n, k] : [k, n], scalars: (0..<(n * k)).map { Float(($0 * 104729) % 1013) / 1013 - 0.5 })
        for library in Products.Library.allCases {
            Products.batchedLibrary = library
            var c = matmul(a, b, transposeA: ta, transposeB: tb)
            // Self-check against a float64 product on a sample of entries.
            for s in 0..<64 {
                let i = (s * 7919) % m, j = (s * 104729) % n
                var exact = 0.0, scale = 0.0
                for l in 0..<k {
                    let x = Double(ta ? a.pointer[l * m + i] : a.pointer[i * k + l])
                    let y = Double(tb ? b.pointer[j * k + l] : b.pointer[l * n + j])
                    exact += x * y
                    scale += abs(x * y)
                }
                worst = max(worst, abs(Double(c.pointer[i * n + j]) - exact) / max(scale, 1e-30))
            }
            let flops = 2.0 * Double(m * n * k)
            let reps = max(3, min(200, Int(1e10 / flops)))
            let start = now(), cpuStart = cpuTime()
            for _ in 0..<reps { c = matmul(a, b, transposeA: ta, transposeB: tb) }
            rates[library.rawValue, default: [:]][name] = flops * Double(reps) / (now() - start) / 1e9
            cpuRates[library.rawValue, default: [:]][name] = flops * Double(reps) / (cpuTime() - cpuStart) / 1e9
        }
    }
    Products.batchedLibrary = chosen
    // The fp32 limit: the best rate oneDNN reaches on the models' largest products, on all cores.
    let oneDNN = Products.Library.oneDNN.rawValue
    let limit = largest.compactMap { rates[oneDNN]?[$0] }.max() ?? 0
    let limitPerCPU = largest.compactMap { cpuRates[oneDNN]?[$0] }.max() ?? 0
    printJSON(["library": productsDescription, "precision": Precision.current.rawValue, "blas_core": BLAS.coreName,
               "blas_core_chosen_at_load": BLAS.coreChosenAtLoad, "blas_threads": BLAS.threadCount, "gflops": rates,
               "gflops_per_cpu_second": cpuRates, "limit_gflops": limit, "limit_gflops_per_cpu_second": limitPerCPU,
               "onednn_implementations": Products.oneDNNImplementations, "gemm_max_error": worst, "gemm_ok": worst < 1e-5])
}

/// The vision tower alone on random pixels: CLIP's pooled output (B/32) or ViT's [CLS] features (B/16).
func vision(_ args: Arguments) throws {
    let directory = URL(fileURLWithPath: args.string("checkpoint"))
    let checkpoint = try Checkpoint(directory: directory)
    let batch = args.int("batch", default: 32), repeats = args.int("repeat", default: 3)
    let forward: (Tensor) -> Tensor
    if let config = try? checkpoint.config(CLIPConfig.self) {
        let model = try CLIPModel(config)
        try model.load(from: checkpoint)
        forward = { model.visionModel.pooled(pixels: $0) }
    } else {
        let model = try ViTForImageClassification(try checkpoint.config(ViTConfig.self))
        try model.load(from: checkpoint)
        forward = { model.features($0) }
    }
    var state: UInt32 = 2024
    let pixels = Tensor(shape: [batch, 3, 224, 224], scalars: (0..<(batch * 3 * 224 * 224)).map { _ in
        state = state &* 1_664_525 &+ 1_013_904_223
        return Float(state >> 8) / Float(1 << 24) * 4 - 2
    })
    var times: [Double] = [], cpuTimes: [Double] = []
    for pass in 0...repeats {
        let start = now(), cpuStart = cpuTime()
        _ = forward(pixels)
        if pass > 0 {
            times.append(now() - start)
            cpuTimes.append(cpuTime() - cpuStart)
        }
    }
    printJSON(["batch": batch, "seconds": times, "images_per_second": Double(batch) / median(times),
               "cpu_seconds_per_image": median(cpuTimes) / Double(batch), "peak_rss_mb": peakRSS(),
               "library": productsDescription, "precision": Precision.current.rawValue])
}

func zeroShot(_ args: Arguments) throws {
    let classifier = try ZeroShotClassifier(checkpoint: URL(fileURLWithPath: args.string("checkpoint")))
    classifier.batchSize = args.int("batch", default: 32)
    let labels = try String(contentsOfFile: args.string("labels"), encoding: .utf8).split(separator: "\n").map(String.init)
    let images = args.positional.map(URL.init(fileURLWithPath:))
    guard !images.isEmpty else { fail("no images") }
    let afterLoad = currentRSS()
    var times: [Double] = [], cpuTimes: [Double] = [], gemmTimes: [Double] = []
    var logits: [[Float]] = []
    BLAS.timesProducts = true
    // One untimed pass warms the page cache and the allocator; then `repeat` timed passes, each
    // the whole job: label prompts, decoding, preprocessing, the image tower, logits.
    for pass in 0...args.int("repeat", default: 3) {
        let start = now(), cpuStart = cpuTime(), gemmStart = BLAS.gemmCPUSeconds
        let classes = classifier.classEmbeddings(labels, prompts: .food)
        logits = try classifier.logitsPerImage(images, classes: classes)
        if pass > 0 {
            times.append(now() - start)
            cpuTimes.append(cpuTime() - cpuStart)
            gemmTimes.append(BLAS.gemmCPUSeconds - gemmStart)
        }
    }
    let (top, margins) = topOne(logits)
    printJSON(["images": images.count, "seconds": times, "images_per_second": Double(images.count) / median(times),
               "cpu_seconds": cpuTimes, "cpu_seconds_per_image": median(cpuTimes) / Double(images.count), "top1": top,
               "gemm_cpu_seconds": gemmTimes, "non_gemm_share": nonGEMMShare(cpu: cpuTimes, gemm: gemmTimes), "margins": margins, "logits": logits, "rss_after_load_mb": afterLoad, "peak_rss_mb": peakRSS(),
               "blas_core": BLAS.coreName, "library": productsDescription, "precision": Precision.current.rawValue])
}

func train(_ args: Arguments) throws {
    let directory = URL(fileURLWithPath: args.string("checkpoint"))
    let checkpoint = try Checkpoint(directory: directory)
    let model = try ViTForImageClassification(try checkpoint.config(ViTConfig.self))
    try model.load(from: checkpoint)
    let processor = try ImageProcessor(contentsOf: directory.appendingPathComponent("preprocessor_config.json"))
    let batch = args.int("batch", default: 32), steps = args.int("steps", default: 3)
    let paths = args.positional
    guard !paths.isEmpty else { fail("no images") }
    let images = try (0..<batch).map { try Image(contentsOf: URL(fileURLWithPath: paths[$0 % paths.count])) }
    let (height, width) = processor.outputSize
    let pixels = Tensor(shape: [batch, 3, height, width], scalars: processor.pixelValues(images))
    let classes = model.config.labels.count
    let labels = (0..<batch).map { ($0 * 37) % classes }
    model.setRequiresGrad(true)
    let parameters = model.parameters
    let optimizer = args.options["optimizer"] ?? "adamw"
    let adamW = optimizer == "adamw"
        ? AdamW(model.namedParameters, hyperparameters: AdamWHyperparameters(learningRate: 1e-4, weightDecay: 0.01),
                exemptNormsBiasesAndEmbeddings: false) : nil
    let learningRate: Float = 1e-4
    let afterLoad = currentRSS()

    var times: [Double] = [], cpuTimes: [Double] = [], gemmTimes: [Double] = [], gemmFLOPs: [Int] = []
    var losses: [Float] = [], afterStep: [Double] = [], cacheAfterStep: [Double] = []
    BLAS.timesProducts = true
    // Step 0 is a warm-up; then `steps` timed steps.
    for step in 0...steps {
        let start = now(), cpuStart = cpuTime(), gemmStart = BLAS.gemmCPUSeconds, flopsStart = BLAS.gemmFLOPs
        let loss = GradMode.with(enabled: true) { () -> Tensor in
            let loss = crossEntropy(model(pixels), labels: labels)
            loss.backward()
            return loss
        }
        switch optimizer {
        case "sgd":
            for p in parameters {
                p.addInPlace(p.grad!, scaledBy: -learningRate)
                p.zeroGrad()
            }
        case "adamw":
            adamW!.step(learningRate: 1e-4)
            adamW!.zeroGrad()
        default:
            fail("unknown optimizer \(optimizer)")
        }
        if step > 0 {
            times.append(now() - start)
            cpuTimes.append(cpuTime() - cpuStart)
            gemmTimes.append(BLAS.gemmCPUSeconds - gemmStart)
            gemmFLOPs.append(BLAS.gemmFLOPs - flopsStart)
        }
        losses.append(loss.item)
        afterStep.append(currentRSS())
        cacheAfterStep.append(Double(TensorMemory.cachedBytes) / 1_048_576)
    }
    printJSON(["batch": batch, "seconds": times, "seconds_per_step": median(times),
               "cpu_seconds": cpuTimes, "cpu_seconds_per_step": median(cpuTimes), "images_per_second": Double(batch) / median(times),
               "gemm_cpu_seconds": gemmTimes, "non_gemm_share": nonGEMMShare(cpu: cpuTimes, gemm: gemmTimes),
               "gemm_flops_per_step": gemmFLOPs.first ?? 0,
               "effective_gflops": Double(gemmFLOPs.first ?? 0) / median(times) / 1e9,
               "library": productsDescription, "precision": Precision.current.rawValue,
               "losses": losses, "optimizer": optimizer, "rss_after_load_mb": afterLoad, "rss_after_steps_mb": afterStep,
               "cached_after_steps_mb": cacheAfterStep, "buffer_cache_misses": TensorMemory.statistics.misses,
               "buffer_cache_hits": TensorMemory.statistics.hits,
               "peak_rss_mb": peakRSS(), "blas_core": BLAS.coreName])
}

/// The non-GEMM kernels of a ViT-B/16 step at batch 32 (and one GEMM for scale), each timed alone:
/// the median of `repeat` calls, in milliseconds.
func kernels(_ args: Arguments) {
    let batch = args.int("batch", default: 32), repeats = args.int("repeat", default: 5)
    let tokens = batch * 197, width = 768, mlp = 3072
    func random(_ shape: [Int], scale: Float = 1) -> Tensor {
        var state: UInt32 = 12345
        let count = shape.reduce(1, *)
        let t = Tensor(uninitializedShape: shape)
        for i in 0..<count {
            state = state &* 1_664_525 &+ 1_013_904_223
            t.pointer[i] = (Float(state >> 8) / Float(1 << 24) * 2 - 1) * scale
        }
        return t
    }
    func time(_ body: () -> Void) -> Double {
        body()
        var samples: [Double] = []
        for _ in 0..<repeats {
            let start = now()
            body()
            samples.append((now() - start) * 1000)
        }
        return median(samples)
    }
    let hidden = random([batch, 197, width]), wide = random([batch, 197, mlp], scale: 3)
    let gamma = random([width]), beta = random([width]), weight = random([mlp, width], scale: 0.03), bias = random([mlp])
    let qkv = random([batch, 197, 3 * width]), gradHidden = random([batch, 197, width]), gradWide = random([batch, 197, mlp])
    for t in [hidden, wide, gamma, beta, weight, bias, qkv] { t.requiresGrad = true }
    var results: [String: Double] = [:]
    func forwardBackward(_ name: String, _ seed: Tensor, _ f: () -> Tensor) {
        results[name + " forward"] = time { _ = f() }
        results[name + " forward+backward"] = time {
            GradMode.with(enabled: true) { f().backward(seed) }
        }
    }
    forwardBackward("gelu [B,197,3072]", gradWide) { gelu(wide) }
    forwardBackward("layerNorm [B,197,768]", gradHidden) { layerNorm(hidden, weight: gamma, bias: beta, eps: 1e-12) }
    forwardBackward("attention packed, 12 heads", gradHidden) { attention(packed: qkv, heads: 12) }
    forwardBackward("residual add [B,197,768]", gradHidden) { hidden + gradHidden }
    forwardBackward("linear 768→3072", gradWide) { linear(hidden, weight: weight, bias: bias) }
    let flops = 2.0 * Double(tokens * width * mlp)
    results["linear 768→3072 forward GFLOP/s"] = flops / results["linear 768→3072 forward"]! * 1e-6
    printJSON(["batch": batch, "milliseconds": results, "blas_core": BLAS.coreName])
}

// MARK: - Main

let arguments = Arguments(Array(CommandLine.arguments.dropFirst()))
do {
    for (option, set) in [("library", { Products.batchedLibrary = $0 }), ("attention-library", { Products.perHeadLibrary = $0 })]
        as [(String, (Products.Library) -> Void)] {
        guard let name = arguments.options[option] else { continue }
        guard let library = Products.Library(rawValue: name) else { fail("--\(option) takes onednn or openblas") }
        set(library)
    }
    if let name = arguments.options["precision"] {
        guard let precision = Precision(rawValue: name) else { fail("--precision takes fp32, bf16 or auto") }
        try Precision.set(precision)
    }
    switch arguments.command {
    case "blas": blasReport()
    case "vision": try vision(arguments)
    case "zero-shot": try zeroShot(arguments)
    case "train": try train(arguments)
    case "train-dp": try trainDataParallel(arguments)
    case "zero-shot-dp": try zeroShotDataParallel(arguments)
    case "kernels": kernels(arguments)
    default: fail("usage: bench blas | vision --checkpoint DIR | zero-shot --checkpoint DIR --labels FILE IMAGE... | train --checkpoint DIR IMAGE...")
    }
} catch {
    fail("\(error)")
}
