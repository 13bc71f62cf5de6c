import Foundation

/// The text clean-up Hugging Face's `CLIPTokenizer` does when ftfy is not installed.
///
/// OpenAI's CLIP runs `ftfy.fix_text`, collapses whitespace and lower-cases. Without ftfy,
/// transformers runs BERT's `BasicTokenizer(do_lower_case=True, tokenize_chinese_chars=True,
/// strip_accents=False, do_split_on_punc=False)` and joins its words with spaces. Step by step,
/// on code points (never on Swift `Character`s, which are grapheme clusters):
///
/// 1. drop NUL, U+FFFD and every "control" character: general category C* (Cc, Cf, Cs, Co, Cn),
///    except tab, newline and carriage return. Cn is judged by Python's Unicode database, not
///    Swift's (see `isPythonUnassigned`);
/// 2. turn whitespace (space, tab, newline, carriage return, category Zs) into a space;
/// 3. put spaces around CJK ideographs, so that each becomes a word of its own;
/// 4. normalise to NFC;
/// 5. split on whitespace (Python's `str.split()`), lower-case each word with Python's
///    `str.lower()` (full case mapping, final sigma), and join the words with single spaces.
enum TextCleaner {
    /// Cleans `text` as `" ".join(BasicTokenizer(...).tokenize(text))` does.
    static func clean<S: Sequence<Unicode.Scalar>>(_ text: S) -> [Unicode.Scalar] {
        var spaced = String.UnicodeScalarView()
        var ascii = true
        for c in text {
            let v = c.value
            if v == 0 || v == 0xFFFD || isControl(c) { continue }
            if isWhitespace(c) {
                spaced.append(" ")
            } else if isCJKIdeograph(v) {
                spaced.append(" ")
                spaced.append(c)
                spaced.append(" ")
                ascii = false
            } else {
                spaced.append(c)
                if v >= 0x80 { ascii = false }
            }
        }
        // NFC leaves ASCII alone; skip Foundation's pass for it.
        let normalized = ascii ? String(spaced) : String(spaced).precomposedStringWithCanonicalMapping

        var out: [Unicode.Scalar] = []
        out.reserveCapacity(normalized.unicodeScalars.count)
        var word: [Unicode.Scalar] = []
        func flush() {
            guard !word.isEmpty else { return }
            if !out.isEmpty { out.append(" ") }
            appendLowercased(word, to: &out)
            word.removeAll(keepingCapacity: true)
        }
        for c in normalized.unicodeScalars {
            if isPythonSpace(c) { flush() } else { word.append(c) }
        }
        flush()
        return out
    }

    // MARK: Character classes, as transformers and Python define them

    /// transformers' `_is_control`: category C*, but tab, newline and carriage return are whitespace.
    static func isControl(_ c: Unicode.Scalar) -> Bool {
        let v = c.value
        if v == 0x09 || v == 0x0A || v == 0x0D { return false }
        if v < 0x20 || v == 0x7F { return true }
        if v < 0x80 { return false }
        switch c.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned:
            return true
        default:
            return isPythonUnassigned(v)
        }
    }

    /// transformers' `_is_whitespace`: space, tab, newline, carriage return, or category Zs.
    static func isWhitespace(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x20, 0x09, 0x0A, 0x0D: return true
        case 0..<0x80: return false
        default: return c.properties.generalCategory == .spaceSeparator
        }
    }

    /// transformers' `_is_chinese_char`: the CJK Unified Ideographs blocks and their extensions
    /// and compatibility blocks (not kana, not Hangul).
    static func isCJKIdeograph(_ v: UInt32) -> Bool {
        (0x4E00...0x9FFF).contains(v) || (0x3400...0x4DBF).contains(v)
            || (0x20000...0x2A6DF).contains(v) || (0x2A700...0x2B73F).contains(v)
            || (0x2B740...0x2B81F).contains(v) || (0x2B820...0x2CEAF).contains(v)
            || (0xF900...0xFAFF).contains(v) || (0x2F800...0x2FA1F).contains(v)
    }

    /// Python's `str.isspace()`: category Zs or bidirectional class WS, B or S. A fixed list.
    static func isPythonSpace(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            return true
        default:
            return false
        }
    }

    /// Whether Python's `unicodedata` (the version transformers ran under when the goldens were
    /// recorded, `pythonUnicodeVersion`) calls `v` unassigned. transformers drops such code
    /// points as control characters: with Python 3.11's Unicode 14.0, that includes the emoji
    /// and scripts added in Unicode 15 and later, which Swift knows and would otherwise keep.
    static func isPythonUnassigned(_ v: UInt32) -> Bool {
        let ranges = pythonUnassignedRanges
        // Binary search for the last range whose lower bound is <= v.
        var low = 0
        var high = ranges.count / 2
        while low < high {
            let mid = (low + high) / 2
            if ranges[2 * mid] <= v { low = mid + 1 } else { high = mid }
        }
        return low > 0 && v <= ranges[2 * (low - 1) + 1]
    }

    // MARK: Lower case, as Python's str.lower()

    /// Appends Python's `word.lower()`: each code point's full lower-case mapping (so `İ` gives
    /// `i` and a combining dot), and capital sigma as final `ς` at the end of a word.
    static func appendLowercased(_ word: [Unicode.Scalar], to out: inout [Unicode.Scalar]) {
        for (i, c) in word.enumerated() {
            let v = c.value
            if v < 0x80 {
                out.append((0x41...0x5A).contains(v) ? Unicode.Scalar(v + 0x20)! : c)
            } else if v == 0x3A3 {
                out.append(isFinalSigma(word, at: i) ? "\u{3C2}" : "\u{3C3}")
            } else {
                out.append(contentsOf: c.properties.lowercaseMapping.unicodeScalars)
            }
        }
    }

    /// CPython's `handle_capital_sigma`: Σ is final when a cased letter precedes it and none
    /// follows it, looking past case-ignorable code points both ways.
    static func isFinalSigma(_ word: [Unicode.Scalar], at i: Int) -> Bool {
        var j = i - 1
        while j >= 0 && word[j].properties.isCaseIgnorable { j -= 1 }
        guard j >= 0 && word[j].properties.isCased else { return false }
        j = i + 1
        while j < word.count && word[j].properties.isCaseIgnorable { j += 1 }
        return j == word.count || !word[j].properties.isCased
    }
}
