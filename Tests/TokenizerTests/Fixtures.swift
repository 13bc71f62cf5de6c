import Foundation
@testable import Tokenizer

/// The test fixtures, found from this source file so that tests run from any directory.
enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")
    /// openai/clip-vit-base-patch32's vocab.json and merges.txt.
    static let clipTokenizer = root.appendingPathComponent("clip-tokenizer")
    /// Goldens from Hugging Face's CLIPTokenizer, written by scripts/goldens/tokenizer.py.
    static let goldens = root.appendingPathComponent("tokenizer")

    /// One tokenizer for all tests (loading it takes a moment).
    static let tokenizer: CLIPTokenizer = {
        do {
            return try CLIPTokenizer(directory: clipTokenizer)
        } catch {
            fatalError("cannot load the CLIP tokenizer fixture: \(error)")
        }
    }()

    static func load<T: Decodable>(_ name: String, as type: T.Type = T.self) throws -> T {
        let data = try Data(contentsOf: goldens.appendingPathComponent(name))
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(T.self, from: data)
    }

    struct Encoded: Decodable {
        let text: String
        let ids: [Int]
    }

    struct Batch: Decodable {
        let contextLength: Int
        let texts: [String]
        let ids: [[Int]]
    }

    struct Decoded: Decodable {
        let ids: [Int]
        let skipSpecialTokens: Bool
        let text: String
    }

    struct Meta: Decodable {
        let transformers: String
        let python: String
        let unicodedata: String
        let ftfy: Bool
    }
}
