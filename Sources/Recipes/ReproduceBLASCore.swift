// OpenBLAS picks its kernels from the processor's model number, and the version Debian 12 ships
// (0.3.21) predates recent Xeons: on them it falls back to its Prescott (SSE3) kernels, which
// run ViT-B/16 about four times slower than its AVX-512 ones on the same cores. The choice is
// made when the library loads, so a process cannot correct its own; `reproduce` corrects its
// chapters', naming the kernels the processor's own feature flags allow.
import Foundation
import TensorCore

public enum ReproduceBLASCore {
    /// The OpenBLAS core type to force for child processes, or nil when OpenBLAS chose a real
    /// one or the processor has nothing better than SSE3.
    public static func override(chosen: String, cpuFlags: Set<String>) -> String? {
        guard chosen.lowercased() == "prescott" else { return nil }
        if cpuFlags.isSuperset(of: ["avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512_bf16"]) { return "Cooperlake" }
        if cpuFlags.isSuperset(of: ["avx512f", "avx512bw", "avx512vl", "avx512dq"]) { return "SkylakeX" }
        if cpuFlags.isSuperset(of: ["avx2", "fma"]) { return "Haswell" }
        return nil
    }

    /// Sets OPENBLAS_CORETYPE for the processes this one starts, unless the user set it; returns
    /// the value set.
    public static func correctForChildren() -> String? {
        guard ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil,
              let core = override(chosen: BLAS.coreName, cpuFlags: cpuFlags()) else { return nil }
        setenv("OPENBLAS_CORETYPE", core, 1)
        return core
    }

    /// The first processor's flags in /proc/cpuinfo (empty elsewhere).
    static func cpuFlags() -> Set<String> {
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
              let colon = line.firstIndex(of: ":") else { return [] }
        return Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
    }
}
