import Results
import Training

/// "Most" and "least" decided by 95% intervals, never by point values: the candidate (lowest or
/// highest value) is clearly the extreme only when its interval lies wholly beyond every other's;
/// otherwise the ones whose intervals overlap it share the place.
enum IntervalExtreme<Item> {
    case clear(Item)
    /// The candidate first, then every item whose interval overlaps it.
    case overlapping([Item])

    static func of(_ items: [Item], lowest: Bool, accuracy: (Item) -> Accuracy) -> IntervalExtreme? {
        guard let candidate = items.indices.min(by: { a, b in
            lowest ? accuracy(items[a]).value < accuracy(items[b]).value : accuracy(items[a]).value > accuracy(items[b]).value
        }) else { return nil }
        let (low, high) = bounds(accuracy(items[candidate]))
        let ties = items.indices.filter { $0 != candidate }.filter { index in
            let (otherLow, otherHigh) = bounds(accuracy(items[index]))
            return lowest ? otherLow <= high : otherHigh >= low
        }
        return ties.isEmpty ? .clear(items[candidate]) : .overlapping([items[candidate]] + ties.map { items[$0] })
    }

    private static func bounds(_ accuracy: Accuracy) -> (Double, Double) {
        (accuracy.interval?.low ?? accuracy.value, accuracy.interval?.high ?? accuracy.value)
    }
}
