import Foundation
import Testing
@testable import Tokenizer

/// A missing, unreadable or malformed file gives a `TokenizerError` that names it.
@Suite struct TokenizerErrorTests {
    /// A fresh directory holding the given files (name to contents; nil copies the fixture's).
    static func checkpoint(_ files: [String: Data?]) throws -> URL {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("vitclip-tokenizer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for (name, contents) in files {
            let data = try contents ?? Data(contentsOf: Fixtures.clipTokenizer.appendingPathComponent(name))
            try data.write(to: directory.appendingPathComponent(name))
        }
        return directory
    }

    static func error(loading files: [String: Data?]) throws -> TokenizerError? {
        let directory = try checkpoint(files)
        defer { try? FileManager.default.removeItem(at: directory) }
        do {
            _ = try CLIPTokenizer(directory: directory)
            return nil
        } catch let error as TokenizerError {
            return error
        }
    }

    static func expect(_ error: TokenizerError?, file name: String, _ check: (TokenizerError.Reason) -> Bool) {
        guard let error else {
            Issue.record("expected an error naming \(name)")
            return
        }
        #expect(error.file.lastPathComponent == name)
        #expect(error.description.contains(name), "\(error)")
        #expect(check(error.reason), "\(error)")
    }

    static func malformed(_ reason: TokenizerError.Reason) -> Bool {
        if case .malformed = reason { return true }
        return false
    }

    @Test func missingVocabulary() throws {
        let error = try Self.error(loading: ["merges.txt": nil])
        Self.expect(error, file: "vocab.json") { $0 == .missing }
    }

    @Test func missingMerges() throws {
        let error = try Self.error(loading: ["vocab.json": nil])
        Self.expect(error, file: "merges.txt") { $0 == .missing }
    }

    @Test func missingDirectory() {
        let nowhere = URL(fileURLWithPath: "/nonexistent/vitclip/clip")
        #expect(throws: TokenizerError(file: nowhere.appendingPathComponent("vocab.json"), reason: .missing)) {
            try CLIPTokenizer(directory: nowhere)
        }
    }

    @Test func unreadableVocabulary() throws {
        let directory = try Self.checkpoint(["merges.txt": nil])
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("vocab.json"), withIntermediateDirectories: false)
        do {
            _ = try CLIPTokenizer(directory: directory)
            Issue.record("a directory is no vocabulary")
        } catch let error as TokenizerError {
            Self.expect(error, file: "vocab.json") { if case .unreadable = $0 { true } else { false } }
        }
    }

    @Test(arguments: [
        "{\"a\": 1,",  // truncated JSON
        "[\"a\", \"b\"]",  // not an object
        "{\"<|startoftext|>\": 0, \"<|endoftext|>\": \"one\"}",  // an id that is not a number
        "{\"<|startoftext|>\": 0, \"<|endoftext|>\": -1}",  // a negative id
        "{\"a\": 0, \"<|endoftext|>\": 1}",  // no start token
        "",
    ])
    func malformedVocabulary(contents: String) throws {
        let error = try Self.error(loading: ["vocab.json": Data(contents.utf8), "merges.txt": nil])
        Self.expect(error, file: "vocab.json", Self.malformed)
    }

    @Test(arguments: [
        "#version: 0.2\ni n\nt h e\n",  // three symbols
        "#version: 0.2\ni n\n\nt h\n",  // an empty line
        "#version: 0.2\nin\n",  // one symbol
        "#version: 0.2\n",  // no merges
        "",
    ])
    func malformedMerges(contents: String) throws {
        let error = try Self.error(loading: ["vocab.json": nil, "merges.txt": Data(contents.utf8)])
        Self.expect(error, file: "merges.txt", Self.malformed)
    }

    @Test func mergesThatAreNotUTF8() throws {
        let error = try Self.error(loading: ["vocab.json": nil, "merges.txt": Data([0x23, 0x0A, 0x69, 0x20, 0xFF, 0x0A])])
        Self.expect(error, file: "merges.txt", Self.malformed)
    }

    @Test func malformedLineIsNamed() throws {
        let error = try Self.error(loading: ["vocab.json": nil, "merges.txt": Data("#version: 0.2\ni n\nt h e\n".utf8)])
        #expect(error?.description.contains("line 3") == true, "\(String(describing: error))")
    }

    /// A small but well-formed pair of files loads, and Windows line ends are fine.
    @Test func smallTokenizerLoads() throws {
        var vocabulary: [String: Int] = [:]
        for (b, c) in ByteLevel.characters.enumerated() {
            vocabulary[String(c)] = b
            vocabulary[String(c) + "</w>"] = 256 + b
        }
        vocabulary["hi</w>"] = 512
        vocabulary["<|startoftext|>"] = 514
        vocabulary["<|endoftext|>"] = 515
        let json = try JSONSerialization.data(withJSONObject: vocabulary)
        let directory = try Self.checkpoint(["vocab.json": json, "merges.txt": Data("#version: 0.2\r\nh i</w>\r\n".utf8)])
        defer { try? FileManager.default.removeItem(at: directory) }
        let tokenizer = try CLIPTokenizer(directory: directory)
        #expect(tokenizer.startOfText == 514 && tokenizer.endOfText == 515 && tokenizer.padding == 515)
        // "hi" merges into one symbol; in "hit" the pair (h, i) has no merge, only (h, i</w>) has.
        let (h, i, t) = (104, 105, 116)
        #expect(tokenizer.encode("Hi hit") == [514, 512, h, i, 256 + t, 515])
        #expect(tokenizer.decode(tokenizer.encode("Hi hit")) == "hi hit")
    }
}

@Test func shippedOpenAIVocabularyLoads() throws {
    let tokenizer = try CLIPTokenizer(directory: CLIPTokenizer.openAIVocabularyDirectory)
    #expect(tokenizer.encode("a photo of apple pie, a type of food.") == [49406, 320, 1125, 539, 3055, 5319, 267, 320, 3877, 539, 1559, 269, 49407])
}
