import Common

/// Splits each class's items into train and validation, `round(fraction * n)` to validation,
/// the choice drawn from a stream derived from `generator` and the class's position, so one
/// class's items never change another's split. Both parts keep the items' original order.
func stratifiedSplit<Item>(_ itemsByClass: [[Item]], validationFraction: Double, generator: SeededGenerator)
    -> (train: [[Item]], validation: [[Item]]) {
    var train: [[Item]] = []
    var validation: [[Item]] = []
    for (position, items) in itemsByClass.enumerated() {
        var stream = generator.derived(UInt64(position))
        let chosen = Set(stream.shuffled(Array(items.indices)).prefix(Int((validationFraction * Double(items.count)).rounded())))
        train.append(items.indices.filter { !chosen.contains($0) }.map { items[$0] })
        validation.append(items.indices.filter { chosen.contains($0) }.map { items[$0] })
    }
    return (train, validation)
}
