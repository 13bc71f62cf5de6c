// swift-tools-version:6.0
// vitclip: a literate Swift reproduction of Fei (EMITI 2024), ViT vs CLIP on Food-101.
import Foundation
import PackageDescription

/// The numeric modules are built with -Ounchecked in release: their hot loops index raw buffers.
/// On an x86-64 build machine with AVX2 and FMA they are also compiled for it (`-target-cpu
/// haswell`): the vectorised kernels (GELU, softmax, LayerNorm, AdamW, resampling) then run 8 lanes
/// wide with fused multiply-adds instead of SSE's 4. The binary then needs such a processor (any
/// x86-64 server since about 2015), as a -march=native build would.
let hotLoops: [SwiftSetting] = [.unsafeFlags(["-Ounchecked"] + hostTargetCPU, .when(configuration: .release))]

var hostTargetCPU: [String] {
    #if arch(x86_64) && os(Linux)
    guard let cpuinfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
          let flags = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return [] }
    let features = Set(flags.split(separator: " ").map(String.init))
    return features.isSuperset(of: ["avx2", "fma", "bmi2", "f16c", "movbe"]) ? ["-target-cpu", "haswell"] : []
    #else
    return []
    #endif
}

/// What a chapter may use: the recipes, the shared experiment support, and argument parsing.
let chapterDependencies: [Target.Dependency] = [
    "Recipes", "Experiment", "Datasets", "Models", "Training", .product(name: "ArgumentParser", package: "swift-argument-parser"),
]

let package = Package(
    name: "vitclip",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "vitclip", targets: ["vitclip"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // System libraries (Debian packages; `make deps` installs them).
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CTurboJPEG", pkgConfig: "libturbojpeg", providers: [.apt(["libturbojpeg0-dev"])]),
        .systemLibrary(name: "CCairo", pkgConfig: "cairo", providers: [.apt(["libcairo2-dev"])]),
        .systemLibrary(name: "CDNNL", providers: [.apt(["libdnnl-dev"])]),

        // The library, by concern.
        .target(name: "TensorCore", dependencies: ["CBLAS", "CDNNL"], swiftSettings: hotLoops),
        .target(name: "Checkpoints", dependencies: ["TensorCore"]),
        .target(name: "Imaging", dependencies: ["CTurboJPEG", "CCairo"], swiftSettings: hotLoops),
        .target(name: "Tokenizer", resources: [.copy("Resources/openai-clip")]),
        .target(name: "Models", dependencies: ["TensorCore", "Checkpoints", "Imaging", "Tokenizer", "Experiment"], swiftSettings: hotLoops),
        .target(name: "Experiment"),
        .target(name: "Datasets", dependencies: ["Imaging", "CCairo", "Experiment"], swiftSettings: hotLoops),
        .target(name: "Report", dependencies: ["Experiment", "CCairo"], resources: [.copy("Resources/published.json")]),
        .target(name: "Training", dependencies: ["TensorCore", "Checkpoints", "Experiment"], swiftSettings: hotLoops),
        // What the chapters do, as library code: mini pretraining, zero-shot evaluation, the
        // fine-tuning recipes, cost measurement. Chapters only narrate and call these.
        .target(name: "Recipes", dependencies: [
            "TensorCore", "Checkpoints", "Imaging", "Tokenizer", "Models", "Training", "Datasets", "Experiment",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: hotLoops),

        // The command-line tool.
        .executableTarget(name: "vitclip", dependencies: [
            "Models", "Imaging", "Tokenizer", "Checkpoints", "TensorCore",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // The chapters: literate programs, one per section of the paper.
        .executableTarget(name: "data", dependencies: chapterDependencies, path: "chapters/data"),

        .executableTarget(name: "vit", dependencies: chapterDependencies, path: "chapters/vit"),
        .executableTarget(name: "clip", dependencies: chapterDependencies, path: "chapters/clip"),
        .executableTarget(name: "clip-finetune", dependencies: chapterDependencies, path: "chapters/clip-finetune"),
        .executableTarget(name: "wise-ft", dependencies: chapterDependencies, path: "chapters/wise-ft"),
        .executableTarget(name: "cost", dependencies: chapterDependencies, path: "chapters/cost"),
        .executableTarget(name: "cifar", dependencies: chapterDependencies, path: "chapters/cifar"),
        .executableTarget(name: "lit", dependencies: chapterDependencies, path: "chapters/lit"),
        // Runs every chapter, then the report: the README's main command.
        .executableTarget(name: "reproduce", dependencies: chapterDependencies + ["TensorCore"], path: "chapters/reproduce"),

        // The report: figures, paper.md and the diff against the published numbers.
        .executableTarget(name: "report", dependencies: [
            "Report", "Experiment", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], path: "chapters/report"),

        // Benchmarks against transformers (benchmarks/run.sh).
        .executableTarget(name: "bench", dependencies: ["Models", "Imaging", "Checkpoints", "TensorCore", "Training"],
                          path: "benchmarks/bench", swiftSettings: hotLoops),

        // Tests (Swift Testing). Goldens live in Tests/Fixtures, written by scripts/make-goldens.
        .target(name: "TestSupport", dependencies: ["TensorCore"], path: "Tests/TestSupport"),
        .testTarget(name: "TensorCoreTests", dependencies: ["TensorCore", "TestSupport"]),
        .testTarget(name: "CheckpointsTests", dependencies: ["Checkpoints"]),
        .testTarget(name: "ImagingTests", dependencies: ["Imaging"]),
        .testTarget(name: "TokenizerTests", dependencies: ["Tokenizer"]),
        .testTarget(name: "ModelsTests", dependencies: ["Models", "Checkpoints", "TestSupport"]),
        .testTarget(name: "VitclipTests", dependencies: ["TestSupport"]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "Experiment", "Imaging", "TestSupport"]),
        .testTarget(name: "ReportTests", dependencies: ["Report", "Experiment", "TestSupport"]),
        .testTarget(name: "RecipesTests", dependencies: ["Recipes", "TestSupport"]),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "TensorCore", "Checkpoints", "Models", "Experiment", "TestSupport"]),
        // The chapters run as built executables at their quick sizes.
        .testTarget(name: "ChaptersTests", dependencies: ["TestSupport", "Experiment"]),
        .testTarget(name: "TimmTests", dependencies: ["Models", "Checkpoints", "Imaging", "TensorCore", "Training", "Experiment", "TestSupport"]),
    ],
    swiftLanguageModes: [.v5]
)
