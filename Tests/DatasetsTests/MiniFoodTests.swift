import Common
import Models
import Foundation
import Imaging
import Testing
@testable import Datasets

@Suite struct MiniFoodWorldTests {
    let world = MiniFoodWorld.standard

    @Test func hasFood101sShape() {
        #expect(Dish.all.count == 384 && Set(Dish.all).count == 384)
        #expect(world.classes.count == 101 && Set(world.classes).count == 101)
        #expect(world.heldOut.count == 10 && world.trained.count == 91)
        #expect(world.pretraining.count == 283 && world.captioned.count == 384)
    }

    // The world's definition changed (issue 23): the caption corpus shows every composition,
    // downstream ones under their names, as CLIP's web pairs show Food-101's dishes; only the
    // labelled corpus keeps to the compositions no downstream class uses.
    @Test func captionsShowEveryCompositionAndTheLabelledCorpusNoDownstreamDish() {
        #expect(Set(world.captioned) == Set(Dish.all))
        #expect(Set(world.pretraining).isDisjoint(with: world.classes))
        #expect(Set(world.pretraining).union(world.classes) == Set(Dish.all))
        let allWords = Set(FoodColour.allCases.map(\.rawValue) + ToppingPattern.allCases.map(\.adjective) + DishBase.allCases.map(\.rawValue))
        #expect(Set(world.pretraining.flatMap(\.words)) == allWords)
        #expect(Set(world.trained.flatMap(\.words)) == allWords)
    }

    @Test func heldOutClassesAreTheFirstTenOfTheListAlphabeticalByName() {
        let names = world.classes.map(world.name(of:))
        #expect(names == names.sorted())
        #expect(world.heldOut == Array(world.classes.prefix(10)) && world.trained == Array(world.classes.dropFirst(10)))
        // Made-up names say nothing of the attributes, so no one attribute value defines the ten.
        #expect(Set(world.heldOut.map(\.colour)).count > 1 && Set(world.heldOut.map(\.pattern)).count > 1
            && Set(world.heldOut.map(\.base)).count > 1)
    }

    @Test func everyCompositionHasItsOwnMadeUpName() {
        let names = Dish.all.map(world.name(of:))
        #expect(Set(names).count == 384)
        let reserved = Set(world.classes.flatMap(\.words) + CaptionTemplates.words)
        #expect(names.allSatisfy { $0.count >= 4 && $0.allSatisfy(\.isLowercase) && !reserved.contains($0) })
        #expect(MiniFoodWorld(arrangement: 101).names == world.names)
        #expect(MiniFoodWorld(arrangement: 7).names != world.names)
    }

    @Test func nearNeighboursCountSameGroupClassesSharingTwoAttributes() {
        // red dotted soup and red dotted pizza share two; red striped pizza shares two with the
        // pizza, one with the soup; blue plain cake shares none.
        let group = [Dish(.red, .dotted, .soup), Dish(.red, .dotted, .pizza), Dish(.red, .striped, .pizza), Dish(.blue, .plain, .cake)]
        #expect(MiniFoodWorld.meanNearNeighbours(group) == Double(1 + 2 + 1 + 0) / 4)
        #expect(MiniFoodWorld.meanNearNeighbours([]) == 0)
    }

    @Test func descriptionsReadAsCaptions() {
        #expect(Dish(.red, .dotted, .soup).name == "red dotted soup")
        #expect(Dish(.green, .plain, .pizza).name == "plain green pizza")
        #expect(Dish(.red, .dotted, .soup).identifier == "red_dotted_soup")
        #expect(PromptTemplates.food.prompts(for: "bazolu")[0] == "a photo of bazolu, a type of food.")
    }

    @Test func captionsArePlainLowerCaseAndDescribeOrNameTheDish() {
        let lowerCase = Set("abcdefghijklmnopqrstuvwxyz .,:-!")
        for dish in world.captioned {
            let name = world.name(of: dish)
            for template in CaptionTemplates.all + CaptionTemplates.named {
                guard let caption = CaptionTemplates.fill(template, with: dish, name: name) else {
                    #expect(dish.pattern == .plain && template.contains("{patterns}"))
                    continue
                }
                #expect(!caption.contains("{") && caption.allSatisfy(lowerCase.contains), "\(caption)")
                if template.contains("{name}") { #expect(caption.contains(name), "\(caption)") }
            }
        }
        #expect(CaptionTemplates.fill("{a dish}", with: Dish(.orange, .striped, .cake)) == "an orange striped cake")
        #expect(!(CaptionTemplates.all + CaptionTemplates.named).contains(PromptTemplates.food.templates[0].replacingOccurrences(of: "{}", with: "{name}")))
        var generator = SeededGenerator(seed: 3)
        for _ in 0..<50 {
            let garbled = CaptionTemplates.garbled("bazolu", using: &generator)
            #expect(garbled != "bazolu" && abs(garbled.count - 6) <= 1)
        }
    }
}

@Suite struct MiniFoodTests {
    let quick = MiniFood(seed: 9, sizes: .quick)

    @Test func partsHaveTheirSizesAndLabels() {
        #expect(quick.train.count == 91 * 8 && quick.test.count == 91 * 2 && quick.heldOut.count == 10 * 5)
        #expect(quick.pretrainCaptions.count == 1_000 && quick.pretrainLabelled.count == 566)
        #expect(quick.train.classNames == quick.world.trained.map(quick.world.name(of:)))
        #expect(quick.heldOut.classNames == quick.world.heldOut.map(quick.world.name(of:)))
        #expect(quick.pretrainLabelled.classNames.count == 283)
        for part in MiniFoodPart.allCases {
            let dataset = quick.dataset(part)
            #expect((0..<dataset.count).allSatisfy { dataset.label(at: $0) < dataset.classNames.count })
        }
        #expect(Set((0..<quick.train.count).map(quick.train.identifier)).isDisjoint(with: (0..<quick.test.count).map(quick.test.identifier)))
    }

    @Test func aboutFivePercentOfTrainingLabelsAreWrongAndNoneElsewhere() {
        #expect(quick.train.mislabelledCount == Int((0.05 * Double(quick.train.count)).rounded()))
        #expect(quick.test.mislabelledCount == 0 && quick.heldOut.mislabelledCount == 0 && quick.pretrainLabelled.mislabelledCount == 0)
    }

    @Test func noPretrainingImageIsADownstreamImage() throws {
        // The labelled corpus shows no downstream dish; the caption corpus shows them all, in
        // images of its own.
        #expect(quick.pretrainLabelled.samples.allSatisfy { Set(quick.world.pretraining).contains($0.dish) })
        #expect(Set(quick.pretrainCaptions.samples.map(\.dish)) == Set(Dish.all))
        func pixels(_ dataset: MiniFoodDataset) throws -> Set<[UInt8]> {
            Set(try images(of: dataset, at: Array(0..<dataset.count), workers: 2).map(\.pixels))
        }
        let pretraining = try pixels(quick.pretrainCaptions).union(pixels(quick.pretrainLabelled))
        let downstream = try pixels(quick.train).union(pixels(quick.test)).union(pixels(quick.heldOut))
        #expect(pretraining.count == quick.pretrainCaptions.count + quick.pretrainLabelled.count)
        #expect(pretraining.isDisjoint(with: downstream))
    }

    @Test func captionsNameTheirDishMostOfTheTime() {
        let corpus = quick.pretrainCaptions
        let named = (0..<corpus.count).filter { index in
            corpus.caption(at: index).split(whereSeparator: { !$0.isLetter }).contains(Substring(corpus.classNames[corpus.label(at: index)]))
        }.count
        let share = Double(named) / Double(corpus.count)
        #expect(abs(share - CaptionTemplates.nameShare) < 0.05, "\(share)")
        #expect(corpus.classNames == quick.world.captioned.map(quick.world.name(of:)))
    }

    @Test func rendersTheSameBytesEveryTimeAndOnAnyNumberOfThreads() throws {
        let indices = Array(0..<48)
        let serial = indices.map { quick.train.image(at: $0) }
        let parallel = try images(of: quick.train, at: indices, workers: 2)
        let again = try images(of: MiniFood(seed: 9, sizes: .quick).train, at: indices, workers: 2)
        #expect(serial == parallel && serial == again)
        #expect(serial[0].width == 32 && serial[0].height == 32 && serial[0].pixels.count == 32 * 32 * 3)
        let otherSeed = MiniFood(seed: 10, sizes: .quick).train.image(at: 0)
        #expect(otherSeed != serial[0])
        #expect(Set(serial.map(\.pixels)).count == serial.count)
        let dish = quick.world.trained[3]
        #expect(quick.example(of: dish, number: 2) == MiniFood(seed: 9, sizes: .standard).example(of: dish, number: 2))
        let kept = quick.train.prerendered()
        #expect(indices.map { kept.image(at: $0) } == serial)
    }

    @Test func imagesShowTheirFoodColour() {
        // The food's colour must dominate a photo's saturated pixels, or no caption could name it.
        let sizes = MiniFoodSizes(imageSize: 48, imagesPerClass: 5, heldOutPerClass: 5, captionPairs: 384, labelledImages: 283, labelNoise: 0)
        let mini = MiniFood(seed: 1, sizes: sizes)
        var correct = 0
        for index in 0..<mini.pretrainLabelled.count {
            let image = mini.pretrainLabelled.image(at: index)
            #expect(image.width == 48)
            if dominantColour(image) == mini.pretrainLabelled.samples[index].dish.colour { correct += 1 }
        }
        #expect(Double(correct) / Double(mini.pretrainLabelled.count) > 0.6, "\(correct) of \(mini.pretrainLabelled.count)")
    }

    /// The food colour nearest to most of the image's saturated pixels.
    private func dominantColour(_ image: Image) -> FoodColour? {
        var votes: [FoodColour: Int] = [:]
        for p in stride(from: 0, to: image.pixels.count, by: 3) {
            let r = Double(image.pixels[p]) / 255, g = Double(image.pixels[p + 1]) / 255, b = Double(image.pixels[p + 2]) / 255
            guard max(r, g, b) - min(r, g, b) > 0.3 else { continue }
            let nearest = FoodColour.allCases.min { a, c in
                distance(a.rgb, r, g, b) < distance(c.rgb, r, g, b)
            }!
            votes[nearest, default: 0] += 1
        }
        return votes.max { $0.value < $1.value }?.key
    }

    private func distance(_ colour: RGB, _ r: Double, _ g: Double, _ b: Double) -> Double {
        (colour.r - r) * (colour.r - r) + (colour.g - g) * (colour.g - g) + (colour.b - b) * (colour.b - b)
    }

    @Test func contactSheetsLayTilesInAGrid() {
        let tiles = (0..<5).map { ContactSheetTile(image: quick.heldOut.image(at: $0), caption: "tile \($0)", highlighted: $0 == 0) }
        let sheet = contactSheet(tiles, columns: 3, tileSide: 64, title: "probe")
        #expect(sheet.width == 16 + 3 * 76)
        #expect(sheet.height > 2 * 64)
    }
}
