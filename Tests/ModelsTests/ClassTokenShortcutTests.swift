// Encoder.callAsFunction(_:onlyAt:) (the last layer computed only where it is read, as ViT's
// classifier and CLIP's pooler read it) against the full encoder followed by selectingPositions,
// values and gradients.
import Models
import TensorCore
import Testing

@Suite struct ClassTokenShortcut {
    @Test(arguments: [(EncoderLayerNames.vit, Activation.gelu), (EncoderLayerNames.clip, Activation.quickGelu)])
    func lastLayerOnlyAtTheReadPositions(names: EncoderLayerNames, activation: Activation) {
        let encoder = Encoder(EncoderGeometry(width: 32, depth: 2, heads: 4, mlpWidth: 48, activation: activation, layerNormEps: 1e-5),
                              names: names, listName: "layers")
        var state: UInt64 = 7
        func fill(_ t: Tensor, scale: Float) {
            for i in 0..<t.count {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                t.pointer[i] = (Float(state >> 40) / Float(1 << 24) * 2 - 1) * scale
            }
        }
        for (_, parameter) in encoder.namedParameters { fill(parameter, scale: 0.3) }
        let x = Tensor(uninitializedShape: [3, 9, 32])
        fill(x, scale: 1)
        x.requiresGrad = true
        let positions = [0, 4, 8]
        var values: [[Float]] = [], grads: [[Float]] = []
        for shortcut in [false, true] {
            x.grad = nil
            encoder.setRequiresGrad(true)
            for parameter in encoder.parameters { parameter.grad = nil }
            let y = GradMode.with(enabled: true) { () -> Tensor in
                let y = shortcut ? encoder(x, onlyAt: positions) : selectingPositions(encoder(x), positions)
                (y * y).sum().backward()
                return y
            }
            values.append(y.scalars)
            grads.append(x.grad!.scalars + encoder.parameters.flatMap { $0.grad!.scalars })
        }
        #expect(values[0].count == 3 * 32)
        #expect(zip(values[0], values[1]).allSatisfy { abs($0 - $1) <= 1e-5 * max(1, abs($0)) })
        #expect(zip(grads[0], grads[1]).allSatisfy { abs($0 - $1) <= 1e-4 * max(1, abs($0)) })
    }
}
