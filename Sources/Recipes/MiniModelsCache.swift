// The cache of mini models. An entry is a directory named by the model's kind and the hash of
// its recipe (`mini-clip-1f3a...`), holding a Hugging Face (or, for the CIFAR baseline's mini
// models, timm) checkpoint and `pretraining.json`:
// the recipe, what the run measured, and the size and SHA-256 of every file beside it.
//
// An entry is built in a temporary sibling (`.building-...`) and renamed into place when whole,
// so a reader never sees half of one; the rename is the commit point. An entry whose files do
// not match its record (truncated, edited, partly deleted) is moved aside and built again.
// Temporary directories a killed run left behind are removed once their process is gone.
import Checkpoints
import Common
import Results
import Training
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a cache entry is made from: its recipe is encoded, hashed into the entry's name, and
/// built into a directory when the entry is absent.
protocol MiniModelRecipe: Codable, Sendable {
    /// "mini-clip", "mini-vit", "mini-timm-deit": the first part of the entry's name.
    var kind: String { get }
    /// What progress lines call the model ("mini CLIP").
    var displayName: String { get }
    /// Writes the checkpoint's files into `directory` (which exists and is empty) and returns
    /// what the run measured.
    func build(into directory: URL, say: (String) -> Void) throws -> PretrainingRun
}

/// What a pretraining run measured, kept in the entry's record.
public struct PretrainingRun: Codable, Sendable {
    public struct Epoch: Codable, Sendable {
        public var epoch: Int
        public var meanLoss: Double
        public var seconds: Double
        public var imagesPerSecond: Double
    }

    /// Rendering and preparing the corpus.
    public var dataSeconds: Double
    public var trainingSeconds: Double
    /// User and system time of the whole process over the training: on a shared machine, a
    /// better measure of the work than wall time (on 2 idle cores, wall time is about half).
    public var trainingProcessorSeconds: Double
    public var epochs: [Epoch]
    /// The 1-minute load average when training started and when it ended (other processes
    /// share the cores; timings mean little without it).
    public var loadAverageBefore: Double
    public var loadAverageAfter: Double
    public var machine: Machine
    /// Anything else worth keeping (the final logit scale of CLIP, ...).
    public var notes: [String: Double]
}

/// A file of an entry, as its record lists it.
struct MiniModelFile: Codable, Equatable {
    var name: String
    var bytes: Int
    var sha256: String
}

/// The name of an entry's record.
let miniModelRecordName = "pretraining.json"

/// The record written last into an entry.
struct MiniModelRecord<Recipe: Codable>: Codable {
    var key: String
    var kind: String
    var recipe: Recipe
    var run: PretrainingRun
    var files: [MiniModelFile]
    var built: String
}

struct MiniModelCache {
    let root: URL

    /// The entry for `recipe`, built first when it is absent or damaged.
    func checkpoint<Recipe: MiniModelRecipe>(for recipe: Recipe, say: (String) -> Void) throws -> URL {
        let key = try runKey(recipe)
        let name = "\(recipe.kind)-\(key)"
        let entry = root.appendingPathComponent(name, isDirectory: true)
        let manager = FileManager.default
        if manager.fileExists(atPath: entry.path) {
            switch Self.verify(entry, key: key, recipe: Recipe.self) {
            case .success:
                say("\(recipe.displayName): cached at \(entry.path)")
                return entry
            case let .failure(problem):
                say("\(recipe.displayName): the cache entry at \(entry.path) is damaged (\(problem.reason)); building it again")
                try Self.discard(entry)
            }
        }
        do {
            try manager.createDirectory(at: root, withIntermediateDirectories: true)
        } catch {
            throw ChapterError("cannot create the model cache \(root.path): \(error.localizedDescription)")
        }
        Self.removeAbandonedBuilds(in: root)

        let building = root.appendingPathComponent(".building-\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))", isDirectory: true)
        try manager.createDirectory(at: building, withIntermediateDirectories: false)
        defer { try? manager.removeItem(at: building) }
        say("\(recipe.displayName): not in the cache, pretraining it (\(name))")
        let run = try recipe.build(into: building, say: say)

        let files = try manager.contentsOfDirectory(atPath: building.path).sorted().map { try Self.describe(building.appendingPathComponent($0)) }
        let record = MiniModelRecord(key: key, kind: recipe.kind, recipe: recipe, run: run, files: files,
                                     built: ISO8601DateFormatter().string(from: Date()))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(record).write(to: building.appendingPathComponent(miniModelRecordName), options: .atomic)
        syncDirectory(building)

        if rename(building.path, entry.path) != 0 {
            // Another process finished the same entry first: use it when it is whole.
            let reason = String(cString: strerror(errno))
            guard case .success = Self.verify(entry, key: key, recipe: Recipe.self) else {
                throw ChapterError("cannot move the new \(recipe.displayName) into \(entry.path): \(reason)")
            }
        }
        syncDirectory(root)
        say("\(recipe.displayName): cached at \(entry.path)")
        return entry
    }

    /// What the run that built `entry` measured, from its record.
    static func pretrainingRun(at entry: URL) throws -> PretrainingRun {
        struct RunOnly: Decodable { var run: PretrainingRun }
        return try JSONDecoder().decode(RunOnly.self, from: Data(contentsOf: entry.appendingPathComponent(miniModelRecordName))).run
    }


    struct Damage: Error {
        let reason: String
    }

    /// Whether `entry` holds a record for `key` whose every file is present with its size and hash.
    static func verify<Recipe: Codable>(_ entry: URL, key: String, recipe: Recipe.Type) -> Result<MiniModelRecord<Recipe>, Damage> {
        let recordURL = entry.appendingPathComponent(miniModelRecordName)
        guard let data = try? Data(contentsOf: recordURL) else { return .failure(Damage(reason: "no \(miniModelRecordName)")) }
        let record: MiniModelRecord<Recipe>
        do {
            record = try JSONDecoder().decode(MiniModelRecord<Recipe>.self, from: data)
        } catch {
            return .failure(Damage(reason: "\(miniModelRecordName) is unreadable: \(error)"))
        }
        guard record.key == key else { return .failure(Damage(reason: "its record is for key \(record.key)")) }
        for file in record.files {
            let url = entry.appendingPathComponent(file.name)
            guard let found = try? describe(url) else { return .failure(Damage(reason: "\(file.name) is missing")) }
            guard found == file else { return .failure(Damage(reason: "\(file.name) differs from its record")) }
        }
        return .success(record)
    }

    /// A file's name, size and SHA-256.
    static func describe(_ url: URL) throws -> MiniModelFile {
        let data = try Data(contentsOf: url, options: .alwaysMapped)
        return MiniModelFile(name: url.lastPathComponent, bytes: data.count, sha256: SHA256.hex(data))
    }

    /// Moves a damaged entry out of the way (a rename, so its name is free at once), then deletes it.
    static func discard(_ entry: URL) throws {
        let aside = entry.deletingLastPathComponent()
            .appendingPathComponent(".discarded-\(entry.lastPathComponent)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        guard rename(entry.path, aside.path) == 0 else {
            throw ChapterError("cannot move the damaged cache entry \(entry.path) aside: \(String(cString: strerror(errno)))")
        }
        try? FileManager.default.removeItem(at: aside)
    }

    /// Deletes `.building-*` and `.discarded-*` directories whose process no longer runs.
    static func removeAbandonedBuilds(in root: URL) {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        where name.hasPrefix(".building-") || name.hasPrefix(".discarded-") {
            let parts = name.split(separator: "-")
            guard parts.count >= 2, let pid = Int32(parts[parts.count - 2]) else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH {
                try? FileManager.default.removeItem(at: root.appendingPathComponent(name))
            }
        }
    }
}

/// Flushes a directory's entries (the renames into it) to disk.
private func syncDirectory(_ url: URL) {
    let descriptor = open(url.path, O_RDONLY)
    guard descriptor >= 0 else { return }
    fsync(descriptor)
    close(descriptor)
}

/// User plus system time the process has used so far.
func processorSeconds() -> Double {
    var usage = rusage()
    #if canImport(Glibc)
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    #else
    getrusage(RUSAGE_SELF, &usage)
    #endif
    func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) * 1e-6 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

