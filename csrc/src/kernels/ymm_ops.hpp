// The AVX2 vector operations (ymm: 8 float32 / 4 float64 lanes) for tile_impl.hpp and
// pack_impl.hpp (no include guard on purpose): included inside avx2.cpp's namespace,
// and inside avx512.cpp's (as ymm::OpsF32 / OpsF64) for its float32 packers and its
// batch-1 input-gradient dot products (the same lanes on both ISAs: the same sums).

struct OpsF32 {
    using T = float;
    using V = __m256;
    static constexpr int L = 8;
    static constexpr bool kMasked = true;
    static constexpr bool kHalf = false;
    static constexpr bool kPair = false;
    static V load(const T* p) { return _mm256_loadu_ps(p); }
    static void store(T* p, V v) { _mm256_storeu_ps(p, v); }
    static V set1(T x) { return _mm256_set1_ps(x); }
    static V zero() { return _mm256_setzero_ps(); }
    static V madd(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
    static V mul(V a, V b) { return _mm256_mul_ps(a, b); }
    static V add(V a, V b) { return _mm256_add_ps(a, b); }
    // The first n < 8 lanes (the rest zero / untouched); masked lanes are never
    // accessed.
    static __m256i mask(int n) {
        return _mm256_cmpgt_epi32(_mm256_set1_epi32(n),
                                  _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    }
    static V load_n(const T* p, int n) { return _mm256_maskload_ps(p, mask(n)); }
    static void store_n(T* p, V v, int n) { _mm256_maskstore_ps(p, mask(n), v); }
    // Lane i < 8 = the sum of v[i]'s lanes as ((l0 + l1) + (l2 + l3)) + ((l4 + l5) +
    // (l6 + l7)).
    static V sum_lanes(const V* v) {
        const V h0 = _mm256_hadd_ps(v[0], v[1]), h1 = _mm256_hadd_ps(v[2], v[3]);
        const V h2 = _mm256_hadd_ps(v[4], v[5]), h3 = _mm256_hadd_ps(v[6], v[7]);
        const V g0 = _mm256_hadd_ps(h0, h1), g1 = _mm256_hadd_ps(h2, h3);
        return _mm256_add_ps(_mm256_permute2f128_ps(g0, g1, 0x20),
                             _mm256_permute2f128_ps(g0, g1, 0x31));
    }
    // col[q] (lane i) = a[i * lda + q] for an 8 x 8 block: 128-bit halves of rows i
    // and i + 4 share a register, so two in-lane 4 x 4 transposes finish the job. Only
    // the first `rows` rows are read (lanes past them repeat the last row).
    static void load_transposed(const T* a, index_t lda, V (&col)[8], int rows = 8) {
        V r[8];
        const auto row = [&](int i) { return a + (i < rows ? i : rows - 1) * lda; };
        for (int i = 0; i < 4; ++i) {
            const T* lo = row(i);
            const T* hi = row(i + 4);
            r[i] = _mm256_insertf128_ps(_mm256_castps128_ps256(_mm_loadu_ps(lo)),
                                        _mm_loadu_ps(hi), 1);
            r[i + 4] = _mm256_insertf128_ps(
                _mm256_castps128_ps256(_mm_loadu_ps(lo + 4)), _mm_loadu_ps(hi + 4), 1);
        }
        for (int h = 0; h < 8; h += 4) {
            const V t0 = _mm256_unpacklo_ps(r[h], r[h + 1]);
            const V t1 = _mm256_unpackhi_ps(r[h], r[h + 1]);
            const V t2 = _mm256_unpacklo_ps(r[h + 2], r[h + 3]);
            const V t3 = _mm256_unpackhi_ps(r[h + 2], r[h + 3]);
            col[h] = _mm256_shuffle_ps(t0, t2, 0x44);
            col[h + 1] = _mm256_shuffle_ps(t0, t2, 0xEE);
            col[h + 2] = _mm256_shuffle_ps(t1, t3, 0x44);
            col[h + 3] = _mm256_shuffle_ps(t1, t3, 0xEE);
        }
    }
};

struct OpsF64 {
    using T = double;
    using V = __m256d;
    static constexpr int L = 4;
    static constexpr bool kMasked = true;
    static constexpr bool kHalf = false;
    static constexpr bool kPair = false;
    static V load(const T* p) { return _mm256_loadu_pd(p); }
    static void store(T* p, V v) { _mm256_storeu_pd(p, v); }
    static V set1(T x) { return _mm256_set1_pd(x); }
    static V zero() { return _mm256_setzero_pd(); }
    static V madd(V a, V b, V c) { return _mm256_fmadd_pd(a, b, c); }
    static V mul(V a, V b) { return _mm256_mul_pd(a, b); }
    static V add(V a, V b) { return _mm256_add_pd(a, b); }
    // The first n < 4 lanes (the rest zero / untouched); masked lanes are never
    // accessed.
    static __m256i mask(int n) {
        return _mm256_cmpgt_epi64(_mm256_set1_epi64x(n),
                                  _mm256_setr_epi64x(0, 1, 2, 3));
    }
    static V load_n(const T* p, int n) { return _mm256_maskload_pd(p, mask(n)); }
    static void store_n(T* p, V v, int n) { _mm256_maskstore_pd(p, mask(n), v); }
    // Lane i < 4 = the sum of v[i]'s lanes as (l0 + l1) + (l2 + l3).
    static V sum_lanes(const V* v) {
        const V h0 = _mm256_hadd_pd(v[0], v[1]), h1 = _mm256_hadd_pd(v[2], v[3]);
        return _mm256_add_pd(_mm256_permute2f128_pd(h0, h1, 0x20),
                             _mm256_permute2f128_pd(h0, h1, 0x31));
    }
    // col[q] (lane i) = a[i * lda + q] for a 4 x 4 block: 128-bit halves of rows i
    // and i + 2 share a register, so in-lane unpacks finish the job. Only the first
    // `rows` rows are read (lanes past them repeat the last row).
    static void load_transposed(const T* a, index_t lda, V (&col)[4], int rows = 4) {
        V r[4];
        const auto row = [&](int i) { return a + (i < rows ? i : rows - 1) * lda; };
        for (int i = 0; i < 2; ++i) {
            const T* lo = row(i);
            const T* hi = row(i + 2);
            r[i] = _mm256_insertf128_pd(_mm256_castpd128_pd256(_mm_loadu_pd(lo)),
                                        _mm_loadu_pd(hi), 1);
            r[i + 2] = _mm256_insertf128_pd(
                _mm256_castpd128_pd256(_mm_loadu_pd(lo + 2)), _mm_loadu_pd(hi + 2), 1);
        }
        col[0] = _mm256_unpacklo_pd(r[0], r[1]);
        col[1] = _mm256_unpackhi_pd(r[0], r[1]);
        col[2] = _mm256_unpacklo_pd(r[2], r[3]);
        col[3] = _mm256_unpackhi_pd(r[2], r[3]);
    }
};
