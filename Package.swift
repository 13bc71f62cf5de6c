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

/// What a chapter may use: the chapter harness, the recipes, the results it writes, and the
/// library beneath them; never the report, which reads what the chapters wrote.
let chapterDependencies: [Target.Dependency] = [
    "ChapterSupport", "Recipes", "Results", "Common", "Datasets", "Models", "Training",
    .product(name: "ArgumentParser", package: "swift-argument-parser"),
]

/// The chapters: every folder of chapters/ but the report and reproduce, one literate executable
/// each. A folder also holds the chapter's woven notebook page (README.md, <chapter>.ipynb), which
/// is not source.
let chaptersFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("chapters")
let chapterNames = ((try? FileManager.default.contentsOfDirectory(atPath: chaptersFolder.path)) ?? [])
    .filter { !["report", "reproduce"].contains($0) && FileManager.default.fileExists(atPath: chaptersFolder.appendingPathComponent("\($0)/main.swift").path) }
    .sorted()

func woven(_ chapter: String) -> [String] {
    ["README.md", "\(chapter).ipynb"].filter { FileManager.default.fileExists(atPath: chaptersFolder.appendingPathComponent("\(chapter)/\($0)").path) }
}

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
        .systemLibrary(name: "CMPI", pkgConfig: "ompi-c", providers: [.apt(["libopenmpi-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CArchive", pkgConfig: "libarchive", providers: [.apt(["libarchive-dev"])]),
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),

        // The library, by concern.
        .target(name: "TensorCore", dependencies: ["CBLAS", "CDNNL"], swiftSettings: hotLoops),
        .target(name: "Checkpoints", dependencies: ["TensorCore", "Common"]),
        .target(name: "Imaging", dependencies: ["CTurboJPEG", "CCairo"], swiftSettings: hotLoops),
        .target(name: "Tokenizer", resources: [.copy("Resources/openai-clip")]),
        // Beneath everything that runs an experiment: the seeded generator, SHA-256, the machine
        // description, JSON values, atomic writes, a downloaded checkpoint's record.
        .target(name: "Common"),
        // The command-line options vitclip and every chapter share (`--precision`).
        .target(name: "CommandLineOptions", dependencies: ["TensorCore", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        // The process's place among the ranks of an MPI job (Open MPI), or a world of one.
        .target(name: "Cluster", dependencies: ["CMPI"]),
        // Downloads: checkpoints by the Hugging Face Hub's protocol and the datasets' archives,
        // resumable and verified (libcurl, libarchive, libcrypto).
        .target(name: "Hub", dependencies: ["Common", "CCurl", "CArchive", "CCrypto"]),
        .target(name: "Models", dependencies: ["TensorCore", "Checkpoints", "Imaging", "Tokenizer", "Common"], swiftSettings: hotLoops),
        .target(name: "Datasets", dependencies: ["Imaging", "CCairo", "Common"], swiftSettings: hotLoops),
        .target(name: "Training", dependencies: ["TensorCore", "Checkpoints", "Common", "Cluster"], swiftSettings: hotLoops),
        // What each chapter writes to results/<chapter>.json: one envelope, one payload per chapter,
        // each stating its metrics and closing sentences; the published numbers and checkpoints
        // (Resources/published.json) and a checkpoint's identity against them.
        .target(name: "Results", dependencies: ["Common", "TensorCore", "Training", "Datasets"], resources: [.copy("Resources/published.json")]),
        // The report, a leaf: figures, paper.md, the diffs and the woven notebooks, from results files.
        .target(name: "Report", dependencies: ["Results", "Common", "Imaging", "TensorCore", "Training", "CCairo"]),
        // What the chapters do, as library code: mini pretraining, zero-shot evaluation, the
        // fine-tuning recipes, cost measurement. Chapters only narrate and call these.
        .target(name: "Recipes", dependencies: [
            "TensorCore", "Checkpoints", "Imaging", "Tokenizer", "Models", "Training", "Datasets", "Results", "Common", "Cluster",
        ], swiftSettings: hotLoops),
        // The chapter harness: a chapter's options, the run (printing, results, exit codes), the
        // pretrained models of each preset.
        .target(name: "ChapterSupport", dependencies: [
            "Cluster", "CommandLineOptions", "TensorCore",
            "Recipes", "Results", "Common", "Datasets", "Training", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // What `reproduce` runs: each chapter's command line in order, the build, the downloads,
        // the MPI launcher.
        .target(name: "ReproductionPlan", dependencies: ["Cluster", "Common", "Hub", "Recipes", "Results", "TensorCore", "Training"]),

        // The command-line tool.
        .executableTarget(name: "vitclip", dependencies: [
            "Models", "Imaging", "Tokenizer", "Checkpoints", "TensorCore", "CommandLineOptions", "Cluster", "Hub",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Runs every chapter, then the report: the README's main command.
        .executableTarget(name: "reproduce", dependencies: chapterDependencies + ["ReproductionPlan", "TensorCore", "Cluster"], path: "chapters/reproduce", exclude: woven("reproduce")),

        // The report: figures, paper.md and the diff against the published numbers.
        .executableTarget(name: "report", dependencies: [
            "Report", "Results", "Common", "Training", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], path: "chapters/report"),

        // Benchmarks against transformers (benchmarks/run.sh).
        .executableTarget(name: "bench", dependencies: ["Models", "Imaging", "Checkpoints", "TensorCore", "Training", "Cluster"],
                          path: "benchmarks/bench", swiftSettings: hotLoops),

        // Tests (Swift Testing). Goldens live in Tests/Fixtures, written by scripts/make-goldens.
        // Shared by the tests: fixtures (the paper preset's Food-101 tree and tiny checkpoints among them) and child processes.
        .target(name: "TestSupport", dependencies: ["Common", "TensorCore", "Checkpoints", "Models", "Recipes", "Cluster"], path: "Tests/TestSupport"),
        .testTarget(name: "TensorCoreTests", dependencies: ["TensorCore", "TestSupport"]),
        .testTarget(name: "CheckpointsTests", dependencies: ["Checkpoints"]),
        .testTarget(name: "ImagingTests", dependencies: ["Imaging"]),
        .testTarget(name: "TokenizerTests", dependencies: ["Tokenizer"]),
        .testTarget(name: "ModelsTests", dependencies: ["Models", "Checkpoints", "TestSupport"]),
        .testTarget(name: "VitclipTests", dependencies: ["TestSupport"]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "Models", "Results", "Common", "Training", "Imaging", "TestSupport"]),
        .testTarget(name: "ReportTests", dependencies: ["Report", "Results", "Common", "TensorCore", "Training", "TestSupport"]),
        .testTarget(name: "RecipesTests", dependencies: ["Recipes", "ChapterSupport", "ReproductionPlan", "Results", "Common", "TensorCore", "Training", "Imaging", "Datasets", "TestSupport"]),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "TensorCore", "Checkpoints", "Models", "Common", "Results", "TestSupport"]),
        // The chapters run as built executables at their quick sizes.
        .testTarget(name: "ChaptersTests", dependencies: ["TestSupport", "Results", "Report", "Common", "TensorCore", "Training", "Recipes"]),
        .testTarget(name: "HubTests", dependencies: ["Hub", "ChapterSupport", "ReproductionPlan", "Results", "Report", "Common", "Recipes", "TestSupport"]),
        .testTarget(name: "TimmTests", dependencies: ["Models", "Checkpoints", "Imaging", "TensorCore", "Training", "Common", "Results", "TestSupport"]),
    ],
    swiftLanguageModes: [.v5]
)

package.targets += chapterNames.map {
    .executableTarget(name: $0, dependencies: chapterDependencies, path: "chapters/\($0)", exclude: woven($0))
}
