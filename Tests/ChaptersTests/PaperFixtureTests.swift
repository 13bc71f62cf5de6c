// The paper preset's test fixtures are what they claim to be: a Food-101 tree in the dataset's
// layout and order whose every listed image is a real photo, and Hugging Face checkpoints that
// the user's own tool loads, with weights that change with the seed.
import Foundation
import TestSupport
import Testing

@Suite struct PaperFixtureTests {
    @Test func theFood101TreeHasTheDatasetsLayoutAndOrder() throws {
        let scratch = try ScratchDirectory()
        guard let root = try Food101Fixture.write(to: scratch.url.appendingPathComponent("food-101"), trainPerClass: 3, testPerClass: 14),
              let sample = Food101Fixture.samplePhotos else { return }
        func lines(_ file: URL) throws -> [String] {
            try String(contentsOf: file, encoding: .utf8).split(separator: "\n").map(String.init)
        }
        let classes = try lines(root.appendingPathComponent("meta/classes.txt"))
        #expect(classes.count == 101 && Set(classes).count == 101 && classes.last == "waffles")
        #expect(Array(classes.prefix(10)) == (try lines(sample.appendingPathComponent("meta/classes.txt"))))
        #expect(try lines(root.appendingPathComponent("meta/labels.txt")).prefix(2) == ["Apple pie", "Baby back ribs"])
        let train = try lines(root.appendingPathComponent("meta/train.txt")), test = try lines(root.appendingPathComponent("meta/test.txt"))
        #expect(train.count == 101 * 3 && test.count == 101 * 14 && Set(train + test).count == 101 * 17)
        #expect(train.filter { $0.hasPrefix("waffles/") }.count == 3)
        // Every listed image is a JPEG file, more of them than the sample holds for a class.
        for entry in train + test {
            let bytes = try Data(contentsOf: root.appendingPathComponent("images/\(entry).jpg"), options: .mappedIfSafe)
            #expect(bytes.prefix(3) == Data([0xFF, 0xD8, 0xFF]), "\(entry) is not a JPEG")
        }
    }

    @Test func freshCheckpointsLoadInVitclipAndDependOnTheirSeed() throws {
        let scratch = try ScratchDirectory()
        let image = Fixtures.url("models/images/edges.png").path
        func logits(_ fixture: HuggingFaceFixture, seed: UInt64?, as name: String) throws -> String {
            let directory = try fixture.write(to: scratch.url.appendingPathComponent(name), freshSeed: seed)
            let command = switch fixture {
            case .vit: ["classify", "--checkpoint", directory.path, "--json", image]
            case .clip: ["zero-shot", "--checkpoint", directory.path, "--json", "--label", "apple pie", "--label", "waffles", image]
            }
            let run = try runProduct("vitclip", command)
            #expect(run.status == 0, "\(fixture) seed \(String(describing: seed)): \(run.stderr)")
            return run.stdout
        }
        for fixture in HuggingFaceFixture.allCases {
            let committed = try logits(fixture, seed: nil, as: "\(fixture)-committed")
            let first = try logits(fixture, seed: 1, as: "\(fixture)-1"), again = try logits(fixture, seed: 1, as: "\(fixture)-1-again")
            let second = try logits(fixture, seed: 2, as: "\(fixture)-2")
            #expect(first == again && first != second && first != committed, "\(fixture): \(committed) \(first) \(second)")
        }
        // CLIP's tokenizer files come along, links resolved.
        for name in ["vocab.json", "merges.txt", "preprocessor_config.json"] {
            let file = scratch.url.appendingPathComponent("clip-1/\(name)")
            #expect(try FileManager.default.attributesOfItem(atPath: file.path)[.type] as? FileAttributeType == .typeRegular, "\(name)")
        }
    }
}
