// Food-101's meta parsers on arbitrary bytes, split at NUL into classes.txt, labels.txt,
// train.txt and test.txt: either a dataset whose entries all name a listed class, or an error.
import Foundation
@testable import Datasets

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let data = start.map { Data(bytes: $0, count: count) } ?? Data()
    var files = data.split(separator: 0, maxSplits: 3, omittingEmptySubsequences: false).map { Data($0) }
    while files.count < 4 { files.append(Data()) }
    guard let food = try? Food101(root: URL(fileURLWithPath: "/food-101"), classes: files[0], labels: files[1],
                                  train: files[2], test: files[3]) else { return 0 }
    precondition(food.classes.count == food.classNames.count, "classes and labels differ in number")
    for entry in food.allEntries {
        precondition(food.classes.indices.contains(entry.classIndex), "entry outside the classes")
        _ = food.url(of: entry)
    }
    return 0
}
