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

// One 16-row panel of a K-contiguous A, 8 x 8 blocks through registers.
void pack_a_kmajor_f32(const float* a, index_t rsa, index_t kc, float* dst) {
    index_t p0 = 0;
    for (; p0 + 8 <= kc; p0 += 8) {
        for (int h = 0; h < 2; ++h) {
            const float* s = a + 8 * h * rsa + p0;
            const __m256 r0 = _mm256_loadu_ps(s), r1 = _mm256_loadu_ps(s + rsa);
            const __m256 r2 = _mm256_loadu_ps(s + 2 * rsa);
            const __m256 r3 = _mm256_loadu_ps(s + 3 * rsa);
            const __m256 r4 = _mm256_loadu_ps(s + 4 * rsa);
            const __m256 r5 = _mm256_loadu_ps(s + 5 * rsa);
            const __m256 r6 = _mm256_loadu_ps(s + 6 * rsa);
            const __m256 r7 = _mm256_loadu_ps(s + 7 * rsa);
            const __m256 t0 = _mm256_unpacklo_ps(r0, r1),
                         t1 = _mm256_unpackhi_ps(r0, r1);
            const __m256 t2 = _mm256_unpacklo_ps(r2, r3),
                         t3 = _mm256_unpackhi_ps(r2, r3);
            const __m256 t4 = _mm256_unpacklo_ps(r4, r5),
                         t5 = _mm256_unpackhi_ps(r4, r5);
            const __m256 t6 = _mm256_unpacklo_ps(r6, r7),
                         t7 = _mm256_unpackhi_ps(r6, r7);
            const __m256 s0 = _mm256_shuffle_ps(t0, t2, 0x44);
            const __m256 s1 = _mm256_shuffle_ps(t0, t2, 0xEE);
            const __m256 s2 = _mm256_shuffle_ps(t1, t3, 0x44);
            const __m256 s3 = _mm256_shuffle_ps(t1, t3, 0xEE);
            const __m256 s4 = _mm256_shuffle_ps(t4, t6, 0x44);
            const __m256 s5 = _mm256_shuffle_ps(t4, t6, 0xEE);
            const __m256 s6 = _mm256_shuffle_ps(t5, t7, 0x44);
            const __m256 s7 = _mm256_shuffle_ps(t5, t7, 0xEE);
            float* d = dst + p0 * 16 + 8 * h;
            _mm256_storeu_ps(d + 0 * 16, _mm256_permute2f128_ps(s0, s4, 0x20));
            _mm256_storeu_ps(d + 1 * 16, _mm256_permute2f128_ps(s1, s5, 0x20));
            _mm256_storeu_ps(d + 2 * 16, _mm256_permute2f128_ps(s2, s6, 0x20));
            _mm256_storeu_ps(d + 3 * 16, _mm256_permute2f128_ps(s3, s7, 0x20));
            _mm256_storeu_ps(d + 4 * 16, _mm256_permute2f128_ps(s0, s4, 0x31));
            _mm256_storeu_ps(d + 5 * 16, _mm256_permute2f128_ps(s1, s5, 0x31));
            _mm256_storeu_ps(d + 6 * 16, _mm256_permute2f128_ps(s2, s6, 0x31));
            _mm256_storeu_ps(d + 7 * 16, _mm256_permute2f128_ps(s3, s7, 0x31));
        }
    }
    for (; p0 < kc; ++p0)
        for (int r = 0; r < 16; ++r) dst[p0 * 16 + r] = a[r * rsa + p0];
}

// One 8-row panel of a K-contiguous A, 4 x 4 blocks through registers.
void pack_a_kmajor_f64(const double* a, index_t rsa, index_t kc, double* dst) {
    index_t p0 = 0;
    for (; p0 + 4 <= kc; p0 += 4) {
        for (int h = 0; h < 2; ++h) {
            const double* s = a + 4 * h * rsa + p0;
            const __m256d r0 = _mm256_loadu_pd(s), r1 = _mm256_loadu_pd(s + rsa);
            const __m256d r2 = _mm256_loadu_pd(s + 2 * rsa);
            const __m256d r3 = _mm256_loadu_pd(s + 3 * rsa);
            const __m256d t0 = _mm256_unpacklo_pd(r0, r1),
                          t1 = _mm256_unpackhi_pd(r0, r1);
            const __m256d t2 = _mm256_unpacklo_pd(r2, r3),
                          t3 = _mm256_unpackhi_pd(r2, r3);
            double* d = dst + p0 * 8 + 4 * h;
            _mm256_storeu_pd(d + 0 * 8, _mm256_permute2f128_pd(t0, t2, 0x20));
            _mm256_storeu_pd(d + 1 * 8, _mm256_permute2f128_pd(t1, t3, 0x20));
            _mm256_storeu_pd(d + 2 * 8, _mm256_permute2f128_pd(t0, t2, 0x31));
            _mm256_storeu_pd(d + 3 * 8, _mm256_permute2f128_pd(t1, t3, 0x31));
        }
    }
    for (; p0 < kc; ++p0)
        for (int r = 0; r < 8; ++r) dst[p0 * 8 + r] = a[r * rsa + p0];
}

double probe_f32(long iters, float* sink) { return fma_probe<OpsF32>(iters, sink); }
double probe_f64(long iters, double* sink) { return fma_probe<OpsF64>(iters, sink); }

const KernelTable kTable = {
    "avx2",
    {16, 6, 144, 4080, MLPCORE_TILES6(OpsF32), &pack_a_kmajor_f32, 64,
     &tall_kernel<OpsF32, 8>},
    {8, 6, 96, 4080, MLPCORE_TILES6(OpsF64), &pack_a_kmajor_f64, 32,
     &tall_kernel<OpsF64, 8>},
    &probe_f32,
    &probe_f64,
};

}  // namespace
}  // namespace mlpcore::kernels::avx2

extern "C" const mlpcore::kernels::KernelTable* mlpcore_kernels_avx2() {
    return &mlpcore::kernels::avx2::kTable;
}
