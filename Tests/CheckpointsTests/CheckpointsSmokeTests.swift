import Testing
@testable import Checkpoints
