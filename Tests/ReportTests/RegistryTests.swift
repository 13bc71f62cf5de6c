import Common
import Results
import Training
import Foundation
import Testing
@testable import Report

@Suite struct RegistryTests {
    /// Every published number of the brief, by registry id. The registry must hold exactly these.
    static let expected: [String: PublishedValue?] = [
        "fei2024.table1.learning_rate": .number(1e-4), "fei2024.table1.batch_size": .number(256),
        "fei2024.table1.weight_decay": .number(0.05), "fei2024.table1.epochs": .number(10),
        "fei2024.table1.beta1": .number(0.9), "fei2024.table1.beta2": .number(0.99), "fei2024.table1.epsilon": .number(1e-6),
        "fei2024.table2.learning_rate": .number(1e-4), "fei2024.table2.batch_size": .number(2048),
        "fei2024.table2.weight_decay": .number(0.05), "fei2024.table2.epochs": .number(10),
        "fei2024.table2.beta1": .number(0.9), "fei2024.table2.beta2": .number(0.999), "fei2024.table2.epsilon": .number(1e-6),
        "fei2024.table3.vit": .number(91.87), "fei2024.table3.clip": .number(81.24), "fei2024.table3.clip_finetune": .number(84.22),
        "fei2024.table4.vit": nil, "fei2024.table4.clip": .number(79.82), "fei2024.table4.clip_finetune": .number(17.68),
        "fei2024.table5.vit": .text("Medium"), "fei2024.table5.clip": .text("Low"), "fei2024.table5.clip_finetune": .text("High"),
        "cifar_reproduction.setup.learning_rate": .number(1e-4), "cifar_reproduction.setup.epochs": .number(10), "cifar_reproduction.setup.batch_size": .number(32),
        "cifar_reproduction.setup.image_size": .number(224), "cifar_reproduction.setup.upscaling": .text("bilinear"),
        "malpure2021.densenet201.validation": .number(94.757), "cifar_reproduction.densenet201.validation": .number(91.44),
        "cifar_reproduction.densenet201.train": .number(97.72), "cifar_reproduction.densenet201.trainable_parameters": .number(235_210),
        "cifar_reproduction.densenet201.train_seconds_per_epoch": .number(299.59), "cifar_reproduction.densenet201.validation_seconds_per_epoch": .number(53.12),
        "malpure2021.deit-base-distilled.validation": .number(96.450), "cifar_reproduction.deit-base-distilled.validation": .number(96.44),
        "cifar_reproduction.deit-base-distilled.train": .number(99.87), "cifar_reproduction.deit-base-distilled.trainable_parameters": .number(7_103_252),
        "cifar_reproduction.deit-base-distilled.train_seconds_per_epoch": .number(626.44),
        "cifar_reproduction.deit-base-distilled.validation_seconds_per_epoch": .number(108.66),
        "malpure2021.cait-s24.validation": .number(96.00), "cifar_reproduction.cait-s24.validation": .number(96.78),
        "cifar_reproduction.cait-s24.train": .number(99.89), "cifar_reproduction.cait-s24.trainable_parameters": .number(1_775_376),
        "cifar_reproduction.cait-s24.train_seconds_per_epoch": .number(590.62), "cifar_reproduction.cait-s24.validation_seconds_per_epoch": .number(109.12),
    ]

    @Test func holdsEveryPublishedNumberAndNothingElse() throws {
        let registry = try PublishedRegistry.bundled()
        #expect(Set(registry.entries.map(\.id)) == Set(Self.expected.keys))
        for (id, value) in Self.expected {
            #expect(registry.entry(id)?.value == value, "\(id)")
        }
    }

    @Test func everyEntryNamesItsSourceTableRowAndColumn() throws {
        let registry = try PublishedRegistry.bundled()
        for entry in registry.entries {
            #expect(registry.sources[entry.source] != nil)
            #expect(!entry.table.isEmpty && !entry.row.isEmpty && !entry.column.isEmpty, "\(entry.id)")
        }
        #expect(registry.sources["fei2024"]!.citation.contains("EMITI 2024"))
        #expect(registry.sources["malpure2021"]!.citation.contains("Malpure"))
    }

    @Test func statesItsTolerances() throws {
        let registry = try PublishedRegistry.bundled()
        #expect(registry.tolerance(.accuracy).epsilon == 1.0)
        #expect(registry.tolerance(.setting).epsilon == 0)
        #expect(registry.tolerance(.seconds).epsilon == nil)
        for kind in PublishedKind.allCases { #expect(!registry.tolerance(kind).rule.isEmpty) }
    }

    /// Each registry entry that can be reproduced names a metric some chapter payload writes.
    @Test func everyReproducedByIdIsAMetricTheReportProduces() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try writeAccuracyChapters(to: directory, preset: .paper)
        try writeCost(to: directory, preset: .paper)
        let models = ["DenseNet201", "DeiT-Base-Distilled", "CaiT-S24"].map { name in
            CIFARModelResult(name: name, family: "Transformer", trainableParameters: 1, validation: accuracy(90),
                             train: accuracy(95), trainSecondsPerEpoch: 1, validationSecondsPerEpoch: 1)
        }
        var setup = hyperParameters(batch: 32, beta2: 0.999)
        setup["image_size"] = .number(224)
        setup["upscaling"] = .text("bilinear")
        try ResultsWriter(chapter: CIFARResults.chapter, preset: .paper, seed: 1)
            .write(CIFARResults(dataset: "d", hyperParameters: setup, models: models), to: directory)
        let metrics = Set(try ResultsFolder(directory: directory).metrics.map(\.id))
        for entry in try PublishedRegistry.bundled().entries {
            guard let id = entry.reproducedBy else { continue }
            #expect(metrics.contains(id), "\(entry.id) names \(id)")
        }
    }

    @Test func publishedValuesKeepEveryPrintedDigit() {
        #expect(formatExact(94.757, unit: "%") == "94.757")
        #expect(formatExact(96.0, unit: "%") == "96.00")
        #expect(formatExact(96.45, unit: "%") == "96.45")
        #expect(formatExact(299.59, unit: "s") == "299.59")
        #expect(formatExact(1e-4, unit: "") == "1e-4")
        #expect(formatExact(235_210, unit: "parameters") == "235,210")
    }
}
