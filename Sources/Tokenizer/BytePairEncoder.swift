/// Byte-pair encoding of one pre-token, by merge rank.
///
/// A pre-token starts as its UTF-8 bytes, each a symbol (the last one marked as a word end,
/// `</w>`). Then, again and again, the adjacent pair of symbols whose merge comes first in
/// merges.txt is found, and every occurrence of it, left to right, becomes one symbol; until no
/// adjacent pair has a merge. The symbols left are looked up in the vocabulary.
///
/// Symbols are numbered (interned) when the files are loaded, so that merging compares integers
/// and a merge is found by a dictionary keyed by a pair of integers, never by strings. A symbol
/// the vocabulary lacks maps to the unknown id, as in Hugging Face (which cannot happen with
/// CLIP's files, where every merge result is in the vocabulary).
struct BytePairEncoder: Sendable {
    struct SymbolPair: Hashable, Sendable {
        let first: Int32
        let second: Int32
    }

    struct Merge: Sendable {
        let rank: Int32
        let result: Int32
    }

    /// How many merges Hugging Face (and OpenAI) read: 49,152 tokens less the 256 bytes and the
    /// two special tokens. Lines past these are ignored.
    static let maximumMerges = 49152 - 256 - 2

    /// The merges, by the pair of symbols they join.
    let merges: [SymbolPair: Merge]
    /// The vocabulary id of each symbol.
    let ids: [Int]
    /// The symbol of each byte in the middle of a word, and at its end (with `</w>`).
    let byteSymbols: [Int32]
    let finalByteSymbols: [Int32]

    /// - Parameters:
    ///   - merges: the pairs of merges.txt, in rank order.
    ///   - vocabulary: token to id.
    ///   - unknown: the id of symbols that are not in the vocabulary.
    init(merges pairs: [(String, String)], vocabulary: [String: Int], unknown: Int) {
        var symbols: [String: Int32] = [:]
        symbols.reserveCapacity(pairs.count + 512)
        var names: [String] = []
        names.reserveCapacity(pairs.count + 512)
        func intern(_ name: String) -> Int32 {
            if let symbol = symbols[name] { return symbol }
            let symbol = Int32(names.count)
            symbols[name] = symbol
            names.append(name)
            return symbol
        }
        byteSymbols = ByteLevel.characters.map { intern(String($0)) }
        finalByteSymbols = ByteLevel.characters.map { intern(String($0) + "</w>") }

        var merges: [SymbolPair: Merge] = [:]
        merges.reserveCapacity(pairs.count)
        for (rank, (first, second)) in pairs.enumerated() {
            let a = intern(first)
            let b = intern(second)
            let joined = intern(first + second)
            // A repeated pair keeps its last rank, as Python's dict(zip(merges, ranks)) does.
            merges[SymbolPair(first: a, second: b)] = Merge(rank: Int32(rank), result: joined)
        }
        self.merges = merges
        ids = names.map { vocabulary[$0] ?? unknown }
    }

    /// The vocabulary ids of one pre-token, given as its UTF-8 bytes.
    func encode(_ bytes: [UInt8]) -> [Int] {
        guard let last = bytes.last else { return [] }
        var word: [Int32] = []
        word.reserveCapacity(bytes.count)
        for b in bytes.dropLast() { word.append(byteSymbols[Int(b)]) }
        word.append(finalByteSymbols[Int(last)])

        var merged: [Int32] = []
        merged.reserveCapacity(word.count)
        while word.count > 1 {
            // The adjacent pair whose merge ranks first.
            var best: Merge?
            var bestPair = SymbolPair(first: -1, second: -1)
            for k in 0..<(word.count - 1) {
                let pair = SymbolPair(first: word[k], second: word[k + 1])
                if let merge = merges[pair], merge.rank < (best?.rank ?? .max) {
                    best = merge
                    bestPair = pair
                }
            }
            guard let merge = best else { break }
            // Join every occurrence of it, left to right.
            merged.removeAll(keepingCapacity: true)
            var k = 0
            while k < word.count {
                if k + 1 < word.count && word[k] == bestPair.first && word[k + 1] == bestPair.second {
                    merged.append(merge.result)
                    k += 2
                } else {
                    merged.append(word[k])
                    k += 1
                }
            }
            swap(&word, &merged)
        }
        return word.map { ids[Int($0)] }
    }
}
