import Foundation
import Testing
@testable import Datasets

@Suite(.enabled(if: sharedSampleExists, skipNotice)) struct Food101Tests {
    @Test func readsTheSharedSampleInItsOwnLayout() throws {
        let food = try Food101(root: sharedSample)
        #expect(food.classes.first == "apple_pie" && food.classes.last == "breakfast_burrito" && food.classes.count == 10)
        #expect(food.classNames.first == "apple pie")
        #expect(food.officialTrain.count == 80 && food.officialTest.count == 40)
        #expect(food.officialTrain.first == Food101Entry(classIndex: 0, path: "apple_pie/1005649"))
        #expect(FileManager.default.fileExists(atPath: food.url(of: food.officialTrain[0]).path))
    }

    @Test func theSplitNeedsClassesBeyondTheHeldOutTen() throws {
        let food = try Food101(root: sharedSample)
        #expect(throws: DatasetError.self) { try Food101Split(food, kind: .paper, seed: 0) }
    }

    @Test func paperSplitHoldsOutC1ToC10AndSplitsTheRestPerClass() throws {
        let root = try temporaryDirectory("food101-tree")
        defer { try? FileManager.default.removeItem(at: root) }
        try makeFood101Tree(in: root)
        let food = try Food101(root: root)
        let split = try Food101Split(food, kind: .paper, seed: 3)

        #expect(split.heldOutClasses.map { food.classes[$0] } == Array(food.classes.prefix(10)))
        #expect(split.trainClasses.count == 91)
        // 12 photos per class: round(0.2 * 12) = 2 validate, 10 train; the held-out ten give all 12.
        #expect(split.heldOut.count == 120 && split.train.count == 910 && split.test.count == 182)
        for classIndex in split.trainClasses {
            #expect(split.train.filter { $0.classIndex == classIndex }.count == 10)
            #expect(split.test.filter { $0.classIndex == classIndex }.count == 2)
        }
        #expect(Set(split.train).isDisjoint(with: split.test))
        #expect(Set(split.train + split.test + split.heldOut) == Set(food.allEntries))
        #expect(split.heldOut.allSatisfy { $0.classIndex < 10 })

        let again = try Food101Split(food, kind: .paper, seed: 3), other = try Food101Split(food, kind: .paper, seed: 4)
        #expect(again.test == split.test)
        #expect(other.test != split.test)

        let train = split.trainSet
        #expect(train.classNames.count == 91 && train.classNames[0] == "bruschetta")
        #expect((0..<train.count).allSatisfy { train.classes[train.label(at: $0)] == train.entries[$0].classIndex })
        #expect(split.heldOutSet.classNames == Array(food.classNames.prefix(10)))
    }

    @Test func officialSplitFollowsTheLists() throws {
        let root = try temporaryDirectory("food101-tree")
        defer { try? FileManager.default.removeItem(at: root) }
        try makeFood101Tree(in: root)
        let food = try Food101(root: root)
        let split = try Food101Split(food, kind: .official, seed: 0)
        #expect(split.train.count == 728 && split.test.count == 364 && split.heldOut.count == 40)
        #expect(Set(split.train) == Set(food.officialTrain.filter { $0.classIndex >= 10 }))
        #expect(Set(split.heldOut) == Set(food.officialTest.filter { $0.classIndex < 10 }))
    }

    @Test func missingMetaFilesAreNamed() throws {
        let root = try temporaryDirectory("food101-bad")
        defer { try? FileManager.default.removeItem(at: root) }
        try makeFood101Tree(in: root)
        try FileManager.default.removeItem(at: root.appendingPathComponent("meta/labels.txt"))
        let error = try #require(throws: DatasetError.self) { try Food101(root: root) }
        #expect(error.description.contains("meta/labels.txt"))
    }

    @Test func aClassWithoutImagesIsNamed() throws {
        let root = try temporaryDirectory("food101-bad")
        defer { try? FileManager.default.removeItem(at: root) }
        try makeFood101Tree(in: root)
        for list in ["train.txt", "test.txt"] {
            let file = root.appendingPathComponent("meta/\(list)")
            let kept = try String(contentsOf: file, encoding: .utf8).split(separator: "\n").filter { !$0.hasPrefix("pho/") }
            try (kept.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
        }
        let error = try #require(throws: DatasetError.self) { try Food101(root: root) }
        #expect(error.description.contains("'pho'"))
    }

    @Test func aListLineOfAnUnknownClassIsNamedWithItsLine() throws {
        let root = try temporaryDirectory("food101-bad")
        defer { try? FileManager.default.removeItem(at: root) }
        try makeFood101Tree(in: root)
        let file = root.appendingPathComponent("meta/test.txt")
        try ("apple_pie/1011328\n\nnot_a_dish/1\n").write(to: file, atomically: true, encoding: .utf8)
        let error = try #require(throws: DatasetError.self) { try Food101(root: root) }
        #expect(error.description.contains("meta/test.txt:3") && error.description.contains("not_a_dish"))
    }

    @Test func unreadablePhotosAreFoundByBothChecks() throws {
        let root = try temporaryDirectory("food101-bad")
        defer { try? FileManager.default.removeItem(at: root) }
        try makeFood101Tree(in: root)
        let food = try Food101(root: root)
        let truncated = try truncatePhoto(of: "ramen", in: root)
        let foreign = try firstPhoto(of: "sushi", in: root)
        try FileManager.default.removeItem(at: foreign)
        try Data("not a jpeg".utf8).write(to: foreign)
        let files = food.allEntries.map(food.url(of:))
        for check in [ImageCheck.decode, .markers] {
            let found = findUnreadableImages(files, check: check)
            #expect(found.map { files[$0.index] } == [truncated, foreign], "\(check)")
            #expect(found.allSatisfy { $0.reason.contains(files[$0.index].path) })
        }
        let reduced = try food.excluding([food.allEntries[files.firstIndex(of: truncated)!]])
        #expect(reduced.allEntries.count == food.allEntries.count - 1)
    }

    @Test func datasetsDecodeRealPhotos() throws {
        let food = try Food101(root: sharedSample)
        let dataset = Food101Dataset(food, entries: food.officialTest, classes: Array(0..<10))
        let image = try dataset.image(at: 0)
        #expect(image.width > 100 && image.height > 100)
        #expect(dataset.label(at: 0) == 0 && dataset.label(at: dataset.count - 1) == 9)
        #expect(dataset.firstIndexOfEachClass() == Array(stride(from: 0, to: 40, by: 4)))
    }
}
