/// CLIP's split of cleaned text into pre-tokens, the pieces that BPE then works on one by one:
///
///     <\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+
///
/// compiled with Python's `regex` module and IGNORECASE, and applied with `findall`: at each
/// position the first alternative that matches wins (not the longest), whitespace matches nothing
/// and is skipped. So a run of letters is one pre-token, every digit is its own, and a run of
/// anything else (punctuation, symbols, emoji, combining marks) is one, swallowing apostrophes and
/// `<|` along the way: the contractions and special tokens only count where a match starts.
///
/// Two IGNORECASE quirks of the `regex` module are reproduced: `ſ` (U+017F, long s) matches `s`,
/// and U+0345 (combining Greek ypogegrammeni, which case-folds to the letter ι) matches neither
/// `[\p{L}]` nor `[^\s\p{L}\p{N}]`, so it is dropped. Letters and numbers are Swift's
/// general categories L* and N*, which agree with the `regex` module's tables code point for code
/// point (checked over all of Unicode when this was written).
enum PreTokenizer {
    static let startOfText: [Unicode.Scalar] = Array("<|startoftext|>".unicodeScalars)
    static let endOfText: [Unicode.Scalar] = Array("<|endoftext|>".unicodeScalars)

    /// The pre-tokens of `text` (already cleaned and lower-cased), as ranges of it.
    static func split(_ text: [Unicode.Scalar]) -> [Range<Int>] {
        var tokens: [Range<Int>] = []
        let n = text.count
        var i = 0
        while i < n {
            let c = text[i]
            if isSpace(c) {
                i += 1
                continue
            }
            var end: Int
            if c == "<", let length = specialTokenLength(text, at: i) {
                end = i + length
            } else if c == "'", let length = contractionLength(text, at: i) {
                end = i + length
            } else if isLetter(c) {
                end = i + 1
                while end < n && isLetter(text[end]) { end += 1 }
            } else if isNumber(c) {
                end = i + 1
            } else if c.value == 0x345 {
                i += 1  // matched by no alternative
                continue
            } else {
                end = i + 1
                while end < n && isOther(text[end]) { end += 1 }
            }
            tokens.append(i..<end)
            i = end
        }
        return tokens
    }

    // MARK: The alternatives

    /// `<\|startoftext\|>` or `<\|endoftext\|>`, ignoring case.
    static func specialTokenLength(_ text: [Unicode.Scalar], at i: Int) -> Int? {
        for literal in [startOfText, endOfText] where matches(literal, text, at: i) {
            return literal.count
        }
        return nil
    }

    /// `'s|'t|'re|'ve|'m|'ll|'d`, ignoring case; `text[i]` is the apostrophe.
    static func contractionLength(_ text: [Unicode.Scalar], at i: Int) -> Int? {
        guard i + 1 < text.count else { return nil }
        switch folded(text[i + 1]) {
        case "s", "t", "m", "d":
            return 2
        case "r", "v":
            return i + 2 < text.count && folded(text[i + 2]) == "e" ? 3 : nil
        case "l":
            return i + 2 < text.count && folded(text[i + 2]) == "l" ? 3 : nil
        default:
            return nil
        }
    }

    static func matches(_ literal: [Unicode.Scalar], _ text: [Unicode.Scalar], at i: Int) -> Bool {
        guard i + literal.count <= text.count else { return false }
        for k in 0..<literal.count where folded(text[i + k]) != literal[k] { return false }
        return true
    }

    /// Simple case folding, as far as the literals of the pattern need it.
    @inline(__always)
    static func folded(_ c: Unicode.Scalar) -> Unicode.Scalar {
        switch c.value {
        case 0x41...0x5A: return Unicode.Scalar(c.value + 0x20)!
        case 0x17F: return "s"  // ſ, long s (the other non-ASCII folds, like the Kelvin sign, are gone after lower-casing)
        default: return c
        }
    }

    // MARK: Classes

    /// `\s` of the `regex` module.
    @inline(__always)
    static func isSpace(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x09...0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            return true
        default:
            return false
        }
    }

    /// `\p{L}`.
    @inline(__always)
    static func isLetter(_ c: Unicode.Scalar) -> Bool {
        let v = c.value
        if v < 0x80 { return (0x61...0x7A).contains(v) || (0x41...0x5A).contains(v) }
        switch c.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            return true
        default:
            return false
        }
    }

    /// `\p{N}`.
    @inline(__always)
    static func isNumber(_ c: Unicode.Scalar) -> Bool {
        let v = c.value
        if v < 0x80 { return (0x30...0x39).contains(v) }
        switch c.properties.generalCategory {
        case .decimalNumber, .letterNumber, .otherNumber:
            return true
        default:
            return false
        }
    }

    /// `[^\s\p{L}\p{N}]` under IGNORECASE.
    @inline(__always)
    static func isOther(_ c: Unicode.Scalar) -> Bool {
        !isSpace(c) && !isLetter(c) && !isNumber(c) && c.value != 0x345
    }
}
