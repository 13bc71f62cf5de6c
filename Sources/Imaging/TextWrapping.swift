import CCairo

/// Splits `text` at spaces into lines no wider than `width` in the Cairo context's current font
/// (a word wider than `width` stays whole on its own line). The report's figures and the contact
/// sheets both caption with it.
public func wrapText(_ context: OpaquePointer, _ text: String, width: Double) -> [String] {
    var lines: [String] = []
    var current = ""
    for word in text.split(separator: " ") {
        let candidate = current.isEmpty ? String(word) : current + " " + word
        var extents = cairo_text_extents_t()
        cairo_text_extents(context, candidate, &extents)
        if extents.x_advance > width && !current.isEmpty {
            lines.append(current)
            current = String(word)
        } else {
            current = candidate
        }
    }
    if !current.isEmpty { lines.append(current) }
    return lines
}
