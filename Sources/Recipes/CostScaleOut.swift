// The paper's fine-tunings on N machines: Table 5's extra column. Data-parallel training (the
// trainer under mpirun) divides each global batch among the machines and then sums the gradient
// with a bucketed MPI_Allreduce after the backward pass, without overlapping the two. A step on N
// machines therefore takes the compute of one machine divided by N, plus the time a ring
// all-reduce needs to move 2 (N - 1) / N times the gradient's bytes through each machine's link.
import Common
import Foundation
import Results
import Training

public enum ScaleOutProjection {
    public static let machineCounts = [1, 2, 4, 8, 16]
    /// The network assumed between the machines, unless the chapter is told otherwise.
    public static let defaultNetworkGigabitsPerSecond = 10.0

    public static func assumptions(machineCores: Int, networkBytesPerSecond: Double) -> String {
        """
        Wall time on N machines = steps x (compute per step measured here / N + 2 (N - 1) / N x gradient bytes / network \
        bandwidth), a ring all-reduce of the float32 gradient of the trained parameters after each step's backward pass (the \
        trainer does not overlap the two). Each machine like this one (\(machineCores) cores); the network \
        \(String(format: "%g", networkBytesPerSecond * 8 / 1e9)) Gbit/s per machine, an assumption, counted by bandwidth alone (no latency); \
        the compute divides evenly among the machines; the paper's global batch, images and epochs.
        """
    }

    /// The ring all-reduce of `bytes` among `machines` over links of `bytesPerSecond` (none on one machine).
    public static func allreduceSeconds(bytes: Int, machines: Int, bytesPerSecond: Double) -> Double {
        2 * Double(machines - 1) / Double(machines) * Double(bytes) / bytesPerSecond
    }

    /// `cost`'s projected fine-tuning (the paper split's images x epochs at the training rate
    /// measured here) in global batches of `globalBatch`, on each of `machineCounts`; nil for an
    /// approach that trains nothing.
    public static func approach(_ cost: ApproachCost, globalBatch: Int, networkBytesPerSecond: Double,
                                machineCounts: [Int] = machineCounts) -> ScaleOutApproach? {
        guard let rate = cost.trainingImagesPerSecond, rate > 0 else { return nil }
        let projection = cost.projection
        let images = projection.trainingImages * projection.epochs
        // The trainer keeps an epoch's last, smaller batch: a step for it too.
        let steps = (projection.trainingImages + globalBatch - 1) / globalBatch * projection.epochs
        let computePerStep = Double(images) / Double(steps) / rate
        let gradientBytes = cost.trainableParameters * MemoryLayout<Float>.size
        let rows = machineCounts.map { machines in
            let allreduce = allreduceSeconds(bytes: gradientBytes, machines: machines, bytesPerSecond: networkBytesPerSecond)
            return ScaleOutRow(machines: machines, allreduceSecondsPerStep: allreduce,
                               wallSeconds: Double(steps) * (computePerStep / Double(machines) + allreduce))
        }
        return ScaleOutApproach(approach: cost.approach, name: cost.name, globalBatch: globalBatch, steps: steps,
                                gradientBytes: gradientBytes, computeSecondsPerStep: computePerStep, machines: rows)
    }

    /// The paper's global batch for each approach that trains: Table 1's 256 for ViT-B/16, Table 2's 2048 for CLIP.
    public static let paperGlobalBatches: [Approach: Int] = [
        .vit: ViTFineTuningPlan.table1.batchSize, .clipFineTune: CLIPFineTuningPlan.table2.batchSize,
    ]

    /// Every approach of `costs` that trains, projected; with the local all-reduce measured (or why not).
    public static func scaleOut(_ costs: [ApproachCost], machineCores: Int, networkBytesPerSecond: Double,
                                localAllreduce: Result<AllreduceBandwidth, AllreduceNotMeasured>) -> ScaleOut {
        let approaches = costs.compactMap { cost in
            paperGlobalBatches[cost.approach].flatMap { approach(cost, globalBatch: $0, networkBytesPerSecond: networkBytesPerSecond) }
        }
        var measured: AllreduceBandwidth?, notMeasured: String?
        switch localAllreduce {
        case .success(let bandwidth): measured = bandwidth
        case .failure(let failure): notMeasured = failure.reason
        }
        return ScaleOut(machineCores: machineCores, networkBytesPerSecond: networkBytesPerSecond, localAllreduce: measured,
                        localAllreduceNotMeasured: notMeasured,
                        assumptions: assumptions(machineCores: machineCores, networkBytesPerSecond: networkBytesPerSecond),
                        approaches: approaches)
    }
}
