// The README's download rows not covered elsewhere: a 5xx that does not clear ends in one line
// after the attempts and keeps the partial download; a gated repository asks for HF_TOKEN; a
// repository without safetensors weights is refused by its file list; an archive that is not the
// dataset's is named so, with nothing unpacked.
import Common
import Foundation
@testable import Hub
import Testing
import TestSupport

@Suite struct HubRefusalTests {
    @Test func aServerErrorThatDoesNotClearEndsAfterTheAttempts() throws {
        let served = try ServedCheckpoint(faults: ["model.safetensors": .init(status_always: 503)])
        let error = try #require(throws: ChapterError.self) { try served.download() }
        #expect(error.message.contains("model.safetensors") && error.message.contains("answered HTTP 503")
                && error.message.contains("still after \(quickTransfer.attempts) attempts"), "\(error.message)")
        #expect(!error.message.contains("\n"))
        #expect(try served.weightRequests().count == quickTransfer.attempts)
    }

    @Test func aGatedRepositoryAsksForAToken() throws {
        let scratch = try ScratchDirectory()
        let server = try HubStandIn(.init(repos: [vitRepository: .init(commit: freshCommit(), files: try servedViT(in: scratch.url), gated: true)]))
        let client = HubClient(endpoint: server.endpoint, token: nil, environment: [:])
        let error = try #require(throws: ChapterError.self) {
            try CheckpointDownload.run(vitRepository, to: scratch.url.appendingPathComponent("vit"), client: client, settings: quickTransfer)
        }
        #expect(error.message.contains("answered HTTP 401 (a gated or private repository needs HF_TOKEN)"), "\(error.message)")
    }

    @Test func aRepositoryWithoutSafetensorsWeightsIsRefused() throws {
        let scratch = try ScratchDirectory()
        var files = try servedViT(in: scratch.url)
        files["pytorch_model.bin"] = files.removeValue(forKey: "model.safetensors")
        let server = try HubStandIn(.init(repos: [vitRepository: .init(commit: freshCommit(), files: files)]))
        let client = HubClient(endpoint: server.endpoint, token: token, environment: [:])
        let target = scratch.url.appendingPathComponent("vit")
        let error = try #require(throws: ChapterError.self) {
            try CheckpointDownload.run(vitRepository, to: target, client: client, settings: quickTransfer)
        }
        #expect(error.message == "\(vitRepository) at main has no model.safetensors or model.safetensors.index.json (this project reads safetensors weights only)")
    }

    @Test func anArchiveThatIsNotTheDatasetsIsNamed() throws {
        let served = try ServedDataset { try tree($0, ["cifar-10-batches-bin/data_batch_1.bin": "records"]) }
        let md5 = try md5sum(served.archive)
        let error = try #require(throws: ChapterError.self) {
            try DatasetDownload.run(DatasetSource.food101.from(url: served.url(), md5: md5), to: served.destination, settings: quickTransfer)
        }
        #expect(error.message.hasSuffix("holds no food-101/ with images, meta; not the food101 archive"), "\(error.message)")
        #expect(!FileManager.default.fileExists(atPath: served.destination.appendingPathComponent("food-101").path))
    }
}
