// Internal: the GEMM driver with a fused epilogue hook (not a public header).
//
// gemm_ex computes exactly what gemm() does (see gemm.hpp) and, when `ep` is given,
// calls ep->fn(ep->ctx, r0, c0, nr, nc) once for every block of C whose final values
// have just been stored (C's rows [r0, r0+nr) x columns [c0, c0+nc), user coordinates).
// The blocks tile C exactly once; they are small (at most a few KiB, still in L1/L2)
// and may be visited concurrently from pool threads, so fn must only touch its block.
#pragma once

#include "mlpcore/view.hpp"

namespace mlpcore::detail {

struct Epilogue {
    void (*fn)(void* ctx, index_t r0, index_t c0, index_t nr, index_t nc);
    void* ctx;
};

template <class T>
void gemm_ex(T alpha, MatrixView<const T> a, MatrixView<const T> b, T beta,
             MatrixView<T> c, const Epilogue* ep);

// The K blocking: K is cut into ceil(K / KC) near-equal chunks (K = 784, f32: 3 x
// ~261, not 384 + 384 + 16), KC depending only on the dtype (the single-column case
// uses shorter chunks, see gemm.cpp). Partial sums between chunks are stored exactly,
// so the chunking affects speed only, never a bit.
template <class T>
constexpr index_t gemm_kc() {
    return sizeof(T) == 4 ? 384 : 256;
}

}  // namespace mlpcore::detail
