// Reverse-mode autograd on a tape: each recorded operation keeps its inputs and a closure that
// maps the gradient of its output to gradients of its inputs; backward() replays them in
// reverse topological order. Nothing is recorded while gradients are disabled (inference).
import Foundation

final class Node {
    let inputs: [Tensor]
    let backward: (Tensor) -> [Tensor?]

    init(inputs: [Tensor], backward: @escaping (Tensor) -> [Tensor?]) {
        self.inputs = inputs
        self.backward = backward
    }
}

public enum GradMode {
    /// Off by default: inference never pays for the tape. Training turns it on. The mode belongs
    /// to the task (or thread) that set it, so concurrent work (tests run in parallel, an
    /// evaluation beside training) cannot switch recording off under another's feet.
    @TaskLocal private static var recording = false

    public static var isEnabled: Bool { recording }

    /// Runs `body` with recording on (or off), restoring the previous mode afterwards.
    public static func with<T>(enabled: Bool, _ body: () throws -> T) rethrows -> T {
        try $recording.withValue(enabled, operation: body)
    }
}

extension Tensor {
    /// True when a gradient must flow to or through this tensor.
    public var needsGrad: Bool { requiresGrad || node != nil }

    /// Attaches `backward` to `self` (an operation's output) when any input needs a gradient.
    @discardableResult
    func recording(_ inputs: [Tensor], _ backward: @escaping (Tensor) -> [Tensor?]) -> Tensor {
        if GradMode.isEnabled, inputs.contains(where: \.needsGrad) {
            node = Node(inputs: inputs, backward: backward)
        }
        return self
    }

    /// Accumulates d(self)/d(leaf) into every leaf's `grad`. `self` must be a scalar unless a
    /// seed gradient of the same shape is given.
    ///
    /// The graph is consumed as it is replayed, as torch frees it: each operation's record (and
    /// what it saved for backward) is dropped once its gradient has been passed on, so
    /// activations are released during the backward pass instead of after it, and nothing of the
    /// graph is left once `backward` returns. A second `backward` through the same graph therefore
    /// reaches no leaf.
    public func backward(_ seed: Tensor? = nil) {
        precondition(seed != nil || count == 1, "backward() needs a seed for a tensor of shape \(shape)")
        var order = topologicalOrder()
        // Each pending gradient, and whether backward allocated it itself (a sum of two
        // contributions), so that further contributions may be added into it in place: a
        // gradient an operation returned may be shared (`+` hands g to both inputs).
        var grads: [ObjectIdentifier: (tensor: Tensor, owned: Bool)] = [
            ObjectIdentifier(self): (seed ?? Tensor(repeating: 1, shape: shape), false)]
        GradMode.with(enabled: false) {
            while let tensor = order.popLast() {
                guard let (gradient, owned) = grads.removeValue(forKey: ObjectIdentifier(tensor)) else { continue }
                if tensor.requiresGrad {
                    if let existing = tensor.grad { existing.addInPlace(gradient) } else { tensor.grad = owned ? gradient : gradient.copy() }
                }
                guard let node = tensor.node else { continue }
                tensor.node = nil
                for (input, inputGrad) in zip(node.inputs, node.backward(gradient)) {
                    guard let inputGrad, input.needsGrad else { continue }
                    precondition(inputGrad.shape == input.shape, "gradient \(inputGrad.shape) for input \(input.shape)")
                    let key = ObjectIdentifier(input)
                    if let (existing, existingOwned) = grads[key] {
                        if existingOwned {
                            existing.addInPlace(inputGrad)
                        } else {
                            grads[key] = (existing + inputGrad, true)
                        }
                    } else {
                        grads[key] = (inputGrad, false)
                    }
                }
            }
        }
    }

    /// Tensors reachable from self through recorded nodes, inputs before outputs.
    private func topologicalOrder() -> [Tensor] {
        var order: [Tensor] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(Tensor, Bool)] = [(self, false)]
        while let (tensor, expanded) = stack.popLast() {
            if expanded { order.append(tensor); continue }
            guard visited.insert(ObjectIdentifier(tensor)).inserted else { continue }
            stack.append((tensor, true))
            for input in tensor.node?.inputs ?? [] where input.needsGrad && !visited.contains(ObjectIdentifier(input)) {
                stack.append((input, false))
            }
        }
        return order
    }

    /// Drops the recorded graph below this tensor (after an optimiser step).
    public func zeroGrad() { grad = nil }
}
