// What a downloaded directory gives a run: its identity says published, with the hub's commit,
// while the weights still have the hashes download.json records; `vitclip download` from the
// command line; `reproduce --download`'s fetching of everything the paper preset reads.
import ChapterSupport
import Common
import Foundation
@testable import Hub
@testable import Report
import ReproductionPlan
import Results
import Testing
import TestSupport
import Recipes

@Suite struct DownloadedRunTests {
    /// A repository the published registry does not know: the hub's sha256 is the published one.
    @Test func aDownloadedCheckpointIsRecordedAsPublishedAtTheHubsCommit() throws {
        let repo = "vitclip-tests/tiny-vit"
        let scratch = try ScratchDirectory()
        let commit = freshCommit()
        let server = try HubStandIn(.init(repos: [repo: .init(commit: commit, files: try servedViT(in: scratch.url))]))
        let target = scratch.url.appendingPathComponent("downloaded")
        try CheckpointDownload.run(repo, to: target, client: HubClient(endpoint: server.endpoint, token: token, environment: [:]), settings: quickTransfer)
        let identity = try CheckpointIdentity.read(target, standsFor: repo, origin: .userSupplied)
        #expect(identity.published && identity.hub == CheckpointIdentity.HubOrigin(repo: repo, commit: commit))
        let registry = try PublishedRegistry.bundled()
        #expect(registry.standing(of: identity) == .published)
        #expect(standingWords(.published, identity) == "published (hub sha256 at commit \(commit) of \(repo))")
        // The identity travels in the results file.
        let decoded = try JSONDecoder().decode(CheckpointIdentity.self, from: JSONEncoder().encode(identity))
        #expect(decoded == identity)

        // Weights changed after the download are no longer the hub's.
        let weights = target.appendingPathComponent("model.safetensors")
        var bytes = try Data(contentsOf: weights)
        bytes[bytes.count - 1] ^= 0x01
        try bytes.write(to: weights)
        let changed = try CheckpointIdentity.read(target, standsFor: repo, origin: .userSupplied)
        #expect(changed.hub == nil && registry.standing(of: changed) == .unverified)
        // Nor does a download record of another repository vouch for them.
        let other = try CheckpointIdentity.read(target, standsFor: "openai/clip-vit-base-patch32", origin: .userSupplied)
        #expect(other.hub == nil)
    }

    /// Where the registry states the published architecture, a download of another one is still
    /// not the published checkpoint: the registry's knowledge comes first.
    @Test func theRegistryOutranksTheHubOnWhatItKnows() throws {
        let served = try ServedCheckpoint()
        try served.download()
        let identity = try CheckpointIdentity.read(served.target, standsFor: vitRepository, origin: .userSupplied)
        #expect(identity.hub?.commit == served.commit)
        guard case .userSupplied(let differences) = try PublishedRegistry.bundled().standing(of: identity) else {
            Issue.record("a tiny ViT downloaded as \(vitRepository) is not its published architecture")
            return
        }
        #expect(differences.contains { $0.hasPrefix("architecture") })
    }

    @Test func vitclipDownloadFromTheCommandLine() throws {
        let help = try runProduct("vitclip", ["--help"])
        #expect(help.stdout.contains("download"))
        let served = try ServedCheckpoint()
        let environment = ["HF_ENDPOINT": served.server.endpoint, "HF_TOKEN": token]
        let run = try runVitclip(["download", vitRepository, "--to", served.target.path], environment: environment)
        #expect(run.status == 0, "\(run.stderr)")
        try served.expectBytesEqual()
        #expect(try served.weightRequests().allSatisfy { $0.authorization == nil })

        let missing = try runVitclip(["download", "google/no-such-model", "--to", served.scratch.url.appendingPathComponent("x").path], environment: environment)
        #expect(missing.status != 0 && missing.stderr.split(separator: "\n").count == 1 && missing.stderr.contains("google/no-such-model"), "\(missing.stderr)")

        let dataset = try ServedDataset { try tree($0, food101Files) }
        let unpacked = try runVitclip(["download", "food101", "--url", dataset.url(), "--md5", try md5sum(dataset.archive),
                                       "--to", dataset.destination.path], environment: [:])
        #expect(unpacked.status == 0, "\(unpacked.stderr)")
        for folder in ["images", "meta"] {
            #expect(FileManager.default.fileExists(atPath: dataset.destination.appendingPathComponent("food-101/\(folder)").path))
        }
    }

    @Test func reproduceDownloadFetchesWhatThePaperPresetReadsOnce() throws {
        let scratch = try ScratchDirectory()
        var repos: [String: HubStandIn.Repository] = [:]
        let vit = try servedViT(in: scratch.url)
        repos[ReproduceDownloads.vitRepository] = .init(commit: freshCommit(), files: vit)
        let clip = try HuggingFaceFixture.clip.write(to: scratch.url.appendingPathComponent("clip"))
        repos[ReproduceDownloads.clipRepository] = .init(commit: freshCommit(), files: try files(of: clip))
        for (model, repo) in [(CIFARModel.deitBaseDistilled, ReproduceDownloads.deitRepository), (.caitS24, ReproduceDownloads.caitRepository),
                              (.denseNet201, ReproduceDownloads.densenetRepository)] {
            let directory = try TimmFixture.write(model, to: scratch.url.appendingPathComponent(model.slug))
            repos[repo] = .init(commit: freshCommit(), files: try files(of: directory))
        }
        let food = scratch.url.appendingPathComponent("food-101.tar.gz"), cifar = scratch.url.appendingPathComponent("cifar.tar.gz")
        try HubStandIn.tarball(food, try tree(scratch.url.appendingPathComponent("food-tree"), food101Files))
        try HubStandIn.tarball(cifar, try tree(scratch.url.appendingPathComponent("cifar-tree"),
                                               ["cifar-10-batches-bin/data_batch_1.bin": "1", "cifar-10-batches-bin/test_batch.bin": "t",
                                                "cifar-10-batches-bin/batches.meta.txt": "airplane\n"]))
        let server = try HubStandIn(.init(repos: repos, datasets: ["/food-101.tar.gz": food.path, "/cifar.tar.gz": cifar.path]))
        let base = "http://127.0.0.1:\(server.port)"
        let into = scratch.url.appendingPathComponent("downloads")
        let given = ReproductionSettings(preset: .paper, food101: nil, split: nil, vitCheckpoint: nil, clipCheckpoint: nil,
                                         results: "r", figures: "f", cache: "c", paper: "p.md", seed: 0, quick: true)
        func fetch() throws -> ReproductionSettings {
            try ReproduceDownloads.fetch(into: into, filling: given, client: HubClient(endpoint: base, token: token, environment: [:]),
                                         food101: DatasetSource.food101.from(url: base + "/food-101.tar.gz", md5: try md5sum(food)),
                                         cifar10: DatasetSource.cifar10.from(url: base + "/cifar.tar.gz", md5: try md5sum(cifar)),
                                         transfer: quickTransfer) { _ in }
        }
        let settings = try fetch()
        #expect(settings.food101 == into.appendingPathComponent("food-101").path)
        #expect(settings.vitCheckpoint == into.appendingPathComponent(ReproduceDownloads.vitRepository).path)
        #expect(settings.cifar.cifar10 == into.appendingPathComponent("cifar-10-batches-bin").path)
        #expect(settings.cifar.densenet == into.appendingPathComponent(ReproduceDownloads.densenetRepository).path)
        let identity = try CheckpointIdentity.read(URL(fileURLWithPath: settings.cifar.deit!), standsFor: CIFARModel.deitBaseDistilled.architecture,
                                                   origin: .userSupplied)
        #expect(identity.hub?.repo == ReproduceDownloads.deitRepository)
        // A second run finds everything complete and asks nothing of the hosts.
        let before = try server.requests.count
        _ = try fetch()
        #expect(try server.requests.count == before)
    }
}

func files(of directory: URL) throws -> [String: String] {
    Dictionary(uniqueKeysWithValues: try FileManager.default.contentsOfDirectory(atPath: directory.path).map { ($0, directory.appendingPathComponent($0).path) })
}

/// The built `vitclip` with `environment` added to this process's.
func runVitclip(_ arguments: [String], environment: [String: String]) throws -> (status: Int32, stderr: String) {
    let process = Process(), out = Pipe(), err = Pipe()
    process.executableURL = try productURL("vitclip")
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
    process.standardOutput = out
    process.standardError = err
    try process.run()
    _ = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: stderr, as: UTF8.self))
}
