// Products through oneDNN's matmul primitive (Debian's libdnnl 2.6). A primitive is built once per
// product geometry (transposes, sizes, leading dimensions, alpha, beta, precision) and cached; a
// product then costs one call. alpha is oneDNN's output scale and beta its `sum` post-op, so
// C = alpha · op(A) · op(B) + beta · C exactly as sgemm defines it; strides describe transposes and
// leading dimensions, so no operand is copied in fp32. Which products come here: see `Products`.
//
// Threads: every oneDNN call runs on one thread (GNU OpenMP's thread count is per calling thread,
// set to 1 the first time a thread calls in), and TensorCore splits large products over its own
// `Parallel` workers as it does for OpenBLAS. One pool: no OpenMP team spinning beside Dispatch's.
import CDNNL
import Foundation

enum OneDNN {
    /// The CPU engine; created on first use.
    static let engine: dnnl_engine_t = {
        var engine: dnnl_engine_t?
        check(dnnl_engine_create(&engine, dnnl_cpu, 0), "engine")
        return engine!
    }()

    static func check(_ status: dnnl_status_t, _ what: String) {
        precondition(status == dnnl_success, "oneDNN \(what) failed (status \(status.rawValue))")
    }

    /// What identifies a cached primitive.
    struct Geometry: Hashable {
        var transposeA: Bool, transposeB: Bool
        var m: Int, n: Int, k: Int, lda: Int, ldb: Int, ldc: Int
        var alpha: Float, beta: Float
        var bias: Bool, bf16: Bool
    }

    /// A primitive with its memory descriptors and scratchpad size.
    final class Product: @unchecked Sendable {
        let primitive: dnnl_primitive_t
        var a = dnnl_memory_desc_t(), b = dnnl_memory_desc_t(), c = dnnl_memory_desc_t(), bias = dnnl_memory_desc_t()
        var scratch = dnnl_memory_desc_t()
        let hasBias: Bool
        let scratchBytes: Int
        let implementation: String

        init(_ g: Geometry) {
            let inputType = g.bf16 ? dnnl_bf16 : dnnl_f32
            // bf16 operands are converted into dense copies (see `BF16Operands`); f32 ones are read in place.
            let lda = g.bf16 ? (g.transposeA ? g.m : g.k) : g.lda, ldb = g.bf16 ? (g.transposeB ? g.k : g.n) : g.ldb
            OneDNN.describe(&a, rows: g.m, columns: g.k, leading: lda, transposed: g.transposeA, type: inputType)
            OneDNN.describe(&b, rows: g.k, columns: g.n, leading: ldb, transposed: g.transposeB, type: inputType)
            OneDNN.describe(&c, rows: g.m, columns: g.n, leading: g.ldc, transposed: false, type: dnnl_f32)
            hasBias = g.bias
            if g.bias { OneDNN.describe(&bias, rows: 1, columns: g.n, leading: g.n, transposed: false, type: dnnl_f32) }
            var description = dnnl_matmul_desc_t()
            let status = g.bias ? dnnl_matmul_desc_init(&description, &a, &b, &bias, &c)
                                : dnnl_matmul_desc_init(&description, &a, &b, nil, &c)
            OneDNN.check(status, "matmul description")

            var attributes: dnnl_primitive_attr_t?
            OneDNN.check(dnnl_primitive_attr_create(&attributes), "attributes")
            defer { dnnl_primitive_attr_destroy(attributes) }
            // The caller's thread owns the scratchpad: primitives then run concurrently on many threads.
            OneDNN.check(dnnl_primitive_attr_set_scratchpad_mode(attributes, dnnl_scratchpad_mode_user), "scratchpad mode")
            if g.alpha != 1 {
                var alpha = g.alpha
                OneDNN.check(dnnl_primitive_attr_set_output_scales(attributes, 1, 0, &alpha), "output scale")
            }
            if g.beta != 0 {
                var postOps: dnnl_post_ops_t?
                OneDNN.check(dnnl_post_ops_create(&postOps), "post-ops")
                defer { dnnl_post_ops_destroy(postOps) }
                OneDNN.check(dnnl_post_ops_append_sum(postOps, g.beta), "sum post-op")
                OneDNN.check(dnnl_primitive_attr_set_post_ops(attributes, postOps), "post-ops")
            }
            var descriptor: dnnl_primitive_desc_t?
            OneDNN.check(dnnl_primitive_desc_create(&descriptor, &description, attributes, OneDNN.engine, nil),
                         "matmul for \(g)")
            defer { dnnl_primitive_desc_destroy(descriptor) }
            scratch = dnnl_primitive_desc_query_md(descriptor, dnnl_query_scratchpad_md, 0).pointee
            scratchBytes = dnnl_memory_desc_get_size(&scratch)
            var name: UnsafePointer<CChar>?
            dnnl_primitive_desc_query(descriptor, dnnl_query_impl_info_str, 0, &name)
            implementation = name.map { String(cString: $0) } ?? "?"
            var primitive: dnnl_primitive_t?
            OneDNN.check(dnnl_primitive_create(&primitive, descriptor), "primitive")
            self.primitive = primitive!
        }
    }

    /// A rows × columns matrix stored row-major with `leading` floats per row, or (transposed) the
    /// transpose of such a columns × rows matrix.
    static func describe(_ md: inout dnnl_memory_desc_t, rows: Int, columns: Int, leading: Int, transposed: Bool,
                         type: dnnl_data_type_t) {
        let dims: [dnnl_dim_t] = [dnnl_dim_t(rows), dnnl_dim_t(columns)]
        let strides: [dnnl_dim_t] = transposed ? [1, dnnl_dim_t(leading)] : [dnnl_dim_t(leading), 1]
        check(dnnl_memory_desc_init_by_strides(&md, 2, dims, type, strides), "memory description")
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var products: [Geometry: Product] = [:]

    /// The cached primitive for `geometry`, built on first use.
    static func product(_ geometry: Geometry) -> Product {
        lock.lock()
        defer { lock.unlock() }
        if let cached = products[geometry] { return cached }
        let made = Product(geometry)
        products[geometry] = made
        return made
    }

    /// How many primitives are cached, and the implementations oneDNN chose (for the benchmark).
    static var cachedImplementations: [String: Int] {
        lock.lock()
        defer { lock.unlock() }
        return products.values.reduce(into: [:]) { $0[$1.implementation, default: 0] += 1 }
    }

    /// C = alpha · op(A) · op(B) + beta · C on the calling thread.
    static func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
        _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
        beta: Float, _ c: UnsafeMutablePointer<Float>, ldc: Int, bias: UnsafePointer<Float>?, bf16: Bool
    ) {
        let state = ThreadState.current
        let geometry = Geometry(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, lda: lda, ldb: ldb,
                                ldc: ldc, alpha: alpha, beta: beta, bias: bias != nil, bf16: bf16)
        let product = product(geometry)
        var aData = UnsafeMutableRawPointer(mutating: a), bData = UnsafeMutableRawPointer(mutating: b)
        if bf16 {
            (aData, bData) = state.bf16Operands.convert(geometry, a, b)
        }
        state.execute(product, aData, bData, c, bias)
    }
}

extension OneDNN {
    /// Per-thread execution state: a stream, a scratchpad, and the bf16 copies of the operands.
    final class ThreadState {
        let stream: dnnl_stream_t
        private var scratchpad: UnsafeMutableRawPointer?
        private var scratchpadBytes = 0
        let bf16Operands = BF16Operands()

        init() {
            omp_set_num_threads(1)
            var stream: dnnl_stream_t?
            OneDNN.check(dnnl_stream_create(&stream, OneDNN.engine, dnnl_stream_default_flags.rawValue), "stream")
            self.stream = stream!
        }

        deinit {
            for memory in memories.values.joined() where memory != nil { dnnl_memory_destroy(memory) }
            dnnl_stream_destroy(stream)
            scratchpad?.deallocate()
        }

        private static let key: pthread_key_t = {
            var key = pthread_key_t()
            pthread_key_create(&key) { state in
                if let state { Unmanaged<ThreadState>.fromOpaque(state).release() }
            }
            return key
        }()

        static var current: ThreadState {
            if let state = pthread_getspecific(key) { return Unmanaged<ThreadState>.fromOpaque(state).takeUnretainedValue() }
            let state = ThreadState()
            pthread_setspecific(key, Unmanaged.passRetained(state).toOpaque())
            return state
        }

        /// Memory objects per cached product, re-pointed at each call's buffers.
        private var memories: [ObjectIdentifier: [dnnl_memory_t?]] = [:]

        func execute(_ product: Product, _ a: UnsafeMutableRawPointer, _ b: UnsafeMutableRawPointer,
                     _ c: UnsafeMutablePointer<Float>, _ bias: UnsafePointer<Float>?) {
            if product.scratchBytes > scratchpadBytes {
                scratchpad?.deallocate()
                scratchpad = UnsafeMutableRawPointer.allocate(byteCount: product.scratchBytes, alignment: 64)
                scratchpadBytes = product.scratchBytes
            }
            let objects = memories[ObjectIdentifier(product)] ?? makeMemories(product)
            let buffers: [UnsafeMutableRawPointer?] = [a, b, UnsafeMutableRawPointer(c), UnsafeMutableRawPointer(mutating: bias), scratchpad]
            var arguments: [dnnl_exec_arg_t] = []
            for (slot, argument) in [DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_DST, DNNL_ARG_BIAS, DNNL_ARG_SCRATCHPAD].enumerated() {
                guard let memory = objects[slot] else { continue }
                OneDNN.check(dnnl_memory_set_data_handle(memory, buffers[slot]), "memory handle")
                arguments.append(dnnl_exec_arg_t(arg: argument, memory: memory))
            }
            OneDNN.check(dnnl_primitive_execute(product.primitive, stream, Int32(arguments.count), &arguments), "matmul")
        }

        /// Source, weights, destination, bias and scratchpad memory objects (nil where unused).
        private func makeMemories(_ product: Product) -> [dnnl_memory_t?] {
            func memory(_ md: inout dnnl_memory_desc_t) -> dnnl_memory_t? {
                var memory: dnnl_memory_t?
                OneDNN.check(dnnl_memory_create(&memory, &md, OneDNN.engine, nil), "memory")
                return memory
            }
            let made = [memory(&product.a), memory(&product.b), memory(&product.c),
                        product.hasBias ? memory(&product.bias) : nil, product.scratchBytes > 0 ? memory(&product.scratch) : nil]
            memories[ObjectIdentifier(product)] = made
            return made
        }
    }
}
