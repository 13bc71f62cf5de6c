// What `reproduce` runs: each chapter with the flags it takes, in order, then the report.
import Common
import Foundation
import Results
import Training
import Testing
@testable import ReproductionPlan
import Recipes
import TensorCore

@Suite struct ReproduceTests {
    func settings(_ preset: Preset, quick: Bool = false) -> ReproductionSettings {
        ReproductionSettings(preset: preset, food101: preset == .paper ? "/data/food-101" : nil, split: preset == .paper ? "official" : nil,
                             vitCheckpoint: preset == .paper ? "/models/vit" : nil, clipCheckpoint: preset == .paper ? "/models/clip" : nil,
                             results: "r", figures: "f", cache: "c", paper: "p.md", seed: 7, quick: quick)
    }

    @Test func miniRunsEveryChapterInOrderThenTheReport() throws {
        let steps = try Reproduction.steps(settings(.mini, quick: true), selected: nil) { $0 == "wise-ft" }
        #expect(steps.map(\.executable) == ["data", "clip", "vit", "clip-finetune", "cost", "wise-ft", "report", "report"])
        #expect(steps[0].arguments == ["--preset", "mini", "--results", "r", "--seed", "7", "--figures", "f", "--quick"])
        #expect(steps[2].arguments == ["--preset", "mini", "--results", "r", "--seed", "7", "--cache", "c", "--quick"])
        #expect(steps[6].arguments == ["build", "--results", "r", "--figures", "f", "--output", "p.md"])
        #expect(steps[7].arguments == ["diff", "--results", "r"])
    }

    @Test func theWeaveWritesTheRepositorysPagesOnlyForTheRepositorysResults() throws {
        #expect(Reproduction.notebooksFolder(results: "/repo/results", chapterSources: "/repo/chapters") == "/repo/chapters")
        #expect(Reproduction.notebooksFolder(results: "/repo/./results/", chapterSources: "/repo/chapters") == "/repo/chapters")
        #expect(Reproduction.notebooksFolder(results: "/tmp/run/results", chapterSources: "/repo/chapters") == "/tmp/run/notebooks")
        #expect(Reproduction.notebooksFolder(results: "/repo/other", chapterSources: "/repo/chapters") == "/repo/notebooks")

        var scratch = settings(.mini)
        scratch.chapterSources = "/repo/chapters"
        scratch.notebooks = "/tmp/run/notebooks"
        let weave = try #require(try Reproduction.steps(scratch, selected: ["data"]) { _ in true }.first { $0.arguments.first == "weave" })
        #expect(weave.arguments == ["weave", "--results", "r", "--figures", "f", "--chapters", "/repo/chapters", "--paper", "p.md",
                                    "--notebooks", "/tmp/run/notebooks"])
    }

    @Test func everyChapterRunsWithTheResolvedPrecisionAndTheReportTakesNone() throws {
        var bf16 = settings(.paper)
        bf16.precision = .bf16
        bf16.cifar = CIFARSettings(cifar10: "/data/cifar", deit: "/models/deit")
        let steps = try Reproduction.steps(bf16, selected: nil) { _ in true }
        #expect(steps.contains { $0.executable == "cifar" })
        for step in steps {
            let given = step.arguments.firstIndex(of: "--precision").map { step.arguments[$0 + 1] }
            #expect(given == (step.executable == "report" ? nil : "bf16"), "\(step.commandLine)")
        }
        #expect(try Reproduction.steps(settings(.mini), selected: nil) { _ in true }.allSatisfy { !$0.arguments.contains("--precision") },
                "fp32, the default, adds no flag")
    }

    @Test func miniComparesEveryCLIPRecipeAndThePaperPresetRunsItsOwn() throws {
        let mini = try Reproduction.steps(settings(.mini), selected: ["clip-finetune"]) { _ in true }[0]
        #expect(mini.arguments.suffix(2) == ["--recipes", "ft-clip,ft-clip-code,zero-shot-head,huggingface,flyp,ft-clip-hf-head,ft-clip-class-token"])
        let paper = try Reproduction.steps(settings(.paper), selected: ["clip-finetune"]) { _ in true }[0]
        #expect(!paper.arguments.contains("--recipes"))
    }

    @Test func fineTuningChaptersAloneGetTheSeeds() throws {
        var threeSeeds = settings(.mini)
        threeSeeds.fineTuningSeeds = ["vit": 3, "clip-finetune": 3]
        let steps = try Reproduction.steps(threeSeeds, selected: ["clip", "vit", "clip-finetune", "cost"]) { _ in true }
        let seeded = steps.filter { $0.arguments.contains("--seeds") }.map(\.executable)
        #expect(seeded == ["vit", "clip-finetune"])
        #expect(steps.first { $0.executable == "vit" }?.arguments.suffix(2) == ["--seeds", "3"])
        #expect(try Reproduction.steps(settings(.mini), selected: ["vit"]) { _ in true }.allSatisfy { !$0.arguments.contains("--seeds") },
                "a single seed adds no flag")
    }

    @Test func paperHandsEachChapterItsCheckpoint() throws {
        let steps = try Reproduction.steps(settings(.paper), selected: ["vit", "clip", "lit", "cost"]) { _ in true }
        let arguments = Dictionary(steps.dropLast(2).map { ($0.executable, $0.arguments) }, uniquingKeysWith: { a, _ in a })
        let dataFlags = ["--food101", "/data/food-101", "--split", "official"]
        #expect(arguments["vit"] == ["--preset", "paper", "--results", "r", "--seed", "7", "--cache", "c"]
            + dataFlags + ["--checkpoint", "/models/vit"])
        #expect(arguments["clip"]?.suffix(2) == ["--checkpoint", "/models/clip"])
        #expect(arguments["lit"]?.suffix(4) == ["--checkpoint", "/models/clip", "--vit-checkpoint", "/models/vit"],
                "LiT tunes the CLIP checkpoint's text tower, to CLIP's image tower and to the pretrained ViT")
        #expect(arguments["cost"] == ["--preset", "paper", "--results", "r", "--seed", "7", "--cache", "c"])
        #expect(steps.map(\.executable) == ["clip", "vit", "cost", "lit", "report", "report"], "the paper's order, whatever the order asked")
    }

    @Test func scalingRunsOnlyByNameWithBothCheckpointsAndUnderTheLauncher() throws {
        #expect(!(try Reproduction.steps(settings(.mini), selected: nil) { _ in true }.map(\.executable).contains("scaling")),
                "too long for the default run's budget")
        let mini = try Reproduction.steps(settings(.mini), selected: ["scaling"]) { _ in false }
        #expect(mini.map(\.executable) == ["scaling", "report", "report"])
        let paper = try Reproduction.steps(settings(.paper), selected: ["scaling"]) { _ in true }[0]
        #expect(paper.arguments.suffix(4) == ["--checkpoint", "/models/clip", "--vit-checkpoint", "/models/vit"])
        var missing = settings(.paper)
        missing.vitCheckpoint = nil
        #expect(throws: ChapterError.self) { try Reproduction.steps(missing, selected: ["scaling"]) { _ in true } }
        let launched = try #require(ChapterLauncher("mpirun -np 2")).wrapping(paper, executables: URL(fileURLWithPath: "/bin"))
        #expect(launched.executable == "mpirun" && launched.arguments.prefix(3) == ["-np", "2", "/bin/scaling"])
    }

    @Test func missingPaperInputsAndUnknownChaptersAreErrors() {
        var missing = settings(.paper)
        missing.vitCheckpoint = nil
        #expect(throws: ChapterError.self) { try Reproduction.steps(missing, selected: ["vit"]) { _ in true } }
        #expect((try? Reproduction.steps(missing, selected: ["data"]) { _ in true }) != nil, "data needs no checkpoint")
        #expect(throws: ChapterError.self) { try Reproduction.steps(settings(.mini), selected: ["data", "vits"]) { _ in true } }
    }

    @Test func cifarRunsOnThePaperPresetOnlyWithCIFAR10() throws {
        #expect(try Reproduction.steps(settings(.mini), selected: nil) { _ in true }.map(\.executable).contains("cifar"))
        #expect(!(try Reproduction.steps(settings(.paper), selected: nil) { _ in true }.map(\.executable).contains("cifar")),
                "the paper preset leaves the baseline out without --cifar10")
        #expect(throws: ChapterError.self) { try Reproduction.steps(settings(.paper), selected: ["cifar"]) { _ in true } }

        var paper = settings(.paper)
        paper.cifar = CIFARSettings(cifar10: "/data/cifar-10-batches-bin", deit: "/models/deit", subset: 100)
        let cifar = try #require(try Reproduction.steps(paper, selected: nil) { _ in true }.first { $0.executable == "cifar" })
        #expect(cifar.arguments == ["--preset", "paper", "--results", "r", "--seed", "7", "--cache", "c",
                                    "--cifar10", "/data/cifar-10-batches-bin", "--deit", "/models/deit", "--subset", "100"])
        paper.cifar.deit = nil
        #expect(throws: ChapterError.self) { try Reproduction.steps(paper, selected: nil) { _ in true } }
    }
}
