// swift-tools-version:6.0
// vitclip: a literate Swift reproduction of Fei (EMITI 2024), ViT vs CLIP on Food-101.
import PackageDescription

/// The numeric modules are built with -Ounchecked in release: their hot loops index raw buffers.
let hotLoops: [SwiftSetting] = [.unsafeFlags(["-Ounchecked"], .when(configuration: .release))]

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

        // The library, by concern.
        .target(name: "TensorCore", dependencies: ["CBLAS"], swiftSettings: hotLoops),
        .target(name: "Checkpoints", dependencies: ["TensorCore"]),
        .target(name: "Imaging", dependencies: ["CTurboJPEG", "CCairo"], swiftSettings: hotLoops),
        .target(name: "Tokenizer"),
        .target(name: "Models", dependencies: ["TensorCore", "Checkpoints", "Imaging", "Tokenizer"], swiftSettings: hotLoops),

        // The command-line tool.
        .executableTarget(name: "vitclip", dependencies: [
            "Models", "Imaging", "Tokenizer", "Checkpoints", "TensorCore",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Benchmarks against transformers (benchmarks/run.sh).
        .executableTarget(name: "bench", dependencies: ["Models", "Imaging", "Checkpoints", "TensorCore"],
                          path: "benchmarks/bench", swiftSettings: hotLoops),

        // Tests (Swift Testing). Goldens live in Tests/Fixtures, written by scripts/make-goldens.
        .target(name: "TestSupport", dependencies: ["TensorCore"], path: "Tests/TestSupport"),
        .testTarget(name: "TensorCoreTests", dependencies: ["TensorCore"]),
        .testTarget(name: "CheckpointsTests", dependencies: ["Checkpoints"]),
        .testTarget(name: "ImagingTests", dependencies: ["Imaging"]),
        .testTarget(name: "TokenizerTests", dependencies: ["Tokenizer"]),
        .testTarget(name: "ModelsTests", dependencies: ["Models", "Checkpoints", "TestSupport"]),
        .testTarget(name: "VitclipTests", dependencies: ["TestSupport"]),
    ],
    swiftLanguageModes: [.v5]
)
