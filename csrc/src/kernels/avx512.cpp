// AVX-512 micro-kernels (compiled with -mavx512f -mavx512bw -mavx512dq -mavx512vl
// -mavx2 -mfma for this file only; selected only when the CPU reports all four
// AVX-512 subsets).
//
// Same template as avx2.cpp with zmm vectors: 2 zmm x 6 broadcasts, 32 x 6 (f32) and
// 16 x 6 (f64): 12 accumulators cover the FMA latency at one zmm FMA per cycle (Zen 4
// runs them on its 256-bit units), and the KC x 6 B micro-panel (9 / 12 KB) stays in
// L1 where a 12-wide one (18 / 24 KB) did not: against 2 x 12 tiles, paired in
// alternated processes, float64 squares 1.03-1.08x, float32 squares 1.02-1.07x, whole
// training at 1 thread +0-3 % (batch 32 / 512).
// An edge tile of at most 12 (float32 24) rows runs its second vector at half width
// (ymm: one 256-bit unit where a zmm FMA takes both); 10 float64 classes pair their
// last two rows of two columns in one ymm (kPair), so they cost 10 lanes' issue slots,
// not 12 or 16. Masked edges use mask registers. The register
// transposes of the float32 packers are the AVX2 file's ymm ones (ymm_ops.hpp): Zen 4
// issues two ymm shuffles per cycle and one zmm shuffle, and, paired in alternated
// processes, the float32 forwards ran 1.03-1.07x as fast as through 16 x 16 zmm
// transposes. The float64 packers keep the 8 x 8 zmm transpose (their ymm one ran
// 0.97-0.99x). The batch-1 input gradient runs the AVX2 file's ymm dot products, whose
// lanes decide its order of additions. Both paths fuse every multiply-add and block K
// identically (gemm_driver.hpp), so they give the same bits.
#include <immintrin.h>

#include <cmath>
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
    static constexpr bool kMasked = true;
    static V load(const T* p) { return _mm512_loadu_ps(p); }
    static void store(T* p, V v) { _mm512_storeu_ps(p, v); }
    static V set1(T x) { return _mm512_set1_ps(x); }
    static V zero() { return _mm512_setzero_ps(); }
    static V madd(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
    static V mul(V a, V b) { return _mm512_mul_ps(a, b); }
    static V add(V a, V b) { return _mm512_add_ps(a, b); }
    // Half vectors: ymm instructions on the zmm registers' low halves (the casts are
    // free), one 256-bit FMA unit each on Zen 4 where a zmm FMA takes two. The
    // multiply-add broadcasts b from memory itself ({1to4} / {1to8}): given the full
    // vector's broadcast register instead, GCC copied registers every step (the
    // 10-class float64 forward ran 1.07-1.17x as fast this way, paired in alternated
    // processes).
    static constexpr bool kPair = false;
    static constexpr bool kHalf = true;
    static V load_half(const T* p) {
        return _mm512_zextps256_ps512(_mm256_loadu_ps(p));
    }
    static V madd_half_set1(V a, const T* b, V c) {
        asm("" : "+r"(b));  // an opaque pointer: *b is loaded here, not shared
        return _mm512_zextps256_ps512(_mm256_fmadd_ps(
            _mm512_castps512_ps256(a), _mm256_set1_ps(*b), _mm512_castps512_ps256(c)));
    }
    // The first n <= 16 lanes (the rest zero / untouched): masked-out lanes are never
    // accessed, so they may lie past the end of an array.
    static __mmask16 mask(int n) { return static_cast<__mmask16>((1u << n) - 1u); }
    static V load_n(const T* p, int n) { return _mm512_maskz_loadu_ps(mask(n), p); }
    static void store_n(T* p, V v, int n) { _mm512_mask_storeu_ps(p, mask(n), v); }
};

struct OpsF64 {
    using T = double;
    using V = __m512d;
    static constexpr int L = 8;
    static constexpr bool kMasked = true;
    static V load(const T* p) { return _mm512_loadu_pd(p); }
    static void store(T* p, V v) { _mm512_storeu_pd(p, v); }
    static V set1(T x) { return _mm512_set1_pd(x); }
    static V zero() { return _mm512_setzero_pd(); }
    static V madd(V a, V b, V c) { return _mm512_fmadd_pd(a, b, c); }
    static V mul(V a, V b) { return _mm512_mul_pd(a, b); }
    static V add(V a, V b) { return _mm512_add_pd(a, b); }
    // Pairs (tile_impl.hpp, one_and_pair): B's two values meet in one ymm through two
    // vmovddup loads and a vinsertf128; with two vbroadcastsd and a vblendpd the
    // 10-class forward ran 0.92x as fast, with the zmm broadcasts' low halves 0.82x.
    // Against 12 lanes: 1.10-1.15x at batch 128-512, 1.23x at 48 (with the edge read
    // in place, gemm.cpp rows_in_place; paired in alternated processes, one thread).
    static constexpr bool kPair = true;
    using P = __m256d;
    static P load_pair(const T* p) {
        return _mm256_broadcast_pd(reinterpret_cast<const __m128d*>(p));
    }
    static P madd_pair(P a2, const T* b0, const T* b1, P c) {
        asm("" : "+r"(b0), "+r"(b1));
        const __m256d b = _mm256_insertf128_pd(
            _mm256_castpd128_pd256(_mm_loaddup_pd(b0)), _mm_loaddup_pd(b1), 1);
        return _mm256_fmadd_pd(a2, b, c);
    }
    static P pair_join(V lo, V hi) {
        return _mm256_insertf128_pd(_mm512_castpd512_pd256(lo),
                                    _mm512_castpd512_pd128(hi), 1);
    }
    static V pair_low(P p) { return _mm512_castpd256_pd512(p); }
    static V pair_high(P p) {
        return _mm512_castpd128_pd512(_mm256_extractf128_pd(p, 1));
    }
    static constexpr bool kHalf = true;
    static V load_half(const T* p) {
        return _mm512_zextpd256_pd512(_mm256_loadu_pd(p));
    }
    static V madd_half_set1(V a, const T* b, V c) {
        asm("" : "+r"(b));  // an opaque pointer: *b is loaded here, not shared
        return _mm512_zextpd256_pd512(_mm256_fmadd_pd(
            _mm512_castpd512_pd256(a), _mm256_set1_pd(*b), _mm512_castpd512_pd256(c)));
    }
    // The first n <= 8 lanes (the rest zero / untouched); masked-out lanes are never
    // accessed.
    static __mmask8 mask(int n) { return static_cast<__mmask8>((1u << n) - 1u); }
    static V load_n(const T* p, int n) { return _mm512_maskz_loadu_pd(mask(n), p); }
    static void store_n(T* p, V v, int n) { _mm512_mask_storeu_pd(p, mask(n), v); }
    // col[q] (lane i) = a[i * lda + q] for an 8 x 8 block: interleave row pairs inside
    // each 128-bit lane, then gather each column's four 128-bit lanes across the row
    // pairs with shuffle_f64x2. Only the first `rows` rows are read.
    static void load_transposed(const T* a, index_t lda, V (&col)[8], int rows = 8) {
        V t[8];  // t[2m + j], 128-bit lane l: column 2l + j of rows 2m, 2m + 1
        for (int m = 0; m < 4; ++m) {
            const V r0 = load(a + (2 * m < rows ? 2 * m : rows - 1) * lda);
            const V r1 = load(a + (2 * m + 1 < rows ? 2 * m + 1 : rows - 1) * lda);
            t[2 * m] = _mm512_unpacklo_pd(r0, r1);
            t[2 * m + 1] = _mm512_unpackhi_pd(r0, r1);
        }
        for (int j = 0; j < 2; ++j) {
            const V v1 = _mm512_shuffle_f64x2(t[j], t[2 + j], 0x88);
            const V v2 = _mm512_shuffle_f64x2(t[j], t[2 + j], 0xDD);
            const V v3 = _mm512_shuffle_f64x2(t[4 + j], t[6 + j], 0x88);
            const V v4 = _mm512_shuffle_f64x2(t[4 + j], t[6 + j], 0xDD);
            col[j] = _mm512_shuffle_f64x2(v1, v3, 0x88);
            col[2 + j] = _mm512_shuffle_f64x2(v2, v4, 0x88);
            col[4 + j] = _mm512_shuffle_f64x2(v1, v3, 0xDD);
            col[6 + j] = _mm512_shuffle_f64x2(v2, v4, 0xDD);
        }
    }
};

#include "pack_impl.hpp"
#include "scan_impl.hpp"
#include "tile_impl.hpp"
#include "update_impl.hpp"

namespace ymm {
#include "ymm_ops.hpp"
}  // namespace ymm

double probe_f32(long iters, float* sink) { return fma_probe<OpsF32>(iters, sink); }
double probe_f64(long iters, double* sink) { return fma_probe<OpsF64>(iters, sink); }

const KernelTable kTable = {
    "avx512",
    {32, 6, tile_row_step<OpsF32>(), tile_unpadded_rows<OpsF32>(), 384, 4080,
     MLPCORE_TILES6(OpsF32), &pack_a_kmajor<ymm::OpsF32, 32>,
     &pack_b_kmajor<ymm::OpsF32, 6>, 128, &tall_kernel<OpsF32, 8>, 8,
     &dot_rows_kernel<ymm::OpsF32, 8>, &gemv_rows_or_regs<OpsF32>,
     &rank1_kernel<OpsF32>},
    {16, 6, tile_row_step<OpsF64>(), tile_unpadded_rows<OpsF64>(), 256, 2040,
     MLPCORE_TILES6(OpsF64), &pack_a_kmajor<OpsF64>, &pack_b_kmajor<OpsF64, 6>, 64,
     &tall_kernel<OpsF64, 8>, 8, &dot_rows_kernel<ymm::OpsF64, 8>,
     &gemv_rows_or_regs<OpsF64>, &rank1_kernel<OpsF64>},
    &probe_f32,
    &probe_f64,
    &max_magnitude_bits<float, std::int32_t>,
    &max_magnitude_bits<double, std::int64_t>,
    MLPCORE_UPDATE_KERNELS(float),
    MLPCORE_UPDATE_KERNELS(double),
};

}  // namespace
}  // namespace mlpcore::kernels::avx512

extern "C" const mlpcore::kernels::KernelTable* mlpcore_kernels_avx512() {
    return &mlpcore::kernels::avx512::kTable;
}
