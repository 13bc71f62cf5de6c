// `--precision` on the chapters: bf16 on a processor without bf16 products is refused before any
// work, in one line, with nothing written; the precision a run used (`auto` resolved) is recorded
// in its results file.
import Foundation
import Results
@testable import TensorCore
import TestSupport
import Testing

@Suite struct PrecisionChapterTests {
    @Test(.disabled(if: Precision.processorHasBF16, "this processor has bf16 products: nothing to refuse"),
          arguments: [["data", "--quick"], ["reproduce", "--quick", "--no-build", "--chapters", "data"]])
    func bf16IsRefusedInOneLineAndNothingIsWritten(command: [String]) throws {
        let work = try ScratchDirectory()
        let run = try runProduct(command[0], Array(command.dropFirst()) + ["--precision", "bf16"], in: work.url)
        #expect(run.status != 0)
        let lines = run.stderr.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].hasPrefix("\(command[0]) [mini]: error: bf16 needs a processor"), "\(run.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: work.url.path).isEmpty, "no results, figures, cache or paper")
    }

    @Test func autoRecordsBF16OnlyWithAMX() throws {
        let work = try ScratchDirectory()
        let run = try runProduct("data", ["--quick", "--precision", "auto"], in: work.url)
        #expect(run.status == 0, "\(run.stderr)")
        let file = try ChapterResultsFile<DataResults>.read(work.url.appendingPathComponent("results/data.json"))
        #expect(file.precision == (Precision.processorHasAMX ? .bf16 : .fp32))
    }

    @Test(.enabled(if: Precision.processorHasBF16, "bf16 needs a processor with bf16 products"))
    func aBF16RunRecordsAndSaysIt() throws {
        let work = try ScratchDirectory()
        let run = try runProduct("data", ["--quick", "--precision", "bf16"], in: work.url)
        #expect(run.status == 0, "\(run.stderr)")
        let file = try ChapterResultsFile<DataResults>.read(work.url.appendingPathComponent("results/data.json"))
        #expect(file.precision == .bf16)
        #expect(run.stdout.contains("[data mini] products in bf16"), "\(run.stdout)")
    }
}
