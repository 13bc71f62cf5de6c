import CCairo
import Common
import Results
import Training
import Foundation
import Imaging

/// An RGB colour with opacity, components in [0, 1].
public struct Color: Sendable {
    public let red, green, blue, alpha: Double

    public init(hex: UInt32, alpha: Double = 1) {
        red = Double((hex >> 16) & 0xFF) / 255
        green = Double((hex >> 8) & 0xFF) / 255
        blue = Double(hex & 0xFF) / 255
        self.alpha = alpha
    }

    public func withAlpha(_ alpha: Double) -> Color {
        Color(red: red, green: green, blue: blue, alpha: alpha)
    }

    private init(red: Double, green: Double, blue: Double, alpha: Double) {
        self.red = red
        self.green = green
        self.blue = blue
        self.alpha = alpha
    }

    static let black = Color(hex: 0x000000)
    static let text = Color(hex: 0x222222)
    static let muted = Color(hex: 0x707070)
    static let grid = Color(hex: 0xDDDDDD)
    static let white = Color(hex: 0xFFFFFF)
    // Colour-blind-safe pairs (Okabe-Ito): blue and vermilion, with green and purple for lines.
    static let blue = Color(hex: 0x0072B2)
    static let vermilion = Color(hex: 0xD55E00)
    static let green = Color(hex: 0x009E73)
    static let purple = Color(hex: 0xCC79A7)
}

/// A drawing surface over a cairo context: the few primitives the figures need, in
/// figure units (the PNG is rendered at twice that resolution, the SVG at one).
final class Canvas {
    enum HorizontalAlignment { case left, center, right }
    enum VerticalAlignment { case top, middle, baseline, bottom }

    let context: OpaquePointer

    init(context: OpaquePointer) {
        self.context = context
        cairo_select_font_face(context, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL)
    }

    func fill(_ rect: CGRectLike, _ color: Color) {
        set(color)
        cairo_rectangle(context, rect.x, rect.y, rect.width, rect.height)
        cairo_fill(context)
    }

    func stroke(_ rect: CGRectLike, _ color: Color, width: Double = 1) {
        set(color)
        cairo_set_line_width(context, width)
        cairo_rectangle(context, rect.x, rect.y, rect.width, rect.height)
        cairo_stroke(context)
    }

    /// Diagonal hatching clipped to `rect`: marks published bars apart from reproduced ones
    /// without relying on colour alone.
    func hatch(_ rect: CGRectLike, _ color: Color, spacing: Double = 6) {
        cairo_save(context)
        cairo_rectangle(context, rect.x, rect.y, rect.width, rect.height)
        cairo_clip(context)
        set(color)
        cairo_set_line_width(context, 1)
        var offset = -rect.height
        while offset < rect.width {
            cairo_move_to(context, rect.x + offset, rect.y + rect.height)
            cairo_line_to(context, rect.x + offset + rect.height, rect.y)
            offset += spacing
        }
        cairo_stroke(context)
        cairo_restore(context)
    }

    func line(_ points: [(Double, Double)], _ color: Color, width: Double = 1, dash: [Double] = []) {
        guard let first = points.first else { return }
        set(color)
        cairo_set_line_width(context, width)
        cairo_set_line_join(context, CAIRO_LINE_JOIN_ROUND)
        dash.withUnsafeBufferPointer { cairo_set_dash(context, $0.baseAddress, Int32($0.count), 0) }
        cairo_move_to(context, first.0, first.1)
        for point in points.dropFirst() { cairo_line_to(context, point.0, point.1) }
        cairo_stroke(context)
        cairo_set_dash(context, nil, 0, 0)
    }

    func circle(center: (Double, Double), radius: Double, fill: Color, outline: Color? = nil) {
        set(fill)
        // A new sub-path, or the arc would be joined by a line to the current point (after text).
        cairo_new_sub_path(context)
        cairo_arc(context, center.0, center.1, radius, 0, 2 * .pi)
        if let outline {
            cairo_fill_preserve(context)
            set(outline)
            cairo_set_line_width(context, 1.5)
            cairo_stroke(context)
        } else {
            cairo_fill(context)
        }
    }

    /// A diamond, for published reference points.
    func diamond(center: (Double, Double), radius: Double, fill: Color, outline: Color) {
        cairo_move_to(context, center.0, center.1 - radius)
        cairo_line_to(context, center.0 + radius, center.1)
        cairo_line_to(context, center.0, center.1 + radius)
        cairo_line_to(context, center.0 - radius, center.1)
        cairo_close_path(context)
        set(fill)
        cairo_fill_preserve(context)
        set(outline)
        cairo_set_line_width(context, 1.5)
        cairo_stroke(context)
    }

    func text(_ string: String, at point: (Double, Double), size: Double, color: Color = .text, bold: Bool = false,
              italic: Bool = false, align: HorizontalAlignment = .left, vertical: VerticalAlignment = .baseline,
              rotated: Bool = false, halo: Bool = false) {
        cairo_save(context)
        font(size: size, bold: bold, italic: italic)
        var extents = cairo_text_extents_t()
        cairo_text_extents(context, string, &extents)
        var fontExtents = cairo_font_extents_t()
        cairo_font_extents(context, &fontExtents)
        let dx: Double = switch align {
        case .left: 0
        case .center: -extents.x_advance / 2
        case .right: -extents.x_advance
        }
        let dy: Double = switch vertical {
        case .top: fontExtents.ascent
        case .middle: (fontExtents.ascent - fontExtents.descent) / 2
        case .baseline: 0
        case .bottom: -fontExtents.descent
        }
        cairo_translate(context, point.0, point.1)
        if rotated { cairo_rotate(context, -.pi / 2) }
        cairo_move_to(context, dx, dy)
        if halo {
            // A white outline under the glyphs keeps a label legible where it crosses a line.
            cairo_text_path(context, string)
            set(.white)
            cairo_set_line_width(context, 3)
            cairo_set_line_join(context, CAIRO_LINE_JOIN_ROUND)
            cairo_stroke_preserve(context)
            set(color)
            cairo_fill(context)
        } else {
            set(color)
            cairo_show_text(context, string)
        }
        cairo_restore(context)
    }

    func textWidth(_ string: String, size: Double, bold: Bool = false) -> Double {
        cairo_save(context)
        font(size: size, bold: bold, italic: false)
        var extents = cairo_text_extents_t()
        cairo_text_extents(context, string, &extents)
        cairo_restore(context)
        return extents.x_advance
    }

    /// Breaks `string` into lines no wider than `width`, at spaces.
    func wrap(_ string: String, width: Double, size: Double) -> [String] {
        cairo_save(context)
        defer { cairo_restore(context) }
        font(size: size, bold: false, italic: false)
        return wrapText(context, string, width: width)
    }

    private func font(size: Double, bold: Bool, italic: Bool) {
        cairo_select_font_face(context, "DejaVu Sans", italic ? CAIRO_FONT_SLANT_ITALIC : CAIRO_FONT_SLANT_NORMAL,
                               bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL)
        cairo_set_font_size(context, size)
    }

    private func set(_ color: Color) {
        cairo_set_source_rgba(context, color.red, color.green, color.blue, color.alpha)
    }
}

/// A rectangle in figure units (CoreGraphics is not available on Linux).
struct CGRectLike {
    var x, y, width, height: Double

    var maxX: Double { x + width }
    var maxY: Double { y + height }
}

/// A figure: its size in figure units and how to draw it. `write` renders it to PNG and
/// SVG, each through a temporary file renamed into place, so a reader never sees half a figure.
public struct Figure {
    public let name: String
    /// The chapters whose results it draws: `report weave` shows it in each of their notebooks.
    public let chapters: [String]
    let width: Double
    let height: Double
    let draw: (Canvas) -> Void

    /// PNG pixels per figure unit: crisp on high-density screens and in print.
    static let pngScale = 2.0

    /// Writes `<directory>/<name>.png` and `.svg` and returns their locations.
    @discardableResult
    public func write(to directory: URL) throws -> [URL] {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let png = directory.appendingPathComponent("\(name).png")
        let svg = directory.appendingPathComponent("\(name).svg")
        try writeAtomically(png) { try renderPNG(to: $0) }
        try writeAtomically(svg) { try renderSVG(to: $0) }
        return [png, svg]
    }

    private func renderPNG(to path: String) throws {
        let surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, Int32(width * Self.pngScale), Int32(height * Self.pngScale))!
        defer { cairo_surface_destroy(surface) }
        let context = cairo_create(surface)!
        cairo_scale(context, Self.pngScale, Self.pngScale)
        paint(context)
        cairo_destroy(context)
        cairo_surface_flush(surface)
        try check(cairo_surface_write_to_png(surface, path), path)
    }

    private func renderSVG(to path: String) throws {
        let surface = cairo_svg_surface_create(path, width, height)!
        let context = cairo_create(surface)!
        paint(context)
        cairo_destroy(context)
        cairo_surface_finish(surface)
        let status = cairo_surface_status(surface)
        cairo_surface_destroy(surface)
        try check(status, path)
    }

    private func paint(_ context: OpaquePointer) {
        cairo_set_source_rgb(context, 1, 1, 1)
        cairo_paint(context)
        draw(Canvas(context: context))
    }

    private func check(_ status: cairo_status_t, _ path: String) throws {
        guard status == CAIRO_STATUS_SUCCESS else {
            throw ChapterError("\(path): cairo could not write the figure (\(String(cString: cairo_status_to_string(status))))")
        }
    }
}
