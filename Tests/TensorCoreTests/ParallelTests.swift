import Foundation
import Testing
@testable import TensorCore

@Suite struct ParallelTests {
    @Test func coreCountFollowsTheAffinityMask() {
        let status = "Name:\tvit\nCpus_allowed:\tff,00000005\nCpus_allowed_list:\t0,2,32-39\n"
        #expect(Parallel.allowedCoreCount(status: status) == 10)
        #expect(Parallel.allowedCoreCount(status: "Name:\tvit\n") == nil)
        #expect(Parallel.allowedCoreCount(status: nil) == nil)
    }

    @Test func coreCountIsThisProcesssMask() throws {
        let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        let list = try #require(status.split(separator: "\n").first { $0.hasPrefix("Cpus_allowed_list:") })
        let cores = list.split(separator: "\t").last!.split(separator: ",").map { part -> Int in
            let ends = part.split(separator: "-").compactMap { Int($0) }
            return ends.count == 2 ? ends[1] - ends[0] + 1 : 1
        }
        #expect(Parallel.coreCount == cores.reduce(0, +))
    }
}
