// Digests of files through OpenSSL's libcrypto (Debian's libssl-dev): the sha256 the hub
// advertises for a large file, the md5 torchvision checks a dataset's archive by, and the git
// blob id the hub gives as the ETag of a small file.
import CCrypto
import Common
import Foundation

public enum DigestAlgorithm: String, Sendable {
    case sha256, md5
    /// Git's object id of a blob: sha1 of "blob <size>\0" and the bytes.
    case gitBlob = "git blob sha1"
}

public enum FileDigest {
    /// The hex digest of `url`'s bytes, read in 4 MiB pieces.
    public static func hex(_ algorithm: DigestAlgorithm, of url: URL) throws -> String {
        guard let handle = try? FileHandle(forReadingFrom: url) else { throw ChapterError("\(url.path): cannot be read to hash it") }
        defer { try? handle.close() }
        guard let context = EVP_MD_CTX_new() else { throw ChapterError("libcrypto: no digest context") }
        defer { EVP_MD_CTX_free(context) }
        let method: OpaquePointer? = switch algorithm {
        case .sha256: EVP_sha256()
        case .md5: EVP_md5()
        case .gitBlob: EVP_sha1()
        }
        EVP_DigestInit_ex(context, method, nil)
        if algorithm == .gitBlob {
            let size = (try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
            let prefix = Array("blob \(size)\0".utf8)
            EVP_DigestUpdate(context, prefix, prefix.count)
        }
        while let chunk = try handle.read(upToCount: 1 << 22), !chunk.isEmpty {
            chunk.withUnsafeBytes { _ = EVP_DigestUpdate(context, $0.baseAddress, $0.count) }
        }
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        EVP_DigestFinal_ex(context, &digest, &length)
        return digest.prefix(Int(length)).map { String(format: "%02x", $0) }.joined()
    }
}
