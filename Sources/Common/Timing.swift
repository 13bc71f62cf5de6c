extension Duration {
    /// The duration in seconds, for results files and progress lines.
    public var inSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) * 1e-18
    }
}
