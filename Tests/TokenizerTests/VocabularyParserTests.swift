import Foundation
import Testing
@testable import Tokenizer

/// The hand-written vocab.json parser agrees with Foundation's JSON parser.
@Suite struct VocabularyParserTests {
    static let fixture = Fixtures.clipTokenizer.appendingPathComponent("vocab.json")

    static func foundationParse(_ data: Data) throws -> [String: Int] {
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        return object.mapValues { $0 as! Int }
    }

    @Test func agreesWithJSONSerialization() throws {
        let data = try Data(contentsOf: Self.fixture)
        let parsed = try VocabularyParser.parse([UInt8](data))
        #expect(parsed.count == 49408)
        #expect(parsed == (try Self.foundationParse(data)))
        #expect(parsed["\""] == 1 && parsed["\\"] == 59)
    }

    /// The same vocabulary written with every non-ASCII character escaped, as Python's
    /// `json.dump` does by default (`ensure_ascii=True`), surrogate pairs and all.
    @Test func readsEscapedVocabulary() throws {
        let text = try String(contentsOf: Self.fixture, encoding: .utf8)
        var escaped = ""
        for c in text.unicodeScalars {
            if c.isASCII {
                escaped.unicodeScalars.append(c)
            } else {
                for unit in String(c).utf16 { escaped += String(format: "\\u%04x", unit) }
            }
        }
        escaped += "\n"
        let parsed = try VocabularyParser.parse(Array(escaped.utf8))
        #expect(parsed == (try VocabularyParser.parse([UInt8](Data(contentsOf: Self.fixture)))))
        #expect(try VocabularyParser.parse(Array(#"{"\ud83c\udf55": 7, "a\/b\n": 0}"#.utf8)) == ["🍕": 7, "a/b\n": 0])
        #expect(try VocabularyParser.parse(Array(" { } ".utf8)) == [:])
    }

    @Test(arguments: [
        #"{"a": 1.5}"#, #"{"a": 1e3}"#, #"{"a": 01}"#, #"{"a": -1}"#, #"{"a": 1,}"#, #"{"a" 1}"#,
        #"{"a": 1} x"#, #"{"\ud83c": 1}"#, #"{"\q": 1}"#, "{\"a\u{1}\": 1}", #"{"a": 99999999999999999999999}"#,
        #"{"a": 1"#, #"{"a"#, "", "[]",
    ])
    func rejects(json: String) {
        #expect(throws: VocabularyParser.Failure.self) { try VocabularyParser.parse(Array(json.utf8)) }
    }
}
