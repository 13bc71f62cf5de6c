import CCairo
import Common
import Foundation
import Imaging

// How one MiniFood photo is made. A dish is drawn with Cairo in its own coordinates (radius 1)
// and placed on a table; then the photo gets what makes Food-101 hard: varied tables, pose
// (position, scale, rotation), now and then a napkin, a fork or another plate over part of the
// dish, uneven coloured light and sensor noise. Every random choice comes from the generator
// passed in, in a fixed order, so an image is a pure function of its stream.

/// Renders `dish` as a `side` x `side` photo.
func renderDish(_ dish: Dish, side: Int, generator g: inout SeededGenerator) -> Image {
    let surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, Int32(side), Int32(side))!
    let cr = cairo_create(surface)!
    defer {
        cairo_destroy(cr)
        cairo_surface_destroy(surface)
    }
    cairo_set_tolerance(cr, 0.3)  // curves flattened to within 0.3 pixels: ample for 32 pixels, and fewer edges
    cairo_scale(cr, Double(side) / 100, Double(side) / 100)  // scene units: the photo is 100 x 100
    drawTable(cr, &g)

    let radius = g.uniform(0.70, 0.95) * 40
    let turn = dish.base == .kebab ? g.uniform(-Double.pi / 2, Double.pi / 2) : g.uniform(-0.45, 0.45)
    cairo_save(cr)
    cairo_translate(cr, 50 + g.uniform(-8, 8), 50 + g.uniform(-8, 8))
    cairo_rotate(cr, turn)
    cairo_scale(cr, radius, radius)
    drawDish(cr, dish, &g)
    cairo_restore(cr)

    if g.chance(0.3) { drawOccluder(cr, &g) }
    cairo_surface_flush(surface)
    return photograph(surface, side: side, &g)
}

// MARK: The table

/// Muted table colours, far from every food colour so the table never names one.
private let tableColours = [
    RGB(0.78, 0.78, 0.76), RGB(0.32, 0.32, 0.34), RGB(0.84, 0.78, 0.66), RGB(0.36, 0.42, 0.46),
    RGB(0.92, 0.90, 0.86), RGB(0.18, 0.18, 0.20), RGB(0.55, 0.50, 0.45), RGB(0.60, 0.63, 0.58),
]

private func drawTable(_ cr: OpaquePointer, _ g: inout SeededGenerator) {
    let colour = g.pick(tableColours).scaled(g.uniform(0.92, 1.08))
    setColour(cr, colour)
    cairo_paint(cr)
    switch g.int(below: 4) {
    case 0:  // gingham cloth, faint
        let cell = g.uniform(14, 26)
        setColour(cr, colour.scaled(0.88))
        for row in 0..<Int(100 / cell) + 1 {
            for column in 0..<Int(100 / cell) + 1 where (row + column) % 2 == 0 {
                cairo_rectangle(cr, Double(column) * cell, Double(row) * cell, cell, cell)
            }
        }
        cairo_fill(cr)
    case 1:  // wood grain: soft bands of varying shade
        var y = 0.0
        while y < 100 {
            let band = g.uniform(4, 12)
            setColour(cr, colour.scaled(g.uniform(0.9, 1.05)))
            cairo_rectangle(cr, 0, y, 100, band)
            cairo_fill(cr)
            y += band
        }
    case 2:  // a placemat under the dish
        setColour(cr, g.pick(tableColours).scaled(g.uniform(0.95, 1.1)))
        roundedRectangle(cr, x: g.uniform(4, 14), y: g.uniform(4, 14), width: g.uniform(72, 86), height: g.uniform(72, 86), radius: 6)
        cairo_fill(cr)
    default:
        break
    }
}

// MARK: The dish

/// Plates, bowls and wrappers: neutral, so only the food carries a colour word.
private let ceramicColours = [RGB(0.94, 0.94, 0.92), RGB(0.70, 0.71, 0.73), RGB(0.86, 0.82, 0.74), RGB(0.30, 0.30, 0.33)]
private let dough = RGB(0.82, 0.62, 0.36)
private let wood = RGB(0.62, 0.45, 0.26)

/// One filled region of a dish: either food (coloured and patterned) or a fixed material.
private struct Part {
    var isFood: Bool
    var material = RGB(0, 0, 0)
    var evenOdd = false
    var path: (OpaquePointer) -> Void
}

private func drawDish(_ cr: OpaquePointer, _ dish: Dish, _ g: inout SeededGenerator) {
    let ceramic = g.pick(ceramicColours)
    let parts = dishParts(dish.base, ceramic: ceramic)

    // A soft shadow cast down and to the right, the union of the dish's parts.
    cairo_push_group(cr)
    cairo_translate(cr, 0.07, 0.10)
    for part in parts {
        part.path(cr)
        cairo_set_fill_rule(cr, part.evenOdd ? CAIRO_FILL_RULE_EVEN_ODD : CAIRO_FILL_RULE_WINDING)
        cairo_fill(cr)
    }
    cairo_translate(cr, -0.07, -0.10)
    cairo_pop_group_to_source(cr)
    cairo_paint_with_alpha(cr, g.uniform(0.15, 0.3))

    let base = dish.colour.rgb
    let food = RGB(base.r * g.uniform(0.9, 1.1), base.g * g.uniform(0.9, 1.1), base.b * g.uniform(0.9, 1.1)).scaled(g.uniform(0.9, 1.08))
    let topping = dish.colour.toppingRGB.scaled(g.uniform(0.94, 1.04))
    let phase = (g.unit(), g.unit())
    for part in parts {
        cairo_set_fill_rule(cr, part.evenOdd ? CAIRO_FILL_RULE_EVEN_ODD : CAIRO_FILL_RULE_WINDING)
        part.path(cr)
        setColour(cr, part.isFood ? food : part.material)
        guard part.isFood else {
            cairo_fill(cr)
            continue
        }
        cairo_save(cr)
        cairo_fill_preserve(cr)
        cairo_clip(cr)
        setColour(cr, topping)
        drawTopping(cr, dish.pattern, phase: phase)
        addHighlight(cr)
        cairo_restore(cr)
    }
    drawDetails(cr, dish.base)
}

/// The regions of each dish, in drawing order, in dish coordinates (radius 1, y down).
private func dishParts(_ base: DishBase, ceramic: RGB) -> [Part] {
    switch base {
    case .soup:  // a bowl seen from above the rim
        return [
            Part(isFood: false, material: ceramic.scaled(0.9)) { cr in
                cairo_save(cr); cairo_translate(cr, 0, -0.05); cairo_scale(cr, 1, 0.9)
                cairo_arc(cr, 0, 0, 1, 0, .pi); cairo_close_path(cr); cairo_restore(cr)
                cairo_rectangle(cr, -0.35, 0.78, 0.7, 0.14)
            },
            Part(isFood: false, material: ceramic) { cr in ellipse(cr, 0, -0.05, 1, 0.44) },
            Part(isFood: true) { cr in ellipse(cr, 0, -0.05, 0.86, 0.35) },
        ]
    case .pizza:  // top view: crust ring and topped middle
        return [
            Part(isFood: false, material: dough) { cr in ellipse(cr, 0, 0, 1, 1) },
            Part(isFood: true) { cr in ellipse(cr, 0, 0, 0.82, 0.82) },
        ]
    case .cake:  // a round cake from the side, on a plate
        return [
            Part(isFood: false, material: ceramic) { cr in ellipse(cr, 0, 0.78, 1.05, 0.22) },
            Part(isFood: true) { cr in
                cairo_rectangle(cr, -0.72, -0.45, 1.44, 1.2)
                ellipse(cr, 0, 0.75, 0.72, 0.2)
                ellipse(cr, 0, -0.45, 0.72, 0.22)
            },
        ]
    case .sandwich:  // a triangle half, crust around the filling
        return [
            Part(isFood: false, material: dough) { cr in polygon(cr, [(-1, 0.72), (1, 0.72), (0, -0.95)]) },
            Part(isFood: true) { cr in polygon(cr, [(-0.72, 0.56), (0.72, 0.56), (0, -0.6)]) },
        ]
    case .kebab:  // three chunks on a skewer
        return [
            Part(isFood: false, material: wood) { cr in cairo_rectangle(cr, -1.15, -0.04, 2.3, 0.08) },
            Part(isFood: true) { cr in
                for x in [-0.68, 0.0, 0.68] { roundedRectangle(cr, x: x - 0.3, y: -0.3, width: 0.6, height: 0.6, radius: 0.1) }
            },
        ]
    case .donut:  // a ring of dough under a ring of icing
        return [
            Part(isFood: false, material: dough, evenOdd: true) { cr in ellipse(cr, 0, 0, 1, 1); ellipse(cr, 0, 0, 0.36, 0.36) },
            Part(isFood: true, evenOdd: true) { cr in ellipse(cr, 0, 0, 0.88, 0.88); ellipse(cr, 0, 0, 0.46, 0.46) },
        ]
    case .cupcake:  // a pleated paper cup under a dome of frosting
        return [
            Part(isFood: false, material: ceramic) { cr in polygon(cr, [(-0.62, 0.92), (0.62, 0.92), (0.8, 0.12), (-0.8, 0.12)]) },
            Part(isFood: true) { cr in
                cairo_save(cr); cairo_translate(cr, 0, 0.16); cairo_scale(cr, 0.92, 0.9)
                cairo_arc(cr, 0, 0, 1, .pi, 2 * .pi); cairo_close_path(cr); cairo_restore(cr)
                ellipse(cr, 0, -0.78, 0.2, 0.18)
            },
        ]
    case .lolly:  // an ice lolly on its stick
        return [
            Part(isFood: false, material: wood) { cr in roundedRectangle(cr, x: -0.09, y: 0.4, width: 0.18, height: 0.62, radius: 0.08) },
            Part(isFood: true) { cr in roundedRectangle(cr, x: -0.5, y: -0.98, width: 1.0, height: 1.55, radius: 0.45) },
        ]
    }
}

/// Marks drawn over the dish: the pizza's cuts, the cupcake's pleats.
private func drawDetails(_ cr: OpaquePointer, _ base: DishBase) {
    cairo_set_source_rgba(cr, 0, 0, 0, 0.25)
    cairo_set_line_width(cr, 0.05)
    switch base {
    case .pizza:
        for k in 0..<3 {
            let angle = Double(k) * .pi / 3
            cairo_move_to(cr, -0.82 * cos(angle), -0.82 * sin(angle))
            cairo_line_to(cr, 0.82 * cos(angle), 0.82 * sin(angle))
        }
        cairo_stroke(cr)
    case .cupcake:
        for x in stride(from: -0.5, through: 0.5, by: 0.25) {
            cairo_move_to(cr, x * 1.25, 0.16)
            cairo_line_to(cr, x, 0.9)
        }
        cairo_stroke(cr)
    default:
        break
    }
}

/// The topping's marks, where the caller's clip (the food) lets them show; only marks that can
/// reach the clip are drawn, since Cairo's cost grows with the number of shapes. Sizes are in
/// dish units (about 11 pixels at 32 x 32): dots and stripes 2 to 3 pixels wide.
private func drawTopping(_ cr: OpaquePointer, _ pattern: ToppingPattern, phase: (Double, Double)) {
    var x1 = 0.0, y1 = 0.0, x2 = 0.0, y2 = 0.0
    cairo_clip_extents(cr, &x1, &y1, &x2, &y2)
    /// The grid positions k * step + offset that fall within low...high, widened by `margin`.
    func steps(_ low: Double, _ high: Double, step: Double, offset: Double, margin: Double) -> [Double] {
        let first = Int(((low - margin - offset) / step).rounded(.down)), last = Int(((high + margin - offset) / step).rounded(.up))
        return (first...last).map { Double($0) * step + offset }
    }
    switch pattern {
    case .plain:
        return
    case .dotted:
        let step = 0.42, radius = 0.13
        for (row, y) in steps(y1, y2, step: step * 0.9, offset: phase.1 * step, margin: radius).enumerated() {
            let shift = row % 2 == 0 ? 0 : step / 2
            for x in steps(x1, x2, step: step, offset: phase.0 * step + shift, margin: radius) {
                cairo_new_sub_path(cr)
                cairo_arc(cr, x, y, radius, 0, 2 * .pi)
            }
        }
        cairo_fill(cr)
    case .striped:
        for x in steps(x1, x2, step: 0.42, offset: phase.0 * 0.42, margin: 0.17) { cairo_rectangle(cr, x, y1, 0.17, y2 - y1) }
        cairo_fill(cr)
    case .checked:
        let cell = 0.3
        for y in steps(y1, y2, step: cell, offset: phase.1 * cell, margin: cell) {
            for x in steps(x1, x2, step: cell, offset: phase.0 * cell, margin: cell)
            where Int(((x - phase.0 * cell) / cell).rounded() + ((y - phase.1 * cell) / cell).rounded()) & 1 == 0 {
                cairo_rectangle(cr, x, y, cell, cell)
            }
        }
        cairo_fill(cr)
    case .wavy:
        cairo_set_line_width(cr, 0.13)
        let xs = steps(x1, x2, step: 0.48, offset: 0, margin: 0.48)
        for y in steps(y1, y2, step: 0.46, offset: phase.1 * 0.46, margin: 0.2) {
            cairo_move_to(cr, xs[0], y)
            for x in xs.dropFirst() { cairo_curve_to(cr, x - 0.32, y - 0.5, x - 0.16, y + 0.5, x, y) }
        }
        cairo_stroke(cr)
    case .ringed:
        cairo_set_line_width(cr, 0.13)
        let reach = hypot(x2 - x1, y2 - y1) / 2
        for radius in stride(from: 0.12 + phase.0 * 0.09, through: reach, by: 0.3) {
            cairo_new_sub_path(cr)
            cairo_arc(cr, (x1 + x2) / 2, (y1 + y2) / 2, radius, 0, 2 * .pi)
        }
        cairo_stroke(cr)
    }
}

/// A soft light from the upper left, so food looks glossy rather than flat.
private func addHighlight(_ cr: OpaquePointer) {
    let light = cairo_pattern_create_radial(-0.4, -0.45, 0, -0.4, -0.45, 1.2)!
    cairo_pattern_add_color_stop_rgba(light, 0, 1, 1, 1, 0.22)
    cairo_pattern_add_color_stop_rgba(light, 1, 1, 1, 1, 0)
    cairo_set_source(cr, light)
    cairo_paint(cr)
    cairo_pattern_destroy(light)
}

// MARK: Occlusion and light

/// Something in front of part of the dish: a napkin from an edge, a fork across it, or the
/// rim of another plate from a corner.
private func drawOccluder(_ cr: OpaquePointer, _ g: inout SeededGenerator) {
    cairo_save(cr)
    cairo_translate(cr, 50, 50)
    cairo_rotate(cr, g.uniform(0, 2 * .pi))
    switch g.int(below: 3) {
    case 0:
        setColour(cr, g.pick(ceramicColours).scaled(g.uniform(0.95, 1.05)))
        cairo_rectangle(cr, -40, 50 - g.uniform(16, 30), 80, 40)
        cairo_fill(cr)
    case 1:
        setColour(cr, RGB(0.76, 0.77, 0.80))
        roundedRectangle(cr, x: -60, y: g.uniform(14, 30), width: 120, height: 5, radius: 2.5)
        cairo_fill(cr)
    default:
        setColour(cr, g.pick(ceramicColours))
        cairo_arc(cr, 62, 62, g.uniform(26, 38), 0, 2 * .pi)
        cairo_fill(cr)
    }
    cairo_restore(cr)
}

/// Reads the rendered scene through a camera: a colour cast and brightness, light falling off
/// across the frame, and per-pixel noise.
private func photograph(_ surface: OpaquePointer, side: Int, _ g: inout SeededGenerator) -> Image {
    let brightness = g.uniform(0.75, 1.15)
    let gain = (brightness * g.uniform(0.93, 1.07), brightness * g.uniform(0.93, 1.07), brightness * g.uniform(0.93, 1.07))
    let falloffAngle = g.uniform(0, 2 * .pi), falloffStrength = g.uniform(0, 0.35) / Double(side)
    let falloff = (falloffStrength * cos(falloffAngle), falloffStrength * sin(falloffAngle))
    let noise = g.uniform(2, 8)

    let stride = Int(cairo_image_surface_get_stride(surface))
    let scene = UnsafeRawPointer(cairo_image_surface_get_data(surface)!)
    let pixels = [UInt8](unsafeUninitializedCapacity: side * side * 3) { rgb, initialized in
        for y in 0..<side {
            let row = scene.advanced(by: y * stride).assumingMemoryBound(to: UInt32.self)
            for x in 0..<side {
                let shade = 1 + falloff.0 * Double(x - side / 2) + falloff.1 * Double(y - side / 2)
                let xrgb = row[x], jitter = g.next()
                let channels = (Double((xrgb >> 16) & 0xFF) * gain.0, Double((xrgb >> 8) & 0xFF) * gain.1, Double(xrgb & 0xFF) * gain.2)
                let out = rgb.baseAddress! + 3 * (y * side + x)
                out[0] = byte(channels.0 * shade + noise * (Double(jitter & 0xFF) / 127.5 - 1))
                out[1] = byte(channels.1 * shade + noise * (Double((jitter >> 8) & 0xFF) / 127.5 - 1))
                out[2] = byte(channels.2 * shade + noise * (Double((jitter >> 16) & 0xFF) / 127.5 - 1))
            }
        }
        initialized = side * side * 3
    }
    return Image(width: side, height: side, pixels: pixels)
}

// MARK: Drawing helpers

private func byte(_ value: Double) -> UInt8 {
    UInt8(max(0, min(255, value.rounded())))
}

private func setColour(_ cr: OpaquePointer, _ colour: RGB) {
    cairo_set_source_rgb(cr, colour.r, colour.g, colour.b)
}

private func ellipse(_ cr: OpaquePointer, _ cx: Double, _ cy: Double, _ rx: Double, _ ry: Double) {
    cairo_save(cr)
    cairo_translate(cr, cx, cy)
    cairo_scale(cr, rx, ry)
    cairo_new_sub_path(cr)
    cairo_arc(cr, 0, 0, 1, 0, 2 * .pi)
    cairo_close_path(cr)
    cairo_restore(cr)
}

private func polygon(_ cr: OpaquePointer, _ points: [(Double, Double)]) {
    cairo_move_to(cr, points[0].0, points[0].1)
    for point in points.dropFirst() { cairo_line_to(cr, point.0, point.1) }
    cairo_close_path(cr)
}

func roundedRectangle(_ cr: OpaquePointer, x: Double, y: Double, width: Double, height: Double, radius: Double) {
    cairo_new_sub_path(cr)
    cairo_arc(cr, x + width - radius, y + radius, radius, -.pi / 2, 0)
    cairo_arc(cr, x + width - radius, y + height - radius, radius, 0, .pi / 2)
    cairo_arc(cr, x + radius, y + height - radius, radius, .pi / 2, .pi)
    cairo_arc(cr, x + radius, y + radius, radius, .pi, 3 * .pi / 2)
    cairo_close_path(cr)
}
