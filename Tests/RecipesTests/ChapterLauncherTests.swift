// reproduce --mpirun: the data-parallel chapters start under the launcher, the others alone.
@testable import ReproductionPlan
import Foundation
import Testing

@Suite struct ChapterLauncherTests {
    @Test func dataParallelChaptersRunUnderTheLauncher() throws {
        let launcher = try #require(ChapterLauncher("mpirun  -np 4 --hostfile hosts"))
        let executables = URL(fileURLWithPath: "/opt/vitclip/bin")
        let vit = launcher.wrapping(ReproductionStep(executable: "vit", arguments: ["--preset", "paper"]), executables: executables)
        #expect(vit == ReproductionStep(executable: "mpirun", arguments: ["-np", "4", "--hostfile", "hosts", "/opt/vitclip/bin/vit", "--preset", "paper"]))
        let cost = ReproductionStep(executable: "cost", arguments: ["--preset", "paper"])
        #expect(launcher.wrapping(cost, executables: executables) == cost)
        #expect(ChapterLauncher(nil) == nil && ChapterLauncher("  ") == nil)
    }
}
