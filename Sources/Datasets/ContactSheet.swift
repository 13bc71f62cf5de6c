import CCairo
import Foundation
import Imaging

/// One cell of a contact sheet: an image and the caption printed under it.
public struct ContactSheetTile: Sendable {
    public let image: Image
    public let caption: String
    /// Framed in colour (held-out classes, wrong labels).
    public let highlighted: Bool

    public init(image: Image, caption: String, highlighted: Bool = false) {
        self.image = image
        self.caption = caption
        self.highlighted = highlighted
    }
}

/// A figure of images in a grid with captions, for the report. Images are scaled to `tileSide`
/// pixels, with nearest-neighbour when enlarged so that a 32-pixel image shows what the model
/// sees, pixel for pixel.
public func contactSheet(_ tiles: [ContactSheetTile], columns: Int, tileSide: Int, title: String, captionLines: Int = 2) -> Image {
    let fontSize = 11.0, lineHeight = 13.0, margin = 8.0, titleHeight = 26.0
    let cellWidth = Double(tileSide) + 12, cellHeight = Double(tileSide) + 8 + lineHeight * Double(captionLines) + 6
    let rows = (tiles.count + columns - 1) / columns
    let width = Int(2 * margin + cellWidth * Double(columns))
    let height = Int(2 * margin + titleHeight + cellHeight * Double(rows))

    let surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, Int32(width), Int32(height))!
    let cr = cairo_create(surface)!
    defer {
        cairo_destroy(cr)
        cairo_surface_destroy(surface)
    }
    cairo_set_source_rgb(cr, 1, 1, 1)
    cairo_paint(cr)
    cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD)
    cairo_set_font_size(cr, 14)
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1)
    cairo_move_to(cr, margin, margin + 16)
    cairo_show_text(cr, title)
    cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL)
    cairo_set_font_size(cr, fontSize)

    for (i, tile) in tiles.enumerated() {
        let x = margin + Double(i % columns) * cellWidth + 6, y = margin + titleHeight + Double(i / columns) * cellHeight
        if tile.highlighted {
            cairo_set_source_rgb(cr, 0.85, 0.1, 0.1)
            cairo_rectangle(cr, x - 3, y - 3, Double(tileSide) + 6, Double(tileSide) + 6)
            cairo_fill(cr)
        }
        drawImage(cr, tile.image, x: x, y: y, side: Double(tileSide))
        cairo_set_source_rgb(cr, 0.1, 0.1, 0.1)
        for (line, text) in wrapText(cr, tile.caption, width: cellWidth - 4).prefix(captionLines).enumerated() {
            cairo_move_to(cr, x - 4, y + Double(tileSide) + 4 + lineHeight * Double(line + 1) - 2)
            cairo_show_text(cr, text)
        }
    }
    cairo_surface_flush(surface)
    return imageFromSurface(surface, width: width, height: height)
}

private func drawImage(_ cr: OpaquePointer, _ image: Image, x: Double, y: Double, side: Double) {
    let source = cairo_image_surface_create(CAIRO_FORMAT_RGB24, Int32(image.width), Int32(image.height))!
    defer { cairo_surface_destroy(source) }
    cairo_surface_flush(source)
    let stride = Int(cairo_image_surface_get_stride(source))
    let data = cairo_image_surface_get_data(source)!
    image.pixels.withUnsafeBufferPointer { rgb in
        for row in 0..<image.height {
            let line = UnsafeMutableRawPointer(data + row * stride).assumingMemoryBound(to: UInt32.self)
            for column in 0..<image.width {
                let p = 3 * (row * image.width + column)
                line[column] = 0xFF00_0000 | UInt32(rgb[p]) << 16 | UInt32(rgb[p + 1]) << 8 | UInt32(rgb[p + 2])
            }
        }
    }
    cairo_surface_mark_dirty(source)
    cairo_save(cr)
    cairo_translate(cr, x, y)
    cairo_scale(cr, side / Double(image.width), side / Double(image.height))
    cairo_set_source_surface(cr, source, 0, 0)
    let enlarged = side >= Double(max(image.width, image.height))
    cairo_pattern_set_filter(cairo_get_source(cr), enlarged ? CAIRO_FILTER_NEAREST : CAIRO_FILTER_GOOD)
    cairo_paint(cr)
    cairo_restore(cr)
}

private func imageFromSurface(_ surface: OpaquePointer, width: Int, height: Int) -> Image {
    let stride = Int(cairo_image_surface_get_stride(surface))
    let data = UnsafeRawPointer(cairo_image_surface_get_data(surface)!)
    let pixels = [UInt8](unsafeUninitializedCapacity: width * height * 3) { rgb, initialized in
        for row in 0..<height {
            let line = data.advanced(by: row * stride).assumingMemoryBound(to: UInt32.self)
            for column in 0..<width {
                let p = 3 * (row * width + column)
                rgb[p] = UInt8(truncatingIfNeeded: line[column] >> 16)
                rgb[p + 1] = UInt8(truncatingIfNeeded: line[column] >> 8)
                rgb[p + 2] = UInt8(truncatingIfNeeded: line[column])
            }
        }
        initialized = width * height * 3
    }
    return Image(width: width, height: height, pixels: pixels)
}

extension Image {
    /// The largest centred square, scaled to `side` (bilinear): a photo's tile in a figure.
    public func squareThumbnail(side: Int) -> Image {
        let square = min(width, height)
        return centerCropped(width: square, height: square).resized(width: side, height: side, filter: .bilinear)
    }
}
