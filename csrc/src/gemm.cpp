// Portable cache-blocked GEMM driver (see gemm.hpp for the contract).
//
// Loop nest, row-major terms: jc over n by NC | ic over m by MC | pc over k by KC,
// packing the A block into MR-row micro-panels and the B block into NR-column
// micro-panels (zero-padded to whole panels), then jr/ir over micro-tiles. Each MR x NR
// micro-tile is accumulated in a contiguous MC x NC tile buffer in precision T: the
// partial sum is stored after a KC block and reloaded for the next one, which is exact,
// so every C(i, j) is the plain sequential sum over p whatever the blocking. The
// alpha/beta epilogue runs once per tile, after the last KC block.
//
// Seam for later work: micro_kernel() is the only compute leaf; ISA-specific kernels,
// a persistent thread pool and fused epilogues replace pieces without changing callers.
#include "mlpcore/gemm.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <exception>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "mlpcore/errors.hpp"
#include "mlpcore/runtime.hpp"

namespace mlpcore {
namespace {

// Register tile MR x NR and cache blocks (MC a multiple of MR, NC of NR). Baseline SSE2
// on the Zen 4 VM: 4x16 (f32) / 4x8 (f64) measured best among 3x16, 4x8, 4x12, 5x12,
// 6x8 and 7x8, although GCC spills 6 of its 16 accumulators (two-operand SSE needs
// temporaries); the ISA kernels will replace this. A KC x NR B micro-panel (16 KiB)
// stays in L1; the MC x KC A block, KC x NC B block and MC x NC tile share L2.
template <class T>
struct Blocking;
template <>
struct Blocking<float> {
    static constexpr index_t MR = 4, NR = 16, KC = 256, MC = 128, NC = 512;
};
template <>
struct Blocking<double> {
    static constexpr index_t MR = 4, NR = 8, KC = 256, MC = 128, NC = 256;
};

constexpr index_t kParallelMinWork = index_t{1} << 22;  // m * n * k

constexpr index_t round_up(index_t x, index_t r) { return (x + r - 1) / r * r; }

// Grow-only scratch buffer owned by one thread.
template <class T>
T* scratch(std::vector<T>& buf, index_t n) {
    if (static_cast<index_t>(buf.size()) < n) buf.resize(static_cast<std::size_t>(n));
    return buf.data();
}

template <class T>
struct Workspace {
    std::vector<T> a, b, c;
};

template <class T>
Workspace<T>& thread_workspace() {
    thread_local Workspace<T> ws;
    return ws;
}

// Packs rows [0, mc) x cols [0, kc) of `a` into MR-row micro-panels: panel q holds
// a(q*MR + r, p) at dst[q*MR*kc + p*MR + r]; rows past mc are zero.
template <class T>
void pack_a(MatrixView<const T> a, index_t mc, index_t kc, T* dst) {
    constexpr index_t MR = Blocking<T>::MR;
    for (index_t i0 = 0; i0 < mc; i0 += MR) {
        const index_t mr = std::min(MR, mc - i0);
        for (index_t p = 0; p < kc; ++p) {
            const T* src = a.data + i0 * a.row_stride + p * a.col_stride;
            for (index_t r = 0; r < mr; ++r) dst[r] = src[r * a.row_stride];
            for (index_t r = mr; r < MR; ++r) dst[r] = T(0);
            dst += MR;
        }
    }
}

// Packs rows [0, kc) x cols [0, nc) of `b` into NR-column micro-panels: panel q holds
// b(p, q*NR + j) at dst[q*NR*kc + p*NR + j]; columns past nc are zero.
template <class T>
void pack_b(MatrixView<const T> b, index_t kc, index_t nc, T* dst) {
    constexpr index_t NR = Blocking<T>::NR;
    for (index_t j0 = 0; j0 < nc; j0 += NR) {
        const index_t nr = std::min(NR, nc - j0);
        for (index_t p = 0; p < kc; ++p) {
            const T* src = b.data + p * b.row_stride + j0 * b.col_stride;
            if (nr == NR && b.col_stride == 1) {
                for (index_t j = 0; j < NR; ++j) dst[j] = src[j];
            } else {
                for (index_t j = 0; j < nr; ++j) dst[j] = src[j * b.col_stride];
                for (index_t j = nr; j < NR; ++j) dst[j] = T(0);
            }
            dst += NR;
        }
    }
}

// c[r*ldc + j] (+)= sum_p ap[p*MR + r] * bp[p*NR + j] for the whole MR x NR tile, in
// order p = 0, 1, ...; starts from zero when `accumulate` is false. Each element gets a
// separate multiply and add per p, exactly as the scalar loop would compute it.
#if defined(__GNUC__) || defined(__clang__)
// 16-byte vectors via the GCC/Clang vector extension: baseline SSE2 on x86-64, NEON on
// arm64. Spelled out because auto-vectorizing the scalar tile loop shuffles badly.
typedef float f32x4 __attribute__((vector_size(16)));
typedef double f64x2 __attribute__((vector_size(16)));
template <class T>
struct Vec;
template <>
struct Vec<float> {
    using type = f32x4;
};
template <>
struct Vec<double> {
    using type = f64x2;
};

template <class T>
void micro_kernel(index_t kc, const T* __restrict ap, const T* __restrict bp,
                  T* __restrict c, index_t ldc, bool accumulate) {
    using V = typename Vec<T>::type;
    constexpr index_t MR = Blocking<T>::MR;
    constexpr index_t NR = Blocking<T>::NR;
    constexpr index_t L = static_cast<index_t>(sizeof(V) / sizeof(T));
    constexpr index_t NV = NR / L;
    static_assert(NR % L == 0, "NR must be a whole number of vectors");
    V acc[MR][NV];
    for (index_t r = 0; r < MR; ++r) {
        for (index_t v = 0; v < NV; ++v) {
            if (accumulate) {
                std::memcpy(&acc[r][v], c + r * ldc + v * L, sizeof(V));
            } else {
                acc[r][v] = V{};
            }
        }
    }
    for (index_t p = 0; p < kc; ++p) {
        V b[NV];
        for (index_t v = 0; v < NV; ++v)
            std::memcpy(&b[v], bp + p * NR + v * L, sizeof(V));
        for (index_t r = 0; r < MR; ++r) {
            const T ar = ap[p * MR + r];
            for (index_t v = 0; v < NV; ++v) acc[r][v] = acc[r][v] + ar * b[v];
        }
    }
    for (index_t r = 0; r < MR; ++r)
        for (index_t v = 0; v < NV; ++v)
            std::memcpy(c + r * ldc + v * L, &acc[r][v], sizeof(V));
}
#else
template <class T>
void micro_kernel(index_t kc, const T* __restrict ap, const T* __restrict bp,
                  T* __restrict c, index_t ldc, bool accumulate) {
    constexpr index_t MR = Blocking<T>::MR;
    constexpr index_t NR = Blocking<T>::NR;
    T acc[MR][NR];
    for (index_t r = 0; r < MR; ++r)
        for (index_t j = 0; j < NR; ++j) acc[r][j] = accumulate ? c[r * ldc + j] : T(0);
    for (index_t p = 0; p < kc; ++p) {
        for (index_t r = 0; r < MR; ++r) {
            const T ar = ap[p * MR + r];
            for (index_t j = 0; j < NR; ++j) acc[r][j] += ar * bp[p * NR + j];
        }
    }
    for (index_t r = 0; r < MR; ++r)
        for (index_t j = 0; j < NR; ++j) c[r * ldc + j] = acc[r][j];
}
#endif

// C <- alpha A B + beta C on one thread; shapes already checked, m, n > 0.
template <class T>
void gemm_serial(T alpha, MatrixView<const T> a, MatrixView<const T> b, T beta,
                 MatrixView<T> c) {
    using Bk = Blocking<T>;
    const index_t m = c.rows, n = c.cols, k = a.cols;
    Workspace<T>& ws = thread_workspace<T>();
    T* apack = scratch(ws.a, round_up(std::min(m, Bk::MC), Bk::MR) * Bk::KC);
    T* bpack = scratch(ws.b, round_up(std::min(n, Bk::NC), Bk::NR) * Bk::KC);
    T* tile = scratch(ws.c, round_up(std::min(m, Bk::MC), Bk::MR) *
                                round_up(std::min(n, Bk::NC), Bk::NR));

    for (index_t jc = 0; jc < n; jc += Bk::NC) {
        const index_t nc = std::min(Bk::NC, n - jc);
        const index_t ldt = round_up(nc, Bk::NR);
        for (index_t ic = 0; ic < m; ic += Bk::MC) {
            const index_t mc = std::min(Bk::MC, m - ic);
            if (k == 0) std::fill(tile, tile + round_up(mc, Bk::MR) * ldt, T(0));
            for (index_t pc = 0; pc < k; pc += Bk::KC) {
                const index_t kc = std::min(Bk::KC, k - pc);
                pack_a(a.block(ic, pc, mc, kc), mc, kc, apack);
                pack_b(b.block(pc, jc, kc, nc), kc, nc, bpack);
                for (index_t jr = 0; jr < nc; jr += Bk::NR) {
                    for (index_t ir = 0; ir < mc; ir += Bk::MR) {
                        micro_kernel(kc, apack + ir * kc, bpack + jr * kc,
                                     tile + ir * ldt + jr, ldt, pc > 0);
                    }
                }
            }
            // Epilogue, once the full k sum is in the tile. beta == 0: C is not read.
            for (index_t i = 0; i < mc; ++i) {
                const T* t = tile + i * ldt;
                T* out = c.row_ptr(ic + i) + jc * c.col_stride;
                const index_t cs = c.col_stride;
                if (beta == T(0)) {
                    for (index_t j = 0; j < nc; ++j) out[j * cs] = alpha * t[j];
                } else {
                    for (index_t j = 0; j < nc; ++j)
                        out[j * cs] = alpha * t[j] + beta * out[j * cs];
                }
            }
        }
    }
}

}  // namespace

template <class T>
void gemm(T alpha, MatrixView<const T> a, MatrixView<const T> b, T beta,
          MatrixView<T> c) {
    if (a.cols != b.rows || c.rows != a.rows || c.cols != b.cols) {
        throw ShapeError("gemm: shapes (" + std::to_string(a.rows) + ", " +
                         std::to_string(a.cols) + ") x (" + std::to_string(b.rows) +
                         ", " + std::to_string(b.cols) + ") -> (" +
                         std::to_string(c.rows) + ", " + std::to_string(c.cols) +
                         ") do not match");
    }
    const index_t m = c.rows, n = c.cols, k = a.cols;
    if (m <= 0 || n <= 0) return;

    // Split the larger of m, n into contiguous register-tile-aligned chunks; never k.
    int threads = get_num_threads();
    if (threads > 1 &&
        static_cast<double>(m) * static_cast<double>(n) * static_cast<double>(k) <
            static_cast<double>(kParallelMinWork))
        threads = 1;
    const bool split_cols = n >= m;
    const index_t extent = split_cols ? n : m;
    const index_t unit = split_cols ? Blocking<T>::NR : Blocking<T>::MR;
    const index_t units = (extent + unit - 1) / unit;
    threads = static_cast<int>(std::min<index_t>(threads, units));
    if (threads <= 1) {
        gemm_serial(alpha, a, b, beta, c);
        return;
    }

    auto run_chunk = [&](int t) {
        const index_t u0 = units * t / threads, u1 = units * (t + 1) / threads;
        const index_t lo = u0 * unit, hi = std::min(extent, u1 * unit);
        if (hi <= lo) return;
        if (split_cols) {
            gemm_serial(alpha, a, b.block(0, lo, k, hi - lo), beta,
                        c.block(0, lo, m, hi - lo));
        } else {
            gemm_serial(alpha, a.block(lo, 0, hi - lo, k), b, beta,
                        c.block(lo, 0, hi - lo, n));
        }
    };

    // Per-call workers for now (a persistent pool comes with the tuned kernels). Errors
    // in a worker are carried back to the caller; a worker that cannot be started is
    // run on the calling thread instead.
    std::vector<std::exception_ptr> errors(static_cast<std::size_t>(threads));
    auto guarded = [&](int t) noexcept {
        try {
            run_chunk(t);
        } catch (...) {
            errors[static_cast<std::size_t>(t)] = std::current_exception();
        }
    };
    std::vector<std::thread> workers;
    workers.reserve(static_cast<std::size_t>(threads - 1));
    for (int t = 1; t < threads; ++t) {
        try {
            workers.emplace_back(guarded, t);
        } catch (const std::system_error&) {
            guarded(t);
        }
    }
    guarded(0);
    for (auto& w : workers) w.join();
    for (auto& e : errors)
        if (e) std::rethrow_exception(e);
}

template void gemm<float>(float, MatrixView<const float>, MatrixView<const float>,
                          float, MatrixView<float>);
template void gemm<double>(double, MatrixView<const double>, MatrixView<const double>,
                           double, MatrixView<double>);

}  // namespace mlpcore
