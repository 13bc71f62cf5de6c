// The CIFAR-10 batch reader on arbitrary bytes (the first byte sets the number of class names):
// either checked records, every one of which then decodes to an image, or an error.
import Foundation
@testable import Datasets

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let data = start.map { Data(bytes: $0, count: count) } ?? Data()
    guard let first = data.first else { return 0 }
    let classCount = 1 + Int(first) % 12
    guard let records = try? CIFAR10.checkedRecords(data.dropFirst(), file: "data_batch_1.bin", classCount: classCount)
    else { return 0 }
    let names = (0..<classCount).map { "class \($0)" }
    for side in [nil, 40] {
        let dataset = CIFAR10Dataset(classNames: names, records: [UInt8](records), side: side)
        for index in 0..<dataset.count {
            precondition(dataset.label(at: index) < classCount, "label outside the classes")
            _ = try? dataset.image(at: index)
        }
    }
    return 0
}
