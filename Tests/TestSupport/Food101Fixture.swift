// A Food-101 tree in the dataset's own layout for tests of the paper preset: the 101 class ids
// in Food-101's order (the first ten are the paper's held-out C1..C10), meta/classes.txt,
// labels.txt, train.txt and test.txt, and images/<class>/<id>.jpg hard-linked (or copied) from
// the real photos of ../shared/data/food101-sample. Photos are reused across class ids: the tree
// checks wiring, not accuracy.
import Foundation

public enum Food101Fixture {
    /// Food-101's 101 class ids, in meta/classes.txt's order.
    public static let classIDs = """
        apple_pie baby_back_ribs baklava beef_carpaccio beef_tartare beet_salad beignets bibimbap bread_pudding \
        breakfast_burrito bruschetta caesar_salad cannoli caprese_salad carrot_cake ceviche cheesecake cheese_plate \
        chicken_curry chicken_quesadilla chicken_wings chocolate_cake chocolate_mousse churros clam_chowder club_sandwich \
        crab_cakes creme_brulee croque_madame cup_cakes deviled_eggs donuts dumplings edamame eggs_benedict escargots \
        falafel filet_mignon fish_and_chips foie_gras french_fries french_onion_soup french_toast fried_calamari fried_rice \
        frozen_yogurt garlic_bread gnocchi greek_salad grilled_cheese_sandwich grilled_salmon guacamole gyoza hamburger \
        hot_and_sour_soup hot_dog huevos_rancheros hummus ice_cream lasagna lobster_bisque lobster_roll_sandwich \
        macaroni_and_cheese macarons miso_soup mussels nachos omelette onion_rings oysters pad_thai paella pancakes \
        panna_cotta peking_duck pho pizza pork_chop poutine prime_rib pulled_pork_sandwich ramen ravioli red_velvet_cake \
        risotto samosa sashimi scallops seaweed_salad shrimp_and_grits spaghetti_bolognese spaghetti_carbonara \
        spring_rolls steak strawberry_shortcake sushi tacos takoyaki tiramisu tuna_tartare waffles
        """.split(separator: " ").map(String.init)

    /// The display name meta/labels.txt gives a class id: "apple_pie" is "Apple pie".
    public static func label(of classID: String) -> String {
        classID.prefix(1).uppercased() + classID.dropFirst().replacingOccurrences(of: "_", with: " ")
    }

    /// The real photos beside the repository, or nil (with a notice) when ../shared is absent.
    public static var samplePhotos: URL? { Fixtures.shared("data/food101-sample") }

    /// Writes a 101-class tree into `root` with `trainPerClass` images on meta/train.txt and
    /// `testPerClass` on meta/test.txt for every class. Class k takes its photos from the
    /// sample's class k % 10, cycling through them, under ids of its own. Returns nil, having
    /// printed a notice, when the sample photos are absent.
    @discardableResult
    public static func write(to root: URL, trainPerClass: Int = 4, testPerClass: Int = 1) throws -> URL? {
        precondition(trainPerClass + testPerClass > 0, "Food101Fixture: a class needs at least one image")
        guard let sample = samplePhotos else { return nil }
        let sampleClasses = try lines(sample.appendingPathComponent("meta/classes.txt"))
        let sampleImages = try lines(sample.appendingPathComponent("meta/train.txt")) + lines(sample.appendingPathComponent("meta/test.txt"))
        let photosByClass = Dictionary(grouping: sampleImages) { String($0.split(separator: "/")[0]) }

        let manager = FileManager.default
        let meta = root.appendingPathComponent("meta"), images = root.appendingPathComponent("images")
        try manager.createDirectory(at: meta, withIntermediateDirectories: true)
        var train: [String] = [], test: [String] = []
        for (index, classID) in classIDs.enumerated() {
            let sampleClass = sampleClasses[index % sampleClasses.count]
            let photos = try photosByClass[sampleClass].unwrapped("\(sample.path) lists no photo of \(sampleClass)")
            let directory = images.appendingPathComponent(classID)
            try manager.createDirectory(at: directory, withIntermediateDirectories: true)
            for number in 0..<(trainPerClass + testPerClass) {
                let id = String(100_000 + number)
                try linkOrCopy(sample.appendingPathComponent("images/\(photos[number % photos.count]).jpg"),
                               to: directory.appendingPathComponent("\(id).jpg"))
                if number < trainPerClass { train.append("\(classID)/\(id)") } else { test.append("\(classID)/\(id)") }
            }
        }
        for (file, content) in [("classes.txt", classIDs), ("labels.txt", classIDs.map(label(of:))), ("train.txt", train), ("test.txt", test)] {
            try (content.joined(separator: "\n") + "\n").write(to: meta.appendingPathComponent(file), atomically: true, encoding: .utf8)
        }
        return root
    }

    private static func lines(_ file: URL) throws -> [String] {
        try String(contentsOf: file, encoding: .utf8).split(whereSeparator: \.isNewline).map(String.init)
    }
}

/// A hard link to `source` at `destination`, or a copy where the two are on different file systems.
func linkOrCopy(_ source: URL, to destination: URL) throws {
    let manager = FileManager.default
    do {
        try manager.linkItem(at: source.resolvingSymlinksInPath(), to: destination)
    } catch {
        try manager.copyItem(at: source.resolvingSymlinksInPath(), to: destination)
    }
}

public struct FixtureError: Error, CustomStringConvertible {
    public let description: String
}

extension Optional {
    func unwrapped(_ message: @autoclosure () -> String) throws -> Wrapped {
        guard let self else { throw FixtureError(description: message()) }
        return self
    }
}
