// A module owns tensors under their Hugging Face names, so that loading a checkpoint, saving one
// and handing parameters to an optimiser all walk the same list.
import Checkpoints
import TensorCore

public protocol Module: AnyObject {
    /// This module's parameters, named relative to it ("weight", "encoder.layers.0.mlp.fc1.bias").
    var namedParameters: [(name: String, tensor: Tensor)] { get }
}

extension Module {
    public var parameters: [Tensor] { namedParameters.map(\.tensor) }
    public var parameterCount: Int { namedParameters.reduce(0) { $0 + $1.tensor.count } }

    /// Copies every parameter from `checkpoint`, which must hold each name with the same shape.
    /// Tensors the checkpoint has and the model does not (buffers like position_ids) are ignored.
    public func load(from checkpoint: some TensorSource) throws {
        for (name, parameter) in namedParameters {
            let stored = try checkpoint.tensor(name, shape: parameter.shape)
            parameter.pointer.update(from: stored.pointer, count: parameter.count)
        }
    }

    /// Marks every parameter as trainable (or frozen).
    public func setRequiresGrad(_ flag: Bool) {
        for parameter in parameters { parameter.requiresGrad = flag }
    }
}

/// Prefixes the names of a child's parameters with its attribute name.
func named(_ prefix: String, _ child: Module) -> [(name: String, tensor: Tensor)] {
    child.namedParameters.map { (prefix + "." + $0.name, $0.tensor) }
}

/// Prefixes each of a list of children with "prefix.index".
func named(_ prefix: String, _ children: [Module]) -> [(name: String, tensor: Tensor)] {
    children.enumerated().flatMap { named("\(prefix).\($0.offset)", $0.element) }
}
