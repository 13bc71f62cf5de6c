// Where the mini timm models live between runs: one directory per recipe under the cache
// directory, named by the model and the hash of its recipe (`mini-timm-deit-1f3a...`), holding
// the timm checkpoint and `pretraining.json` — the recipe, what its run measured, and the size and
// SHA-256 of every file beside it, written last.
//
// An entry is built in a temporary sibling and renamed into place when whole, so a reader never
// sees half of one; an entry whose files do not match its record (a killed copy, an edit) is
// moved aside and built again.
import Experiment
import Foundation
#if canImport(Glibc)
import Glibc
#endif

public enum MiniTimmCache {
    struct Record: Codable {
        static let fileName = "pretraining.json"

        struct File: Codable, Equatable {
            var name: String
            var bytes: Int
            var sha256: String
        }

        var key: String
        var recipe: MiniTimmRecipe
        var run: MiniTimmPretraining
        var files: [File]
    }

    /// The checkpoint directory of `recipe`'s model, pretrained first when the cache lacks it
    /// (or holds a damaged copy).
    public static func checkpoint(for recipe: MiniTimmRecipe, in root: URL, say: (String) -> Void) throws -> URL {
        let key = try Self.key(of: recipe)
        let entry = root.appendingPathComponent("mini-timm-\(recipe.model.slug)-\(key)", isDirectory: true)
        let manager = FileManager.default
        if manager.fileExists(atPath: entry.path) {
            if let problem = damage(of: entry, key: key) {
                say("mini \(recipe.model.rawValue): the cached copy at \(entry.path) is damaged (\(problem)); pretraining it again")
                let aside = root.appendingPathComponent(".discarded-\(entry.lastPathComponent)-\(UUID().uuidString)")
                try manager.moveItem(at: entry, to: aside)
                try? manager.removeItem(at: aside)
            } else {
                say("mini \(recipe.model.rawValue): pretrained copy cached at \(entry.path)")
                return entry
            }
        }

        try manager.createDirectory(at: root, withIntermediateDirectories: true)
        removeAbandonedBuilds(in: root)
        let building = root.appendingPathComponent(".building-\(entry.lastPathComponent)-\(getpid())", isDirectory: true)
        try? manager.removeItem(at: building)
        try manager.createDirectory(at: building, withIntermediateDirectories: false)
        defer { try? manager.removeItem(at: building) }
        let run = try recipe.build(into: building, say: say)
        let files = try manager.contentsOfDirectory(atPath: building.path).sorted().map { try describe(building.appendingPathComponent($0)) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(Record(key: key, recipe: recipe, run: run, files: files))
            .write(to: building.appendingPathComponent(Record.fileName), options: .atomic)
        do {
            try manager.moveItem(at: building, to: entry)
        } catch {
            // Another run finished the same entry first: use it if it is whole.
            guard damage(of: entry, key: key) == nil else {
                throw ChapterError("cannot move the pretrained mini \(recipe.model.rawValue) into \(entry.path): \(error.localizedDescription)")
            }
        }
        say("mini \(recipe.model.rawValue): pretrained in \(Int(run.trainingSeconds.rounded())) s, cached at \(entry.path)")
        return entry
    }

    /// What a cached entry's record says about its pretraining run.
    public static func pretraining(at entry: URL) throws -> MiniTimmPretraining {
        try JSONDecoder().decode(Record.self, from: Data(contentsOf: entry.appendingPathComponent(Record.fileName))).run
    }

    /// 16 hex digits of the SHA-256 of the recipe's key-sorted JSON.
    static func key(of recipe: MiniTimmRecipe) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(SHA256.hex(try encoder.encode(recipe)).prefix(16))
    }

    /// Why `entry` is not a whole copy of the recipe with `key`, or nil when it is.
    static func damage(of entry: URL, key: String) -> String? {
        guard let data = try? Data(contentsOf: entry.appendingPathComponent(Record.fileName)) else { return "no \(Record.fileName)" }
        guard let record = try? JSONDecoder().decode(Record.self, from: data) else { return "\(Record.fileName) is unreadable" }
        guard record.key == key else { return "its record is for recipe \(record.key)" }
        for file in record.files {
            guard let found = try? describe(entry.appendingPathComponent(file.name)) else { return "\(file.name) is missing" }
            guard found == file else { return "\(file.name) differs from its record" }
        }
        return nil
    }

    /// Deletes the temporary directories of builds whose process is gone (killed mid-pretraining).
    static func removeAbandonedBuilds(in root: URL) {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? [] where name.hasPrefix(".building-mini-timm-") {
            guard let pid = name.split(separator: "-").last.flatMap({ Int32($0) }), kill(pid, 0) != 0, errno == ESRCH else { continue }
            try? FileManager.default.removeItem(at: root.appendingPathComponent(name))
        }
    }

    static func describe(_ url: URL) throws -> Record.File {
        let data = try Data(contentsOf: url, options: .alwaysMapped)
        return Record.File(name: url.lastPathComponent, bytes: data.count, sha256: SHA256.hex(data))
    }
}
