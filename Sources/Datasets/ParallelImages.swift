import Imaging

/// The images at `indices`, decoded or rendered on `workers` threads, in the order asked for.
/// The first failure, in that order, is rethrown.
public func images(of dataset: some Dataset, at indices: [Int], workers: Int = 2) throws -> [Image] {
    try concurrentMap(indices.count, workers: workers) { i in Result { try dataset.image(at: indices[i]) } }.map { try $0.get() }
}
