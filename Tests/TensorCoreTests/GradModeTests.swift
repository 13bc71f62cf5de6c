// Recording is switched per task: concurrent tasks that set different modes each see their own.
import Foundation
import Testing
@testable import TensorCore

@Suite struct GradModeIsolation {
    @Test func eachTaskSeesItsOwnMode() async {
        await withTaskGroup(of: Bool.self) { group in
            for enabled in [true, false] {
                group.addTask {
                    GradMode.with(enabled: enabled) {
                        (0..<200).allSatisfy { _ in
                            usleep(50)  // lets the other task run meanwhile
                            return GradMode.isEnabled == enabled
                        }
                    }
                }
            }
            for await consistent in group { #expect(consistent) }
        }
        #expect(!GradMode.isEnabled)
    }
}
