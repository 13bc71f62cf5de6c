import Common

/// Splits each class's items into train and test, `round(fraction * n)` to test,
/// the choice drawn from a stream derived from `generator` and the class's position, so one
/// class's items never change another's split. Both parts keep the items' original order.
func stratifiedSplit<Item>(_ itemsByClass: [[Item]], testFraction: Double, generator: SeededGenerator)
    -> (train: [[Item]], test: [[Item]]) {
    var train: [[Item]] = []
    var test: [[Item]] = []
    for (position, items) in itemsByClass.enumerated() {
        var stream = generator.derived(UInt64(position))
        let chosen = Set(stream.shuffled(Array(items.indices)).prefix(Int((testFraction * Double(items.count)).rounded())))
        train.append(items.indices.filter { !chosen.contains($0) }.map { items[$0] })
        test.append(items.indices.filter { chosen.contains($0) }.map { items[$0] })
    }
    return (train, test)
}
