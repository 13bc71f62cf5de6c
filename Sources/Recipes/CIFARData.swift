// The ten-class task the baseline fine-tunes on: CIFAR-10 from the user's binary files
// (optionally a per-class subset), or, in the mini world, MiniFood's ten held-out dishes, which
// no pretraining image shows — new classes from familiar parts, as CIFAR-10's are for ImageNet
// models.
import Datasets
import Common
import Results
import Training
import Foundation
import Imaging

public struct CIFARTask: Sendable {
    public let train: any Dataset
    public let validation: any Dataset
    /// The side the images are served at, which the models must take.
    public let imageSide: Int
    /// How the images reach that side: "bilinear from 32 px", or "none".
    public let upscaling: String
    /// What the images are, for the results file.
    public let description: String

    public var classNames: [String] { train.classNames }

    /// CIFAR-10's training and test batches, upscaled bilinearly to `side` when it is not 32. With
    /// `perClass`, the first `perClass` training and `perClass / 5` test images of each class (at
    /// least one), CIFAR-10's own 5:1 ratio, in the files' order.
    public static func cifar10(directory: URL, side: Int, perClass: Int?) throws -> CIFARTask {
        let cifar = try CIFAR10(directory: directory, upscaledTo: side == CIFAR10.side ? nil : side)
        let upscaling = side == CIFAR10.side ? "none" : "bilinear from \(CIFAR10.side) px"
        guard let perClass else {
            return CIFARTask(train: cifar.train, validation: cifar.test, imageSide: side, upscaling: upscaling,
                             description: "CIFAR-10 at \(directory.recordedPath): \(cifar.train.count) training, \(cifar.test.count) test images at \(side) px")
        }
        let train = DatasetSubset(cifar.train, firstPerClass: perClass)
        let test = DatasetSubset(cifar.test, firstPerClass: max(1, perClass / 5))
        return CIFARTask(train: train, validation: test, imageSide: side, upscaling: upscaling,
                         description: "CIFAR-10 at \(directory.recordedPath), subset: the first \(perClass) training and \(max(1, perClass / 5)) test "
                             + "images of each class (\(train.count) and \(test.count)) at \(side) px")
    }

    /// MiniFood's ten held-out dishes at 32 px, `perClass` images each, the first five sixths of
    /// every class for training and the rest for validation (CIFAR-10's 5:1). The held-out part is
    /// drawn image by image from the seed, so its first 50 per class are the very images the other
    /// chapters' held-out part holds.
    public static func miniFood(seed: UInt64, perClass: Int) -> CIFARTask {
        var sizes = MiniFoodSizes.quick
        sizes.heldOutPerClass = perClass
        let heldOut = MiniFood(seed: seed, sizes: sizes).heldOut.prerendered()
        let trainPerClass = perClass * 5 / 6
        var train: [Int] = [], validation: [Int] = []
        var seen = [Int](repeating: 0, count: heldOut.classNames.count)
        for index in 0..<heldOut.count {
            let label = heldOut.label(at: index)
            if seen[label] < trainPerClass { train.append(index) } else { validation.append(index) }
            seen[label] += 1
        }
        return CIFARTask(train: DatasetSubset(heldOut, indices: train), validation: DatasetSubset(heldOut, indices: validation),
                         imageSide: sizes.imageSize, upscaling: "none",
                         description: "MiniFood's 10 held-out dishes (never in pretraining), seed \(seed): \(train.count) training and "
                             + "\(validation.count) validation images at \(sizes.imageSize) px")
    }
}

/// Some of a dataset's images, in a given order.
struct DatasetSubset: Dataset {
    let base: any Dataset
    let indices: [Int]

    init(_ base: any Dataset, indices: [Int]) {
        self.base = base
        self.indices = indices
    }

    /// The first `perClass` images of each class, in the base's order.
    init(_ base: any Dataset, firstPerClass perClass: Int) {
        var seen = [Int](repeating: 0, count: base.classNames.count)
        var indices: [Int] = []
        for index in 0..<base.count where seen[base.label(at: index)] < perClass {
            seen[base.label(at: index)] += 1
            indices.append(index)
        }
        self.init(base, indices: indices)
    }

    var count: Int { indices.count }
    var classNames: [String] { base.classNames }
    func label(at index: Int) -> Int { base.label(at: indices[index]) }
    func image(at index: Int) throws -> Image { try base.image(at: indices[index]) }
}
