// Which parameters a run trains; the others are frozen (no gradient, no optimiser state).
import TensorCore

public struct ParameterSelection: Sendable {
    /// Decides from a parameter's name and the model's encoder depth.
    let includes: @Sendable (_ name: String, _ depth: Int) -> Bool

    public init(_ includes: @escaping @Sendable (_ name: String, _ depth: Int) -> Bool) {
        self.includes = includes
    }

    /// Full fine-tuning.
    public static let all = ParameterSelection { _, _ in true }

    /// What follows the encoder (the final norm and the classifier or projections): a linear probe.
    public static let head = ParameterSelection { name, depth in ParameterNames.layerIndex(of: name, depth: depth) > depth }

    public static func matching(_ predicate: @escaping @Sendable (String) -> Bool) -> ParameterSelection {
        ParameterSelection { name, _ in predicate(name) }
    }

    /// The selected entries of `parameters`, in their order.
    public func select(_ parameters: [(name: String, tensor: Tensor)]) -> [(name: String, tensor: Tensor)] {
        let depth = ParameterNames.encoderDepth(parameters.map(\.name))
        return parameters.filter { includes($0.name, depth) }
    }
}
