// A timm checkpoint directory classifying image files, as `vitclip classify` runs it.
import Foundation
import Models
import TensorCore
import TestSupport
import Testing

@Suite struct EndToEnd {
    @Test func classifierMatchesTimm() throws {
        let golden = try reference("end-to-end-deit")
        let names = try JSONDecoder().decode([String].self, from: Data(try #require(golden.metadata["images"]).utf8))
        let classifier = try TimmImageClassifier(checkpoint: Fixtures.url("timm/deit"))
        classifier.batchSize = 2
        let logits = try classifier.logits(names.map { Fixtures.url("imaging/\($0)") })
        let expected = try golden.tensor("logits")
        #expect(relativeError(logits.flatMap { $0 }, expected.scalars) < forwardTolerance)
        #expect(classifier.labels == ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"])
    }

    @Test func oneEntryPointForBothKindsOfCheckpoint() throws {
        #expect(try loadImageClassifier(checkpoint: Fixtures.url("timm/cait")) is TimmImageClassifier)
        #expect(try loadImageClassifier(checkpoint: Fixtures.url("models/vit")) is ImageClassifier)
    }

    @Test func timmDirectoriesAreToldApartFromTransformersOnes() {
        #expect(TimmCheckpoint.isTimmCheckpoint(Fixtures.url("timm/deit")))
        #expect(TimmCheckpoint.isTimmCheckpoint(Fixtures.url("timm/densenet")))
        #expect(!TimmCheckpoint.isTimmCheckpoint(Fixtures.url("models/vit")))
        #expect(!TimmCheckpoint.isTimmCheckpoint(Fixtures.url("timm/no-such-directory")))
    }
}
