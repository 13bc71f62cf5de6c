// Appendix B and the woven headers say where each chapter ran: its machine, its processor and
// the load average while it was timed; results files from before either was recorded still read.
import Common
import Foundation
@testable import Report
import Results
import Testing

@Suite struct ProvenanceTests {
    @Test func aMachineIsDescribedWithItsProcessorAndTheLoadWhileTimed() throws {
        let machine = Machine(cores: 2, memoryBytes: 24 << 30, os: "Debian GNU/Linux 12 (bookworm)", processor: "AMD EPYC",
                              loadAverage: .init(atStart: 0.26, atEnd: 2.07))
        #expect(Provenance.describe(machine)
            == "Debian GNU/Linux 12 (bookworm), AMD EPYC, 2 cores, 24 GiB, load average 0.26 at the start, 2.07 at the end")
        let older = try JSONDecoder().decode(Machine.self, from: Data(#"{"cores": 2, "memoryBytes": 25769803776, "os": "Debian"}"#.utf8))
        #expect(Provenance.describe(older) == "Debian, 2 cores, 24 GiB")
    }

    @Test func aRunRecordsTheLoadAverageFromItsStart() throws {
        let machine = Machine.current(loadAverageSince: 0.5)
        let load = try #require(machine.loadAverage, "getloadavg gives nothing here")
        #expect(load.atStart == 0.5 && load.atEnd >= 0)
        #expect(Machine.current.loadAverage == nil)
    }
}
