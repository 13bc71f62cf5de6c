import TensorCore

public struct UnsupportedActivation: Error, CustomStringConvertible {
    public let name: String
    public var description: String { "unsupported hidden_act \"\(name)\" (supported: gelu, quick_gelu)" }
}

extension Activation {
    /// The activation a Hugging Face config names in `hidden_act`.
    init(huggingFaceName name: String) throws {
        guard let activation = Activation(rawValue: name) else { throw UnsupportedActivation(name: name) }
        self = activation
    }
}
