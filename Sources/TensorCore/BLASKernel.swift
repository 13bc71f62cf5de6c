// OpenBLAS picks its kernels from the processor's model number when it loads, and the version
// Debian 12 ships (0.3.21) predates recent Xeons: on them (an Emerald Rapids, family 6 model 207,
// for one) it falls back to its Prescott (SSE3) kernels, three to five times slower than its
// AVX-512 ones on the same cores. Unless the user chose a kernel (OPENBLAS_CORETYPE), TensorCore
// then reruns OpenBLAS's own selection once, before the first product, naming the kernel the
// processor's feature flags support: the same tables and initialisation OpenBLAS would have used
// had it recognised the model. `BLAS.coreChosenAtLoad` keeps what OpenBLAS chose itself.
import CBLAS
import Foundation

enum BLASKernel {
    /// The kernel OpenBLAS chose when it loaded, before any correction.
    static let chosenAtLoad = String(cString: openblas_get_corename())

    /// The kernel to use instead of `chosen`, or nil when OpenBLAS chose a real one or the processor
    /// has nothing better than SSE3.
    static func correction(chosen: String, cpuFlags: Set<String>) -> String? {
        guard chosen.lowercased() == "prescott" else { return nil }
        if cpuFlags.isSuperset(of: ["avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512_bf16"]) { return "Cooperlake" }
        if cpuFlags.isSuperset(of: ["avx512f", "avx512bw", "avx512vl", "avx512dq"]) { return "SkylakeX" }
        if cpuFlags.isSuperset(of: ["avx2", "fma"]) { return "Haswell" }
        return nil
    }

    /// Reselects OpenBLAS's kernel when it fell back to Prescott and the user set no
    /// OPENBLAS_CORETYPE. Runs before the first product, while no other thread is inside OpenBLAS;
    /// needs a DYNAMIC_ARCH build (Debian's), and does nothing without one.
    static func correctFallback() {
        guard ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil,
              let kernel = correction(chosen: chosenAtLoad, cpuFlags: cpuFlags()),
              let library = dlopen(nil, RTLD_NOW),
              let quit = dlsym(library, "gotoblas_dynamic_quit"), let initialise = dlsym(library, "gotoblas_dynamic_init")
        else { return }
        typealias Function = @convention(c) () -> Void
        // gotoblas_dynamic_init reads OPENBLAS_CORETYPE, as at load; the variable is removed again
        // so that child processes make their own choice.
        setenv("OPENBLAS_CORETYPE", kernel, 1)
        unsafeBitCast(quit, to: Function.self)()
        unsafeBitCast(initialise, to: Function.self)()
        unsetenv("OPENBLAS_CORETYPE")
    }

    /// The first processor's flags in /proc/cpuinfo (empty elsewhere).
    static func cpuFlags() -> Set<String> {
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
              let colon = line.firstIndex(of: ":") else { return [] }
        return Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
    }
}
