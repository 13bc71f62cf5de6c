// What a paper-preset run of a model chapter needs, written once per test into a scratch
// directory: a 101-class Food-101 tree of real photos and tiny Hugging Face checkpoints with
// fresh random weights.
import Foundation
import TestSupport

struct PaperWorkspace {
    let scratch: ScratchDirectory
    let food101: URL
    let vit: URL
    let clip: URL

    /// Nil, with a notice, when ../shared/data/food101-sample is absent.
    init?() throws {
        scratch = try ScratchDirectory()
        // Four listed training images and one test image per class: the paper split trains on 4
        // of each of the 91 classes (364 images, 2 ViT steps and 1 CLIP step an epoch).
        guard let food = try Food101Fixture.write(to: scratch.url.appendingPathComponent("food-101"), trainPerClass: 4, testPerClass: 1) else {
            return nil
        }
        food101 = food
        vit = try HuggingFaceFixture.vit.write(to: scratch.url.appendingPathComponent("vit"), freshSeed: 11)
        clip = try HuggingFaceFixture.clip.write(to: scratch.url.appendingPathComponent("clip"), freshSeed: 12)
    }

    /// `chapter`'s paper-preset quick command line with its results and cache under `run`.
    func arguments(checkpoint: URL, run: String) -> [String] {
        let base = scratch.url.appendingPathComponent(run)
        return ["--preset", "paper", "--quick", "--food101", food101.path, "--checkpoint", checkpoint.path,
                "--results", base.appendingPathComponent("results").path, "--cache", base.appendingPathComponent("cache").path]
    }

    func results(_ chapter: String, run: String) -> URL {
        scratch.url.appendingPathComponent(run).appendingPathComponent("results/\(chapter).json")
    }
}

/// The step of a trainer progress line ("step 7/20 epoch 4/10 loss ..."), and the run's total.
func progressStep(_ line: String) -> (step: Int, total: Int)? {
    guard line.hasPrefix("step ") else { return nil }
    let fraction = line.dropFirst(5).prefix { $0 != " " }.split(separator: "/")
    guard fraction.count == 2, let step = Int(fraction[0]), let total = Int(fraction[1]) else { return nil }
    return (step, total)
}

/// The first whole number after `marker` in `text`.
func number(after marker: String, in text: String) -> Int? {
    guard let range = text.range(of: marker) else { return nil }
    return Int(text[range.upperBound...].prefix { $0.isNumber })
}
