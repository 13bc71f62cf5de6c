import Foundation

extension URL {
    /// The path as results files record it: relative to the working directory when the file lies
    /// under it (a results file committed with the repository should not name the machine's
    /// directories), absolute otherwise.
    public var recordedPath: String {
        let path = standardizedFileURL.path
        let here = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).standardizedFileURL.path
        let prefix = here.hasSuffix("/") ? here : here + "/"
        return path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
    }
}
