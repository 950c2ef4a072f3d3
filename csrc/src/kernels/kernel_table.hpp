// The only interface between the portable GEMM driver and the ISA-specific files.
//
// Each ISA file (generic.cpp, avx2.cpp, avx512.cpp) compiles the same micro-kernel
// template (tile_impl.hpp) with its own flags, inside its own namespace, and exports
// one KernelTable through an extern "C" getter. The driver (gemm.cpp) calls kernels
// only through the table chosen once by dispatch.cpp, so no instruction of a wider ISA
// is ever reached on a CPU that lacks it. Plain C-compatible types only: no STL here.
#pragma once

#include <cstddef>
#include <cstdint>

namespace mlpcore::kernels {

using index_t = std::ptrdiff_t;

// One MR x NR tile of C, column-major terms (MR runs along the SIMD vector):
//
//   S(i, j) = P(i, j) + sum_{p < kc} A(i, p) * B(p, j)   (P = 0 when part == nullptr)
//   final:     C(i, j) = alpha * S(i, j) [+ beta * C(i, j) when beta != 0]
//   not final: C(i, j) = S(i, j)                         (partial sum, stored exactly)
//
// for 0 <= i < m <= MR, 0 <= j < n <= NR. The sum runs sequentially over p, one
// multiply-add per step (fused on FMA ISAs, multiply then add on generic).
//   A(i, p) = a[i + p * lda]                  (MR contiguous values per p; always MR
//                                             readable, zero-padded by the packer)
//   B(p, j) = b[p * rsb + j * csb]           (a packed NR-wide micro-panel has
//                                             rsb = NR, csb = 1; B may also be read
//                                             in place with the caller's strides)
//   (the kernel computes its own column count w <= NR and reads only those columns;
//   it requires n <= w)
//   C(i, j) = c[i * rsc + j * csc], P(i, j) = part[i * rsp + j * csp]
// Only the m x n corner of C is read or written; beta == 0 never reads C.
template <class T>
struct TileArgs {
    index_t kc;
    const T* a;
    index_t lda;
    const T* b;
    index_t rsb, csb;
    T* c;
    index_t rsc, csc;
    const T* part;
    index_t rsp, csp;
    index_t m, n;
    T alpha, beta;
    bool final;
};

inline constexpr int kMaxNR = 16;
// Bytes per way of the 32 KiB 8-way L1 the blocking assumes: addresses this far apart
// share a set (the driver's and the kernels' aliasing rules).
inline constexpr index_t kL1SetBytes = 4096;

template <class T>
struct GemmKernel {
    int mr, nr;  // register tile
    // A tile of m < mr rows runs only the vectors (or, where the ISA has cheaper
    // half-width multiply-adds, half vectors) its rows reach: it costs about as
    // round_up(m, row_step) rows.
    int row_step;
    // A tile of exactly this many rows (< mr; 0: none) reads only its own rows of A,
    // none of the zero padding of a packed panel: such an edge can be read in place.
    int unpadded_rows;
    index_t mc, nc;  // cache blocks (multiples of mr / nr)
    // tile[w] computes w <= nr columns of a B micro-panel packed nr wide (args->n
    // <= w); tile[nr] is the full tile. Entries past nr are null.
    void (*tile[kMaxNR + 1])(const TileArgs<T>* args);
    // Optional (may be null): packs one full MR-tall panel of an A stored along K
    // (A(i, p) = a[i * rsa + p]): dst[p * MR + i] = A(i, p) for p < kc. A SIMD
    // transpose; the portable driver loop is the fallback.
    void (*pack_a_kmajor)(const T* a, index_t rsa, index_t kc, T* dst);
    // Optional (may be null): packs one micro-panel of w <= NR columns of a B stored
    // along K (B(p, j) = b[p + j * csb], e.g. the batch x^T in z = x W): dst[p * NR +
    // j] = B(p, j) for p < kc, j < w (slots j >= w unspecified: tiles read only w
    // columns). The same transpose, for the other operand.
    void (*pack_b_kmajor)(const T* b, index_t csb, index_t kc, index_t w, T* dst);
    // One column, tall_mr rows (n == 1, m <= tall_mr), same contract as tile: the
    // matrix-vector case (batch 1), where a 2-vector tile would leave the FMA units
    // waiting on two dependency chains.
    int tall_mr;
    void (*tall)(const TileArgs<T>* args);
    // Optional (may be null): one column of an A stored along K (A(i, p) =
    // a[i * lda + p]), m <= dot_rows_mr rows, all of K (kc), a contiguous B column (rsb
    // == 1), final (alpha, beta applied; part unused): the batch-1 input gradient
    // dY W^T, as dot products over W's rows where they stand. Not one chain per
    // output: each sum runs as interleaved chains over p whose lanes are then added in
    // a fixed order (dot_rows_kernel in tile_impl.hpp) - the same for every thread
    // count and for AVX2 and AVX-512, but not the tiles' order, so a sample's input
    // gradient alone differs in its last bits from its row of a batch's. Null: the
    // driver packs A for the tiles instead.
    int dot_rows_mr;
    void (*dot_rows)(const TileArgs<T>* args);
    // Optional (may be null): y[i] += sum_{p < k} a[i + p * lda] * b[p * rsb] for
    // i < m, each y[i] one sequential multiply-add chain over p continuing from its
    // value (the tile kernels' order and rounding): batch-1 forward streams W row by
    // row. Null: the tall kernel instead.
    void (*gemv_rows)(const T* a, index_t lda, const T* b, index_t rsb, index_t m,
                      index_t k, T* y);
    // The product with an inner dimension of one (an outer product: the weight gradient
    // of a batch of one), rounded as the tiles round it: for i < m, j < n,
    //   c[i + j * csc] = alpha * (a[i] * b[j * csb]) [+ beta * c[i + j * csc]]
    // (the single product, then alpha, then beta C added; beta == 0 never reads C).
    void (*rank1)(index_t m, index_t n, T alpha, const T* a, const T* b, index_t csb,
                  T beta, T* c, index_t csc);
};

// Adam's scalars for one step, in T (optim.hpp): correction1 = 1 - beta1^t and
// correction2 = 1 - beta2^t, computed in double and then rounded.
template <class T>
struct AdamScalars {
    T lr, beta1, beta2, one_minus_beta1, one_minus_beta2, eps, correction1, correction2;
};

// The optimizers' updates of n contiguous parameters (rules in update_impl.hpp).
template <class T>
struct UpdateKernels {
    void (*sgd)(T* p, const T* g, index_t n, T lr);
    void (*momentum)(T* p, const T* g, T* v, index_t n, T lr, T mu, bool nesterov);
    void (*adam)(T* p, const T* g, T* m, T* v, index_t n, const AdamScalars<T>* c);
};

struct KernelTable {
    const char* name;  // "generic", "avx2", "avx512"
    GemmKernel<float> sgemm;
    GemmKernel<double> dgemm;
    // FMA-throughput probe: `iters` rounds of independent multiply-adds on vector
    // registers (fused where the ISA has FMA); returns the flop count performed and a
    // value that depends on every result (so nothing is optimised away) through `sink`.
    double (*fma_probe_f32)(long iters, float* sink);
    double (*fma_probe_f64)(long iters, double* sink);
    // Magnitude scan of n values `stride` apart: max(m, max_i bits of |x[i * stride]|),
    // the bits read as a signed integer of the value's size (a NaN or Inf gives bits of
    // at least those of Inf). See scan_impl.hpp.
    std::int32_t (*max_bits_f32)(const float* x, index_t n, index_t stride,
                                 std::int32_t m);
    std::int64_t (*max_bits_f64)(const double* x, index_t n, index_t stride,
                                 std::int64_t m);
    UpdateKernels<float> update_f32;
    UpdateKernels<double> update_f64;
};

}  // namespace mlpcore::kernels

extern "C" {
const mlpcore::kernels::KernelTable* mlpcore_kernels_generic();
const mlpcore::kernels::KernelTable* mlpcore_kernels_avx2();
const mlpcore::kernels::KernelTable* mlpcore_kernels_avx512();
}
