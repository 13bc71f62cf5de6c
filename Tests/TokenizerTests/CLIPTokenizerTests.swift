import Foundation
import Testing
@testable import Tokenizer

/// The Swift tokenizer against Hugging Face's `CLIPTokenizer` (goldens in Tests/Fixtures/tokenizer).
@Suite struct CLIPTokenizerTests {
    let tokenizer = Fixtures.tokenizer

    @Test func specialTokensAndSizes() {
        #expect(tokenizer.startOfText == 49406)
        #expect(tokenizer.endOfText == 49407)
        #expect(tokenizer.padding == 49407)
        #expect(tokenizer.vocabularySize == 49408)
        #expect(tokenizer.encoder.merges.count == 48894)
        #expect(CLIPTokenizer.defaultContextLength == 77)
    }

    @Test func encodesEveryGoldenAsHuggingFace() throws {
        let goldens: [Fixtures.Encoded] = try Fixtures.load("goldens.json")
        #expect(goldens.count >= 160)
        var matched = 0
        for golden in goldens {
            let ids = tokenizer.encode(golden.text)
            #expect(ids == golden.ids, "\(golden.text.debugDescription)")
            if ids == golden.ids { matched += 1 }
        }
        #expect(matched == goldens.count)
    }

    /// Seeded random strings from all over Unicode: new and unassigned code points, marks,
    /// whitespace of every kind, contractions and special tokens thrown in.
    @Test func encodesRandomTextsAsHuggingFace() throws {
        let goldens: [Fixtures.Encoded] = try Fixtures.load("random.json")
        #expect(goldens.count == 200)
        for golden in goldens {
            #expect(tokenizer.encode(golden.text) == golden.ids,
                    "\(golden.text.unicodeScalars.map { "U+" + String($0.value, radix: 16, uppercase: true) })")
        }
    }

    @Test func encodesFoodPrompts() throws {
        let goldens: [Fixtures.Encoded] = try Fixtures.load("goldens.json")
        let prompts = goldens.filter { $0.text.hasPrefix("a photo of ") && $0.text.hasSuffix(", a type of food.") }
        #expect(prompts.count == 101)
        #expect(tokenizer.encode("a photo of pizza, a type of food.")
            == [49406, 320, 1125, 539, 4474, 267, 320, 3877, 539, 1559, 269, 49407])
    }

    @Test func padsAndTruncatesBatchesAsHuggingFace() throws {
        let batches: [Fixtures.Batch] = try Fixtures.load("batch.json")
        #expect(batches.count == 2)
        for batch in batches {
            let ids = tokenizer.encode(batch.texts, contextLength: batch.contextLength)
            #expect(ids == batch.ids, "context length \(batch.contextLength)")
            for row in ids {
                #expect(row.count == batch.contextLength)
                #expect(row.first == tokenizer.startOfText)
            }
        }
    }

    @Test func truncationKeepsTheEndTokenLast() throws {
        let long = String(repeating: "pizza ", count: 200)
        let full = tokenizer.encode(long)
        #expect(full.count == 202)
        let row = try #require(tokenizer.encode([long]).first)
        #expect(row.count == 77)
        #expect(Array(row[..<76]) == Array(full[..<76]))
        #expect(row[76] == tokenizer.endOfText)

        // Exactly 77 tokens: neither padded nor cut.
        let exact = String(repeating: "pizza ", count: 75)
        #expect(tokenizer.encode([exact]).first == tokenizer.encode(exact))
        // Short: padded with the padding id after the end token.
        let short = tokenizer.encode(["pizza"], contextLength: 8)
        #expect(short == [[49406, 4474, 49407, 49407, 49407, 49407, 49407, 49407]])
    }

    @Test func decodesAsHuggingFace() throws {
        let goldens: [Fixtures.Decoded] = try Fixtures.load("decode.json")
        #expect(goldens.count > 100)
        for golden in goldens {
            #expect(tokenizer.decode(golden.ids, skipSpecialTokens: golden.skipSpecialTokens) == golden.text,
                    "\(golden.ids), skip special tokens: \(golden.skipSpecialTokens)")
        }
    }

    @Test(arguments: [
        "a photo of apple pie",
        "the quick brown fox jumps over the lazy dog",
        "supercalifragilisticexpialidocious",
        "a photo of 4 hot dogs",
    ])
    func decodesLowerCaseWordsBack(text: String) {
        #expect(tokenizer.decode(tokenizer.encode(text)) == text)
    }

    /// ASCII text comes back lower-cased and spaced at the splits, and encodes to the same ids.
    @Test func roundTripsAsciiGoldens() throws {
        let goldens: [Fixtures.Encoded] = try Fixtures.load("goldens.json")
        let ascii = goldens.filter { golden in
            golden.text.unicodeScalars.allSatisfy { $0.isASCII && ($0.value >= 0x20 || "\t\n\r".unicodeScalars.contains($0)) }
        }
        #expect(ascii.count > 120)
        for golden in ascii {
            let text = tokenizer.decode(golden.ids, skipSpecialTokens: false)
            #expect(tokenizer.encode(text) == [tokenizer.startOfText] + golden.ids + [tokenizer.endOfText],
                    "\(golden.text.debugDescription) decoded as \(text.debugDescription)")
        }
        #expect(tokenizer.decode(tokenizer.encode("A photo of a CAT.")) == "a photo of a cat .")
        // Every pre-token ends a word: contractions and digits come back spaced.
        #expect(tokenizer.decode(tokenizer.encode("Don't  stop")) == "don 't stop")
        #expect(tokenizer.decode(tokenizer.encode("42 pizzas")) == "4 2 pizzas")
    }

    @Test func specialTokensInText() {
        let eot = tokenizer.endOfText
        let sot = tokenizer.startOfText
        #expect(tokenizer.encode("<|endoftext|>") == [sot, eot, eot])
        #expect(tokenizer.encode("a<|endoftext|>b") == [sot, 320, eot, 321, eot])
        // Lower-cased into a special token's text, it is that token too (as in Hugging Face).
        #expect(tokenizer.encode("<|EndOfText|>") == [sot, eot, eot])
        #expect(tokenizer.decode([sot, 320, eot], skipSpecialTokens: false) == "<|startoftext|>a <|endoftext|>")
        #expect(tokenizer.decode([sot, 320, eot, eot, eot]) == "a")
    }

    @Test func emptyAndBlankTexts() {
        for text in ["", " ", "\t\n\r", "\u{0}\u{7}", "\u{200B}"] {
            #expect(tokenizer.encode(text) == [tokenizer.startOfText, tokenizer.endOfText])
        }
        #expect(tokenizer.decode([]) == "")
    }

    /// Copies share one cache; encoding from many threads at once gives the same ids.
    @Test func encodesConcurrently() async throws {
        let goldens: [Fixtures.Encoded] = try Fixtures.load("goldens.json")
        let fresh = try CLIPTokenizer(directory: Fixtures.clipTokenizer)
        let results = await withTaskGroup(of: Bool.self) { group in
            for part in 0..<8 {
                group.addTask {
                    goldens.indices.filter { $0 % 8 == part || part == 0 }.allSatisfy { index in
                        fresh.encode(goldens[index].text) == goldens[index].ids
                    }
                }
            }
            var all: [Bool] = []
            for await result in group { all.append(result) }
            return all
        }
        #expect(results == Array(repeating: true, count: 8))
    }

    @Test func loadsQuickly() throws {
        let clock = ContinuousClock()
        let elapsed = try clock.measure { _ = try CLIPTokenizer(directory: Fixtures.clipTokenizer) }
        // Generous, for debug builds on a busy machine; a release build loads in a fraction of it.
        #expect(elapsed < .seconds(5))
    }

    /// The goldens and the table of code points Python calls unassigned come from the same Python.
    @Test func goldensMatchTheUnicodeTable() throws {
        let meta: Fixtures.Meta = try Fixtures.load("meta.json")
        #expect(meta.unicodedata == TextCleaner.pythonUnicodeVersion)
        #expect(meta.ftfy == false)
    }
}
