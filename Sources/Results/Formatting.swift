import Foundation

// How numbers are written in tables and figures. One place, so a published 1e-4 and a
// reproduced 0.0001 read the same, and large counts get thousands separators.

/// A number in its shortest honest form: integers with separators ("235,210"), small
/// settings in scientific notation ("1e-4"), others with up to four significant digits.
public func formatNumber(_ value: Double) -> String {
    guard value.isFinite else { return String(value) }
    let magnitude = abs(value)
    if value == value.rounded(), magnitude < 1e15 {
        if magnitude >= 1e9 { return scientific(value) }
        return groupThousands(Int(value))
    }
    if magnitude < 1e-3 || magnitude >= 1e9 { return scientific(value) }
    return trimZeros(String(format: "%.4g", value))
}

/// A typed-in number with all its digits: Swift's shortest round-trip form, except that
/// integers get separators, tiny settings scientific notation, percentages two decimals at least.
public func formatExact(_ value: Double, unit: String) -> String {
    if value == value.rounded() || abs(value) < 1e-3 { return unit == "%" ? formatPercent(value) : formatNumber(value) }
    let shortest = "\(value)"
    if unit == "%", let dot = shortest.firstIndex(of: "."), shortest.distance(from: dot, to: shortest.endIndex) < 3 {
        return formatPercent(value)
    }
    return shortest
}

/// Accuracies and other percentages: always two decimals, as the paper prints them.
public func formatPercent(_ value: Double) -> String {
    String(format: "%.2f", value)
}

/// A value with its unit: percentages get two decimals, FLOPs a G prefix, the rest `formatNumber`.
public func formatValue(_ value: Double, unit: String) -> String {
    switch unit {
    case "%": return formatPercent(value)
    case "FLOPs": return "\(trimZeros(String(format: "%.3g", value / 1e9))) G"
    case "s", "h", "images/s": return trimZeros(String(format: value >= 100 ? "%.1f" : "%.3g", value))
    default: return formatNumber(value)
    }
}

/// A signed difference in the unit's precision: "+1.23", "-0.40".
public func formatDelta(_ delta: Double, unit: String) -> String {
    let sign = delta > 0 ? "+" : (delta < 0 ? "-" : "±")
    return sign + formatValue(abs(delta), unit: unit)
}

private func scientific(_ value: Double) -> String {
    let text = String(format: "%.3e", value)
    guard let e = text.firstIndex(of: "e") else { return text }
    let mantissa = trimZeros(String(text[..<e]))
    var exponent = String(text[text.index(after: e)...])
    let sign = exponent.hasPrefix("-") ? "-" : ""
    exponent = String(exponent.drop(while: { $0 == "+" || $0 == "-" || $0 == "0" }))
    return "\(mantissa)e\(sign)\(exponent.isEmpty ? "0" : exponent)"
}

private func trimZeros(_ text: String) -> String {
    guard text.contains("."), !text.contains("e") else { return text }
    var trimmed = text
    while trimmed.hasSuffix("0") { trimmed.removeLast() }
    if trimmed.hasSuffix(".") { trimmed.removeLast() }
    return trimmed
}

private func groupThousands(_ value: Int) -> String {
    let digits = String(abs(value))
    var grouped = ""
    for (index, digit) in digits.enumerated() {
        if index > 0, (digits.count - index) % 3 == 0 { grouped.append(",") }
        grouped.append(digit)
    }
    return (value < 0 ? "-" : "") + grouped
}
