import Foundation

/// CLIP's byte-level BPE tokenizer, as Hugging Face's slow `transformers.CLIPTokenizer` (4.57.1,
/// without ftfy) runs it, built from a checkpoint's vocab.json and merges.txt.
///
/// Encoding a text:
/// 1. the special tokens written out in it, `<|startoftext|>` and `<|endoftext|>` (exactly so),
///    become their ids and cut the text into pieces; each piece goes on by itself;
/// 2. `TextCleaner` drops control characters, collapses whitespace, spaces out CJK ideographs,
///    normalises to NFC and lower-cases;
/// 3. `PreTokenizer` splits the result into letter runs, single digits, contractions and runs of
///    other characters;
/// 4. `BytePairEncoder` turns each of those, as UTF-8 bytes written with `ByteLevel`'s
///    characters, into vocabulary ids (a pre-token that lower-cased into a special token's
///    text, like `<|ENDOFTEXT|>` would, is that special token, as in Hugging Face);
/// 5. the ids go between the start and end tokens.
///
/// ```swift
/// let tokenizer = try CLIPTokenizer(directory: checkpoint)
/// tokenizer.encode("a photo of pizza, a type of food.")
/// // [49406, 320, 1125, 539, 4474, 267, 320, 3877, 539, 1559, 269, 49407]
/// tokenizer.encode(["a photo of pizza."], contextLength: 77)  // padded with 49407 to 77
/// ```
///
/// The tokenizer is a value; its cache of encoded words is shared between copies and threads.
public struct CLIPTokenizer: Sendable {
    /// CLIP's text context: 77 tokens, start and end tokens included.
    public static let defaultContextLength = 77

    /// The id of `<|startoftext|>` (49406 for openai/clip-vit-base-patch32).
    public let startOfText: Int
    /// The id of `<|endoftext|>` (49407).
    public let endOfText: Int
    /// The id batches are padded with: `<|endoftext|>`'s, as in openai/clip-vit-base-patch32.
    public let padding: Int
    /// The id of words the vocabulary lacks: `<|endoftext|>`'s too (never needed with CLIP's files).
    public let unknown: Int
    /// The number of entries in vocab.json (49,408).
    public let vocabularySize: Int

    let encoder: BytePairEncoder
    /// Vocabulary id to token, for decoding.
    let tokens: [Int: String]
    let cache = WordCache()

    /// Loads vocab.json (token to id) and merges.txt (a header line, then one merge a line,
    /// its two symbols separated by a space; only the first 48,894 are used, as in Hugging Face).
    /// - Throws: `TokenizerError` naming the file that is missing, unreadable or malformed.
    public init(vocabulary vocabularyURL: URL, merges mergesURL: URL) throws {
        let vocabulary = try Self.loadVocabulary(vocabularyURL)
        func special(_ token: String) throws -> Int {
            guard let id = vocabulary[token] else {
                throw TokenizerError(file: vocabularyURL, reason: .malformed("it has no \(token) token"))
            }
            return id
        }
        startOfText = try special("<|startoftext|>")
        endOfText = try special("<|endoftext|>")
        padding = endOfText
        unknown = endOfText
        vocabularySize = vocabulary.count

        let merges = try Self.loadMerges(mergesURL)
        encoder = BytePairEncoder(merges: merges, vocabulary: vocabulary, unknown: unknown)

        var tokens = [Int: String](minimumCapacity: vocabulary.count)
        for (token, id) in vocabulary { tokens[id] = token }
        self.tokens = tokens
    }

    /// Loads `directory`/vocab.json and `directory`/merges.txt, as a Hugging Face checkpoint has them.
    public init(directory: URL) throws {
        try self.init(
            vocabulary: directory.appendingPathComponent("vocab.json"),
            merges: directory.appendingPathComponent("merges.txt"))
    }

    /// OpenAI's vocabulary (vocab.json + merges.txt of openai/clip-vit-base-patch32), shipped
    /// with the project so that models it trains itself (the mini preset) need no download.
    public static var openAIVocabularyDirectory: URL {
        Bundle.module.resourceURL!.appendingPathComponent("openai-clip")
    }

    /// Refuses a vocabulary with an id outside a text model's token embedding table of `size`
    /// rows (config.json's vocab_size): the table is indexed without checks.
    public func requireIDs(below size: Int, file: URL) throws {
        if let largest = tokens.keys.max(), largest >= size {
            throw TokenizerError(file: file, reason: .malformed(
                "token '\(tokens[largest]!.prefix(40))' has id \(largest), outside the model's \(size) token embeddings (config.json's vocab_size)"))
        }
    }

    // MARK: Encoding

    /// The ids of `text`, between the start and end tokens; not padded, not truncated.
    public func encode(_ text: String) -> [Int] {
        let scalars = Array(text.unicodeScalars)
        var ids = [startOfText]
        ids.reserveCapacity(scalars.count / 3 + 2)
        // Written-out special tokens cut the text first (Hugging Face's added-tokens trie).
        var pieceStart = 0
        var i = 0
        while i < scalars.count {
            if scalars[i] == "<" {
                if Self.hasPrefix(PreTokenizer.startOfText, scalars, at: i) {
                    encodePiece(scalars[pieceStart..<i], into: &ids)
                    ids.append(startOfText)
                    i += PreTokenizer.startOfText.count
                    pieceStart = i
                    continue
                }
                if Self.hasPrefix(PreTokenizer.endOfText, scalars, at: i) {
                    encodePiece(scalars[pieceStart..<i], into: &ids)
                    ids.append(endOfText)
                    i += PreTokenizer.endOfText.count
                    pieceStart = i
                    continue
                }
            }
            i += 1
        }
        encodePiece(scalars[pieceStart...], into: &ids)
        ids.append(endOfText)
        return ids
    }

    /// The ids of each text, each exactly `contextLength` long, as Hugging Face's
    /// `tokenizer(texts, padding="max_length", truncation=True, max_length=contextLength)`:
    /// a text too long keeps its first `contextLength - 2` tokens between the start and end
    /// tokens (so it still ends with the end token); a shorter one is padded with `padding`.
    public func encode(_ texts: [String], contextLength: Int = defaultContextLength) -> [[Int]] {
        precondition(contextLength >= 2, "a context holds at least the start and end tokens")
        return texts.map { text in
            var ids = encode(text)
            if ids.count > contextLength {
                ids.removeSubrange((contextLength - 1)...)
                ids.append(endOfText)
            } else {
                ids.append(contentsOf: repeatElement(padding, count: contextLength - ids.count))
            }
            return ids
        }
    }

    /// Encodes a piece of text that holds no written-out special token.
    func encodePiece(_ piece: ArraySlice<Unicode.Scalar>, into ids: inout [Int]) {
        guard !piece.isEmpty else { return }
        let text = TextCleaner.clean(piece)
        var bytes: [UInt8] = []
        for range in PreTokenizer.split(text) {
            let word = text[range]
            if word.elementsEqual(PreTokenizer.startOfText) {
                ids.append(startOfText)
                continue
            }
            if word.elementsEqual(PreTokenizer.endOfText) {
                ids.append(endOfText)
                continue
            }
            bytes.removeAll(keepingCapacity: true)
            for c in word { UTF8.encode(c) { bytes.append($0) } }
            if let cached = cache[bytes] {
                ids.append(contentsOf: cached)
            } else {
                let encoded = encoder.encode(bytes)
                cache[bytes] = encoded
                ids.append(contentsOf: encoded)
            }
        }
    }

    static func hasPrefix(_ literal: [Unicode.Scalar], _ text: [Unicode.Scalar], at i: Int) -> Bool {
        i + literal.count <= text.count && text[i..<(i + literal.count)].elementsEqual(literal)
    }

    // MARK: Decoding

    /// The text of `ids`, as Hugging Face's `tokenizer.decode(ids, skip_special_tokens:)`: the
    /// tokens' bytes joined and read as UTF-8 (invalid sequences become U+FFFD), every word end
    /// `</w>` a space, the ends trimmed. Lower case, and with spaces where the tokenizer split
    /// (`"a photo of a cat."` comes back as `"a photo of a cat ."`). Unknown ids are skipped.
    /// - Parameter skipSpecialTokens: leave out the start, end and padding tokens (by default);
    ///   if false they are written out, `<|startoftext|>a photo ... <|endoftext|>`.
    public func decode(_ ids: [Int], skipSpecialTokens: Bool = true) -> String {
        var bytes: [UInt8] = []
        for id in ids {
            if skipSpecialTokens && (id == startOfText || id == endOfText || id == padding || id == unknown) {
                continue
            }
            guard let token = tokens[id] else { continue }
            for c in token.unicodeScalars {
                if let b = ByteLevel.byte(for: c) { bytes.append(b) }
            }
        }
        // "</w>" to a space. On the bytes rather than the text: ASCII bytes never occur inside a
        // multi-byte UTF-8 sequence, nor inside an invalid one's replacement, so it is the same.
        var spaced: [UInt8] = []
        spaced.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            if i + 3 < bytes.count && bytes[i] == 0x3C && bytes[i + 1] == 0x2F && bytes[i + 2] == 0x77 && bytes[i + 3] == 0x3E {
                spaced.append(0x20)
                i += 4
            } else {
                spaced.append(bytes[i])
                i += 1
            }
        }
        let text = String(decoding: spaced, as: UTF8.self)
        // Python's str.strip().
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !TextCleaner.isPythonSpace($0) }),
              let last = scalars.lastIndex(where: { !TextCleaner.isPythonSpace($0) })
        else { return "" }
        return String(scalars[first...last])
    }

    // MARK: Loading

    static func read(_ url: URL) throws -> Data {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw TokenizerError(file: url, reason: .missing)
        }
        guard !isDirectory.boolValue else {
            throw TokenizerError(file: url, reason: .unreadable("it is a directory"))
        }
        do {
            return try Data(contentsOf: url)
        } catch {
            throw TokenizerError(file: url, reason: .unreadable("\(error)"))
        }
    }

    /// vocab.json: one JSON object, token to non-negative integer id.
    static func loadVocabulary(_ url: URL) throws -> [String: Int] {
        let data = try read(url)
        guard String(data: data, encoding: .utf8) != nil else {
            throw TokenizerError(file: url, reason: .malformed("it is not UTF-8 text"))
        }
        do {
            return try VocabularyParser.parse([UInt8](data))
        } catch let failure as VocabularyParser.Failure {
            throw TokenizerError(file: url, reason: .malformed(failure.message))
        }
    }

    /// merges.txt: Hugging Face strips the file, drops its first line (`#version: 0.2`) and
    /// reads the next 48,894 lines, each two symbols separated by whitespace.
    static func loadMerges(_ url: URL) throws -> [(String, String)] {
        let data = try read(url)
        let bytes = [UInt8](data)
        guard String(data: data, encoding: .utf8) != nil else {
            throw TokenizerError(file: url, reason: .malformed("it is not UTF-8 text"))
        }
        func isSpace(_ b: UInt8) -> Bool { (0x09...0x0D).contains(b) || (0x1C...0x20).contains(b) }
        var start = 0
        var end = bytes.count
        while start < end && isSpace(bytes[start]) { start += 1 }
        while end > start && isSpace(bytes[end - 1]) { end -= 1 }
        let skippedLines = bytes[..<start].reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }

        var merges: [(String, String)] = []
        merges.reserveCapacity(BytePairEncoder.maximumMerges)
        var lineNumber = skippedLines  // 0-based, of the file
        var lineStart = start
        while lineStart < end && merges.count < BytePairEncoder.maximumMerges {
            var lineEnd = lineStart
            while lineEnd < end && bytes[lineEnd] != 0x0A { lineEnd += 1 }
            if lineNumber > skippedLines {
                // Fields: runs of non-space bytes.
                var fields: [Range<Int>] = []
                var k = lineStart
                while k < lineEnd {
                    while k < lineEnd && isSpace(bytes[k]) { k += 1 }
                    let fieldStart = k
                    while k < lineEnd && !isSpace(bytes[k]) { k += 1 }
                    if k > fieldStart { fields.append(fieldStart..<k) }
                }
                guard fields.count == 2 else {
                    throw TokenizerError(file: url, reason: .malformed(
                        "line \(lineNumber + 1) is not two symbols separated by a space"))
                }
                merges.append((String(decoding: bytes[fields[0]], as: UTF8.self),
                               String(decoding: bytes[fields[1]], as: UTF8.self)))
            }
            lineNumber += 1
            lineStart = lineEnd + 1
        }
        guard !merges.isEmpty else {
            throw TokenizerError(file: url, reason: .malformed("it has no merges after its header line"))
        }
        return merges
    }
}

/// The ids of pre-tokens already encoded, by their UTF-8 bytes (bytes, not `String`s: Swift
/// compares strings up to canonical equivalence, and two equivalent pre-tokens can encode
/// differently). Bounded: emptied when full.
final class WordCache: @unchecked Sendable {
    static let capacity = 1 << 16
    private let lock = NSLock()
    private var entries: [[UInt8]: [Int]] = [:]

    subscript(bytes: [UInt8]) -> [Int]? {
        get {
            lock.lock()
            defer { lock.unlock() }
            return entries[bytes]
        }
        set {
            lock.lock()
            defer { lock.unlock() }
            if entries.count >= Self.capacity { entries.removeAll(keepingCapacity: true) }
            entries[bytes] = newValue
        }
    }
}
