// Every chapter runs at one of two sizes. `mini` is the embedded default: it needs nothing
// downloaded and renders its own data. `paper` runs the paper's experiment on a user's
// Food-101 directory and pretrained checkpoints. Every number a chapter prints or writes
// carries the preset that made it, so a mini result is never mistaken for a paper one.
public enum Preset: String, CaseIterable, Codable, Sendable {
    case mini
    case paper
}
