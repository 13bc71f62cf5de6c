// Stochastic depth ("drop path") as FT-CLIP's model builds it (LightDXY/FT-CLIP,
// models/finetune_clip.py): block i of n drops each residual branch with probability
// rate · i / (n − 1) (torch.linspace(0, rate, n)), and a kept branch is divided by its keep
// probability (timm's drop_path). FT-CLIP runs its transformer sequence-first ([L, N, D], as
// OpenAI's CLIP does), so timm's per-"sample" mask, drawn along the first axis, is one draw per
// token position shared by the whole batch: that is what its code computes, and what this does.
import Common
import Foundation
import TensorCore

public struct StochasticDepth: Codable, Equatable, Sendable {
    /// The deepest block's drop probability (FT-CLIP's --drop_path).
    public var rate: Double

    public init(rate: Double) {
        precondition(rate >= 0 && rate < 1, "StochasticDepth: the rate must lie in [0, 1), got \(rate)")
        self.rate = rate
    }

    /// Each block's drop probability: linspace(0, rate, depth).
    public func rates(depth: Int) -> [Double] {
        guard depth > 1 else { return Array(repeating: depth == 1 ? 0 : rate, count: depth) }
        return (0..<depth).map { rate * Double($0) / Double(depth - 1) }
    }

    /// A branch's keep pattern over `positions` tokens: 1 where kept, 0 where dropped, drawn as
    /// timm draws it (floor(keep + uniform)).
    public static func keepPattern(positions: Int, dropProbability: Double, generator: inout SeededGenerator) -> [Float] {
        let keep = 1 - dropProbability
        return (0..<positions).map { _ in (keep + generator.unit()).rounded(.down) == 0 ? 0 : 1 }
    }

    /// The multiplier a branch's output [B, T, D] takes: [T, D], a position's row keep/keep_prob
    /// (1/keep_prob where kept, 0 where dropped); all ones for a probability of 0 (nn.Identity).
    public static func branchMask(pattern: [Float], width: Int, dropProbability: Double) -> Tensor {
        let mask = Tensor(uninitializedShape: [pattern.count, width])
        let scale = dropProbability > 0 ? Float(1 / (1 - dropProbability)) : 1
        for (position, kept) in pattern.enumerated() {
            (mask.pointer + position * width).update(repeating: dropProbability > 0 ? kept * scale : 1, count: width)
        }
        return mask
    }

    /// Both branch masks of every block for one forward pass over `positions` tokens of `width`.
    public func masks(depth: Int, positions: Int, width: Int, generator: inout SeededGenerator) -> [(attention: Tensor, mlp: Tensor)] {
        rates(depth: depth).map { probability in
            let attention = Self.keepPattern(positions: positions, dropProbability: probability, generator: &generator)
            let mlp = Self.keepPattern(positions: positions, dropProbability: probability, generator: &generator)
            return (Self.branchMask(pattern: attention, width: width, dropProbability: probability),
                    Self.branchMask(pattern: mlp, width: width, dropProbability: probability))
        }
    }
}
