// AVX2 + FMA micro-kernels (compiled with -mavx2 -mfma for this file only).
//
// Column-major tiles of 2 ymm vectors x 6 broadcasts: 16 x 6 (f32), 8 x 6 (f64); 12
// accumulators + 2 A vectors + 1 broadcast = 15 of the 16 ymm registers.
// Block sizes: the A block (MC x KC) fills about half of a 512 KiB-1 MiB L2, a B
// micro-panel (KC x NR) a third of L1d.
#include <immintrin.h>

#include "kernel_table.hpp"

#if !defined(__AVX2__) || !defined(__FMA__)
#error "avx2.cpp must be compiled with -mavx2 -mfma"
#endif

namespace mlpcore::kernels::avx2 {
namespace {

struct OpsF32 {
    using T = float;
    using V = __m256;
    static constexpr int L = 8;
    static V load(const T* p) { return _mm256_loadu_ps(p); }
    static void store(T* p, V v) { _mm256_storeu_ps(p, v); }
    static V set1(T x) { return _mm256_set1_ps(x); }
    static V zero() { return _mm256_setzero_ps(); }
    static V madd(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
    static V mul(V a, V b) { return _mm256_mul_ps(a, b); }
    static V add(V a, V b) { return _mm256_add_ps(a, b); }
};

struct OpsF64 {
    using T = double;
    using V = __m256d;
    static constexpr int L = 4;
    static V load(const T* p) { return _mm256_loadu_pd(p); }
    static void store(T* p, V v) { _mm256_storeu_pd(p, v); }
    static V set1(T x) { return _mm256_set1_pd(x); }
    static V zero() { return _mm256_setzero_pd(); }
    static V madd(V a, V b, V c) { return _mm256_fmadd_pd(a, b, c); }
    static V mul(V a, V b) { return _mm256_mul_pd(a, b); }
    static V add(V a, V b) { return _mm256_add_pd(a, b); }
};

#include "tile_impl.hpp"

double probe_f32(long iters, float* sink) { return fma_probe<OpsF32>(iters, sink); }
double probe_f64(long iters, double* sink) { return fma_probe<OpsF64>(iters, sink); }

const KernelTable kTable = {
    "avx2",
    {16, 6, 144, 4080, MLPCORE_TILES6(OpsF32)},
    {8, 6, 96, 4080, MLPCORE_TILES6(OpsF64)},
    &probe_f32,
    &probe_f64,
};

}  // namespace
}  // namespace mlpcore::kernels::avx2

extern "C" const mlpcore::kernels::KernelTable* mlpcore_kernels_avx2() {
    return &mlpcore::kernels::avx2::kTable;
}
