// The scaling chapter's plan: the sizes each world affords, and the draw of a size's training
// images (per class, nested, seeded; validation and held-out images untouched).
import Recipes
import Testing

@Suite struct ScalingPlanTests {
    @Test func sizesFollowTheLadderUpToTheLargestTheWorldAffords() {
        #expect(ScalingPlan.sizes(largest: 800, count: 4) == [10, 40, 160, 800], "the paper split's 800 a class")
        #expect(ScalingPlan.sizes(largest: 40, count: 4) == [10, 14, 20, 40], "MiniFood's 40: midpoints of the widest gaps, the lower first")
        #expect(ScalingPlan.sizes(largest: 160, count: 4) == [10, 20, 40, 160])
        #expect(ScalingPlan.sizes(largest: 400, count: 4) == [10, 40, 160, 400])
        #expect(ScalingPlan.sizes(largest: 8, count: 2) == [4, 8])
        #expect(ScalingPlan.sizes(largest: 2, count: 4) == [1, 2], "no more whole sizes fit")
    }

    @Test func aSizeDrawsThatManyImagesOfEachClassNestedInEveryLargerSize() throws {
        let data = ExperimentData.mini(seed: 3, quick: true)
        #expect((6...8).contains(data.trainingImagesPerClass) && data.train.count == 8 * 91, "the quick world's smallest class")
        let small = data.drawingTraining(perClass: 3, seed: 3), large = data.drawingTraining(perClass: 6, seed: 3)
        for subset in [small, large] {
            #expect(subset.test.count == data.test.count && subset.heldOut.count == data.heldOut.count)
        }
        #expect(small.trainingImagesPerClass == 3 && small.train.count == 3 * 91 && large.train.count == 6 * 91)
        func names(_ d: ExperimentData) throws -> Set<[UInt8]> {
            Set(try (0..<d.train.count).map { try d.train.image(at: $0).pixels })
        }
        let (smallImages, largeImages) = (try names(small), try names(large))
        let otherSeed = try names(data.drawingTraining(perClass: 3, seed: 4))
        #expect(smallImages.isSubset(of: largeImages), "a smaller size's images are among a larger one's")
        #expect(smallImages != otherSeed, "the seed draws")
        #expect(data.drawingTraining(perClass: 20, seed: 3).train.count == data.train.count, "the full set once every class is whole")
    }
}
