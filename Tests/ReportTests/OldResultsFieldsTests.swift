// Results files written before the payloads named the paper's test split once: vit.json carried
// the test accuracy twice, as `validation` and `test`, and each epoch's under `validation`;
// data.json counted and checksummed the split as `validation`. They still read.
import Common
import Foundation
import Results
import Testing
import Training
import TestSupport

@Suite struct OldResultsFieldsTests {
    static let accuracy = TopKAccuracy(top1: Accuracy(value: 0.25, images: 4), top5: Accuracy(value: 0.75, images: 4))
    static let epoch = TopKAccuracy(top1: Accuracy(value: 0.5, images: 4), top5: Accuracy(value: 1, images: 4))
    static let results = ViTResults(model: "m", checkpointSource: "c", dataset: "d", trainableParameters: 1, hyperParameters: [:],
                                    test: accuracy, lossCurve: [], epochs: [EpochAccuracy(epoch: 1, meanLoss: 4.5, test: epoch)],
                                    classes: ClassCounts(trained: 91, heldOut: 10), trainImages: 728, resumedFromStep: nil)

    /// vit.json as this build writes it, then as `edit` changes its payload's JSON object.
    func written(editing edit: (inout [String: Any]) -> Void) throws -> (file: URL, scratch: ScratchDirectory) {
        let scratch = try ScratchDirectory()
        let file = try ResultsWriter(chapter: ViTResults.chapter, preset: .mini, seed: 0).write(Self.results, to: scratch.url)
        var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
        var payload = try #require(json["results"] as? [String: Any])
        edit(&payload)
        json["results"] = payload
        try JSONSerialization.data(withJSONObject: json).write(to: file)
        return (file, scratch)
    }

    @Test func aNewViTFileWritesItsTestAccuracyOnce() throws {
        var payload: [String: Any] = [:]
        _ = try written { payload = $0 }
        #expect(payload["validation"] == nil && payload["test"] != nil)
        let epochs = try #require(payload["epochs"] as? [[String: Any]])
        #expect(epochs[0]["validation"] == nil && epochs[0]["test"] != nil)
    }

    @Test func anOldViTFileReadsItsTestAccuracyAndEpochs() throws {
        // Before: the test accuracy also under `validation`, each epoch's only under `validation`.
        let old = try written { payload in
            payload["validation"] = payload["test"]
            var epochs = payload["epochs"] as! [[String: Any]]
            epochs[0]["validation"] = epochs[0].removeValue(forKey: "test")
            payload["epochs"] = epochs
        }
        #expect(try ChapterResultsFile<ViTResults>.read(old.file).results == Self.results)

        // Only `validation`: still the test accuracy.
        let oldest = try written { payload in payload["validation"] = payload.removeValue(forKey: "test") }
        #expect(try ChapterResultsFile<ViTResults>.read(oldest.file).results == Self.results)
    }
}

@Suite struct OldDataFieldsTests {
    @Test func oldDataCountsAndChecksumsReadTheirValidationAsTest() throws {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let counts = try decoder.decode(SplitCounts.self, from: Data(#"{"train": 728, "validation": 182, "held_out": 50}"#.utf8))
        #expect(counts == SplitCounts(train: 728, test: 182, heldOut: 50))
        let sums = try decoder.decode(ListChecksums.self, from: Data(#"{"train": "a", "validation": "b", "held_out": "c"}"#.utf8))
        #expect(sums == ListChecksums(train: "a", test: "b", heldOut: "c"))
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = .sortedKeys
        #expect(String(decoding: try encoder.encode(counts), as: UTF8.self) == #"{"held_out":50,"test":182,"train":728}"#)
    }
}
