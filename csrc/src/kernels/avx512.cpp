// AVX-512 micro-kernels (compiled with -mavx512f -mavx512bw -mavx512dq -mavx512vl
// -mavx2 -mfma for this file only; selected only when the CPU reports all four
// AVX-512 subsets).
//
// Same template as avx2.cpp with zmm vectors: 2 zmm x 12 broadcasts, 32 x 12 (f32) and
// 16 x 12 (f64): 24 accumulators + 2 A vectors + 1 broadcast of the 32 registers.
// Both paths fuse every multiply-add and block K identically (gemm_driver.hpp), so
// they give the same bits.
#include <immintrin.h>

#include <cstring>

#include "kernel_table.hpp"

#if !defined(__AVX512F__) || !defined(__AVX512DQ__) || !defined(__FMA__)
#error \
    "avx512.cpp must be compiled with -mavx512f -mavx512dq -mavx512bw -mavx512vl -mfma"
#endif

namespace mlpcore::kernels::avx512 {
namespace {

struct OpsF32 {
    using T = float;
    using V = __m512;
    static constexpr int L = 16;
    static constexpr bool kMasked = false;
    static V load(const T* p) { return _mm512_loadu_ps(p); }
    static void store(T* p, V v) { _mm512_storeu_ps(p, v); }
    static V set1(T x) { return _mm512_set1_ps(x); }
    static V zero() { return _mm512_setzero_ps(); }
    static V madd(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
    static V mul(V a, V b) { return _mm512_mul_ps(a, b); }
    static V add(V a, V b) { return _mm512_add_ps(a, b); }
};

struct OpsF64 {
    using T = double;
    using V = __m512d;
    static constexpr int L = 8;
    static constexpr bool kMasked = false;
    static V load(const T* p) { return _mm512_loadu_pd(p); }
    static void store(T* p, V v) { _mm512_storeu_pd(p, v); }
    static V set1(T x) { return _mm512_set1_pd(x); }
    static V zero() { return _mm512_setzero_pd(); }
    static V madd(V a, V b, V c) { return _mm512_fmadd_pd(a, b, c); }
    static V mul(V a, V b) { return _mm512_mul_pd(a, b); }
    static V add(V a, V b) { return _mm512_add_pd(a, b); }
};

#include "scan_impl.hpp"
#include "tile_impl.hpp"

double probe_f32(long iters, float* sink) { return fma_probe<OpsF32>(iters, sink); }
double probe_f64(long iters, double* sink) { return fma_probe<OpsF64>(iters, sink); }

const KernelTable kTable = {
    "avx512",
    {32, 12, 384, 4080, MLPCORE_TILES12(OpsF32), nullptr, nullptr, 128,
     &tall_kernel<OpsF32, 8>, 0, nullptr, nullptr},
    {16, 12, 256, 2040, MLPCORE_TILES12(OpsF64), nullptr, nullptr, 64,
     &tall_kernel<OpsF64, 8>, 0, nullptr, nullptr},
    &probe_f32,
    &probe_f64,
    &max_magnitude_bits<float, std::int32_t>,
    &max_magnitude_bits<double, std::int64_t>,
};

}  // namespace
}  // namespace mlpcore::kernels::avx512

extern "C" const mlpcore::kernels::KernelTable* mlpcore_kernels_avx512() {
    return &mlpcore::kernels::avx512::kTable;
}
