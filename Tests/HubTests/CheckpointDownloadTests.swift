// Checkpoints from a loopback stand-in of the hub: the bytes arrive whole, through a cut
// connection and a 429, are refused when they differ from the advertised sha256, and the token
// never follows the redirect to the storage host.
import Common
import Foundation
@testable import Hub
import Testing
import TestSupport

let vitRepository = "google/vit-base-patch16-224"
let quickTransfer = TransferSettings(attempts: 4, firstDelay: 0.2, stallSeconds: 5, quiet: true)
let token = "hf_stand_in_token"

/// A 40-hex-digit commit, different for every test.
func freshCommit() -> String {
    (0..<40).map { _ in String("0123456789abcdef".randomElement()!) }.joined()
}

/// A fresh ViT checkpoint (random weights of a random seed) to serve, by file name.
func servedViT(in scratch: URL) throws -> [String: String] {
    let directory = try HuggingFaceFixture.vit.write(to: scratch.appendingPathComponent("served"), freshSeed: UInt64.random(in: 1...1_000_000))
    let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
    return Dictionary(uniqueKeysWithValues: names.map { ($0, directory.appendingPathComponent($0).path) })
}

struct ServedCheckpoint {
    let scratch: ScratchDirectory
    let server: HubStandIn
    let files: [String: String]
    let commit: String
    let target: URL

    init(faults: [String: HubStandIn.Fault] = [:]) throws {
        scratch = try ScratchDirectory()
        files = try servedViT(in: scratch.url)
        commit = freshCommit()
        server = try HubStandIn(.init(repos: [vitRepository: .init(commit: commit, files: files)], faults: faults))
        target = scratch.url.appendingPathComponent("downloaded/vit")
    }

    var client: HubClient { HubClient(endpoint: server.endpoint, token: token, environment: [:]) }

    @discardableResult
    func download() throws -> DownloadRecord {
        try CheckpointDownload.run(vitRepository, to: target, client: client, settings: quickTransfer)
    }

    func expectBytesEqual() throws {
        for (name, path) in files {
            #expect(try Data(contentsOf: target.appendingPathComponent(name)) == Data(contentsOf: URL(fileURLWithPath: path)), "\(name)")
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: target.path).filter { $0.hasSuffix(".partial") }
        #expect(leftovers.isEmpty)
    }

    func weightRequests() throws -> [HubStandIn.LoggedRequest] {
        try server.requests.filter { $0.method == "GET" && $0.path.hasPrefix("/lfs/") }
    }
}

@Suite struct CheckpointDownloadTests {
    @Test func bytesEqualRecordedAndTheTokenStaysWithTheHub() throws {
        let served = try ServedCheckpoint()
        let record = try served.download()
        try served.expectBytesEqual()
        #expect(record.commit == served.commit && record.repo == vitRepository)
        let onDisk = try #require(try DownloadRecord.read(in: served.target))
        #expect(onDisk == record)
        #expect(Set(record.files.map(\.name)) == Set(served.files.keys))
        for file in record.files {
            let data = try Data(contentsOf: URL(fileURLWithPath: served.files[file.name]!))
            #expect(file.size == data.count)
            #expect(file.sha256 == (try FileDigest.hex(.sha256, of: URL(fileURLWithPath: served.files[file.name]!))))
            #expect(file.advertised == file.name.hasSuffix(".safetensors"))
        }
        // The weights came from the other host name the hub redirected to, without the token;
        // every request to the hub's own host carried it.
        let requests = try served.server.requests
        let weights = try served.weightRequests()
        #expect(weights.count == 1 && weights[0].host == "localhost:\(served.server.port)" && weights[0].authorization == nil)
        #expect(requests.filter { $0.host.hasPrefix("127.0.0.1") }.allSatisfy { $0.authorization == "Bearer \(token)" })
        #expect(requests.contains { $0.path.hasPrefix("/api/models/\(vitRepository)/revision/main") })
        #expect(requests.contains { $0.method == "HEAD" && $0.path == "/\(vitRepository)/resolve/\(served.commit)/model.safetensors" })
    }

    @Test func aConnectionCutHalfWayResumesWithRange() throws {
        let served = try ServedCheckpoint(faults: ["model.safetensors": .init(cut_once: true)])
        try served.download()
        try served.expectBytesEqual()
        let weights = try served.weightRequests()
        let size = try Data(contentsOf: URL(fileURLWithPath: served.files["model.safetensors"]!)).count
        #expect(weights.count == 2)
        #expect(weights.last?.range == "bytes=\(size / 2)-", "\(weights.map(\.range))")
    }

    @Test func aStalledConnectionIsAbandonedAndResumed() throws {
        let served = try ServedCheckpoint(faults: ["model.safetensors": .init(stall_once: true)])
        var settings = quickTransfer
        settings.stallSeconds = 1
        let start = Date()
        try CheckpointDownload.run(vitRepository, to: served.target, client: served.client, settings: settings)
        #expect(Date().timeIntervalSince(start) < 20)  // the server stays silent for 30 s
        try served.expectBytesEqual()
        #expect(try served.weightRequests().last?.range != nil)
    }

    @Test func aBodyUnlikeTheAdvertisedSHA256IsRefusedAndNothingIsKept() throws {
        let served = try ServedCheckpoint(faults: ["model.safetensors": .init(corrupt: true)])
        let weights = URL(fileURLWithPath: served.files["model.safetensors"]!)
        let advertised = try FileDigest.hex(.sha256, of: weights)
        var corrupted = try Data(contentsOf: weights)
        corrupted[0] ^= 0xFF
        let scratch = try ScratchDirectory()
        try corrupted.write(to: scratch.url.appendingPathComponent("corrupted"))
        let received = try FileDigest.hex(.sha256, of: scratch.url.appendingPathComponent("corrupted"))
        let error = try #require(throws: ChapterError.self) { try served.download() }
        #expect(error.message.contains("\(vitRepository)/model.safetensors") && error.message.contains(advertised) && error.message.contains(received),
                "\(error.message)")
        #expect(!error.message.contains("\n"))
        let left = (try? FileManager.default.contentsOfDirectory(atPath: served.target.path)) ?? []
        #expect(!left.contains("model.safetensors") && !left.contains("model.safetensors.partial") && !left.contains(DownloadRecord.fileName), "\(left)")
    }

    @Test func aMissingRepositoryIsNamed() throws {
        let served = try ServedCheckpoint()
        let error = try #require(throws: ChapterError.self) {
            try CheckpointDownload.run("google/no-such-model", to: served.target, client: served.client, settings: quickTransfer)
        }
        #expect(error.message.contains("google/no-such-model") && error.message.contains("404"), "\(error.message)")
    }

    @Test func tooManyRequestsIsRetriedAfterRetryAfter() throws {
        let served = try ServedCheckpoint(faults: ["model.safetensors": .init(status_once: 429, retry_after: "1")])
        let start = Date()
        try served.download()
        #expect(Date().timeIntervalSince(start) >= 1)
        try served.expectBytesEqual()
        #expect(try served.weightRequests().count == 2)
    }

    @Test func aCompleteDirectoryIsNotFetchedAgain() throws {
        let served = try ServedCheckpoint()
        try served.download()
        let before = try served.server.requests.count
        try served.download()
        #expect(try served.server.requests.count == before)
        // A damaged weight file is fetched again, alone.
        try Data("damaged".utf8).write(to: served.target.appendingPathComponent("model.safetensors"))
        try served.download()
        try served.expectBytesEqual()
        #expect(try served.weightRequests().count == 2)
    }
}
