// A dataset's archive unpacked through libarchive (Debian's libarchive-dev): every entry's path is
// checked before anything of it is written, and one that would land outside the destination (an
// absolute name, a `..`, a link pointing out) is refused, naming it. Entries are written into a
// staging folder beside the destination that is removed on any failure, so a refused or broken
// archive leaves nothing behind.
import CArchive
import Common
import Foundation

enum ArchiveUnpacking {
    /// Unpacks `archive` into `staging` (created; removed again on failure).
    static func unpack(_ archive: URL, into staging: URL) throws {
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
        do {
            try extract(archive, into: staging)
        } catch {
            try? FileManager.default.removeItem(at: staging)
            throw error
        }
    }

    private static func extract(_ archive: URL, into staging: URL) throws {
        guard let reader = archive_read_new(), let writer = archive_write_disk_new() else { throw ChapterError("libarchive: cannot start") }
        defer { archive_read_free(reader); archive_write_free(writer) }
        archive_read_support_filter_all(reader)
        archive_read_support_format_all(reader)
        // Each entry is checked here, then written at its absolute path inside the staging folder:
        // libarchive's own guards against `..` and writing through links stay on.
        archive_write_disk_set_options(writer, ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_SECURE_NODOTDOT | ARCHIVE_EXTRACT_SECURE_SYMLINKS)
        guard archive_read_open_filename(reader, archive.path, 1 << 20) == ARCHIVE_OK else {
            throw ChapterError("\(archive.path): cannot be opened as an archive (\(message(reader)))")
        }
        var entry: OpaquePointer?
        while true {
            let status = archive_read_next_header(reader, &entry)
            if status == ARCHIVE_EOF { break }
            guard status == ARCHIVE_OK || status == ARCHIVE_WARN, let entry else {
                throw ChapterError("\(archive.path): broken archive (\(message(reader)))")
            }
            let name = archive_entry_pathname(entry).map { String(cString: $0) } ?? ""
            try checkInside(name, archive: archive, what: "entry")
            for link in [archive_entry_hardlink(entry), archive_entry_symlink(entry)].compactMap({ $0 }) {
                try checkInside(resolvedLink(String(cString: link), from: name, isSymlink: archive_entry_symlink(entry) != nil),
                                archive: archive, what: "link target of '\(name)'")
            }
            let destination = staging.appendingPathComponent(name).path
            archive_entry_set_pathname(entry, destination)
            if let hardlink = archive_entry_hardlink(entry) {
                archive_entry_set_hardlink(entry, staging.appendingPathComponent(String(cString: hardlink)).path)
            }
            guard archive_write_header(writer, entry) == ARCHIVE_OK else {
                throw ChapterError("\(archive.path): entry '\(name)' cannot be written (\(message(writer)))")
            }
            try copyData(reader, writer, archive: archive, name: name)
            guard archive_write_finish_entry(writer) == ARCHIVE_OK else {
                throw ChapterError("\(archive.path): entry '\(name)' cannot be written (\(message(writer)))")
            }
        }
    }

    private static func copyData(_ reader: OpaquePointer, _ writer: OpaquePointer, archive: URL, name: String) throws {
        var buffer: UnsafeRawPointer?
        var size = 0
        var offset: la_int64_t = 0
        while true {
            let status = archive_read_data_block(reader, &buffer, &size, &offset)
            if status == ARCHIVE_EOF { return }
            guard status == ARCHIVE_OK, archive_write_data_block(writer, buffer, size, offset) == ARCHIVE_OK else {
                throw ChapterError("\(archive.path): entry '\(name)' is truncated or cannot be written (\(message(reader)); \(message(writer)))")
            }
        }
    }

    /// Refuses a path that is empty, absolute, or has a `..` component.
    static func checkInside(_ path: String, archive: URL, what: String) throws {
        if path.isEmpty || path.hasPrefix("/") || path.split(separator: "/").contains("..") {
            throw ChapterError("\(archive.path): \(what) '\(path)' would be written outside the destination; refused, nothing unpacked")
        }
    }

    /// A symlink's target relative to the archive's root (it is relative to the link's folder).
    private static func resolvedLink(_ target: String, from name: String, isSymlink: Bool) -> String {
        guard isSymlink, !target.hasPrefix("/") else { return target }
        let folder = (name as NSString).deletingLastPathComponent
        return folder.isEmpty ? target : folder + "/" + target
    }

    private static func message(_ archive: OpaquePointer) -> String {
        archive_error_string(archive).map { String(cString: $0) } ?? "no detail"
    }
}
