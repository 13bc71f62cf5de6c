/// GPT-2's reversible map between bytes and printable characters, which CLIP's BPE works on.
///
/// The vocabulary is written in characters, not bytes, so every byte needs a character that is
/// printable and not whitespace. The 188 bytes that are already printable Latin-1 (`!`...`~`,
/// `¡`...`¬`, `®`...`ÿ`) stand for themselves; the other 68 (controls, space, DEL, NBSP, soft
/// hyphen) take the code points from U+0100 on, in byte order. So the space byte 0x20 is `Ġ`.
enum ByteLevel {
    /// `characters[b]` is the character that stands for byte `b`.
    static let characters: [Unicode.Scalar] = {
        func printable(_ b: Int) -> Bool {
            (0x21...0x7E).contains(b) || (0xA1...0xAC).contains(b) || (0xAE...0xFF).contains(b)
        }
        var table = [Unicode.Scalar](repeating: " ", count: 256)
        var next: UInt32 = 256
        for b in 0..<256 {
            if printable(b) {
                table[b] = Unicode.Scalar(UInt32(b))!
            } else {
                table[b] = Unicode.Scalar(next)!
                next += 1
            }
        }
        return table
    }()

    /// The inverse map, indexed by code point (all of them are below U+0144); nil off the map.
    static let bytes: [UInt8?] = {
        var table = [UInt8?](repeating: nil, count: 0x144)
        for (b, c) in characters.enumerated() { table[Int(c.value)] = UInt8(b) }
        return table
    }()

    /// The byte a vocabulary character stands for, nil if it stands for none.
    @inline(__always)
    static func byte(for c: Unicode.Scalar) -> UInt8? {
        Int(c.value) < bytes.count ? bytes[Int(c.value)] : nil
    }
}
