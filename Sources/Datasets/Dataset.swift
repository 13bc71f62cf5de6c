import Imaging

/// An indexable list of labelled images, decoded or rendered only when asked for, so that a
/// dataset of any size costs a few bytes per sample until a `BatchStream` reads it.
public protocol Dataset: Sendable {
    var count: Int { get }
    /// The name of each label, as a prompt would say it ("apple pie", "red dotted soup").
    var classNames: [String] { get }
    func label(at index: Int) -> Int
    func image(at index: Int) throws -> Image
}

extension Dataset {
    /// For each label in order, the index of its first sample; labels without one are skipped.
    public func firstIndexOfEachClass() -> [Int] {
        var first = [Int?](repeating: nil, count: classNames.count)
        for index in (0..<count).reversed() { first[label(at: index)] = index }
        return first.compactMap { $0 }
    }
}
