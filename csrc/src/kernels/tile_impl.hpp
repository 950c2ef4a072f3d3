// The micro-kernel template shared by every ISA file (no include guard on purpose).
//
// Included by generic.cpp, avx2.cpp and avx512.cpp *inside* their own anonymous
// namespace, after they define a vector-operations struct `Ops` with:
//   using T, V; static constexpr int L (lanes);
//   V load(const T*), void store(T*, V) (unaligned), V set1(T), V zero(),
//   V madd(V a, V b, V c) = a * b + c (fused on FMA ISAs), V mul(V, V), V add(V, V),
//   bool kMasked: whether V load_n(const T*, int n) / store_n(T*, V, int n) exist
//   (the first n <= L lanes; the others are never accessed); bool kHalf: whether
//   V load_half(const T*) (the first L / 2 lanes; the others unspecified) and
//   V madd_half_set1(V a, const T* b, V c) (a * b + c on the first L / 2 lanes with
//   *b broadcast, cheaper than a full madd; the others unspecified) exist; bool kPair:
//   whether a half-width vector type P and P load_pair(const T* a) ({a0, a1, a0,
//   a1}), P madd_pair(P a, const T* b0, const T* b1, P c) (c + a * {b0, b0, b1, b1}),
//   P pair_join(V lo, V hi) ({lo0, lo1, hi0, hi1}), V pair_low(P) and V pair_high(P)
//   (lanes 0-1 and 2-3 of P as lanes 0-1 of V, the others unspecified) exist; and,
//   where dot_rows_kernel is instantiated, V sum_lanes(const V* v) (lane i = the sum
//   of v[i]'s lanes for i < L, in a fixed order).
// Every instantiation therefore has internal linkage in an ISA-specific namespace: no
// symbol compiled with wide-ISA flags can be merged into baseline code (KERNELS.md
// §3.3). Includes nothing and uses no STL.

#define MLPCORE_FORCE_INLINE inline __attribute__((always_inline))

// The vectors of a 2-vector tile's rows that the multiply-adds cover: half = the low
// half of the first, one_and_half = the first and the low half of the second (Ops with
// kHalf: a half-width multiply-add costs half a full one's issue slots, as on Zen 4's
// 256-bit units running 512-bit vectors).
// one_and_pair = the first and two rows of the second (Ops with kPair: those two rows
// of two columns in one half-width multiply-add).
enum class TileRows { half, one, one_and_half, one_and_pair, two };

// The k loop of tile_kernel: c0 / c1 (NC accumulators each) += A's rows times B's
// broadcast values for p < kc. Lanes outside the covered rows keep unspecified values;
// each covered lane is the same sequential multiply-add chain whatever the coverage.
template <class Ops, int NC, TileRows R>
MLPCORE_FORCE_INLINE void tile_sums(const TileArgs<typename Ops::T>& t,
                                    typename Ops::V (&c0)[NC],
                                    typename Ops::V (&c1)[NC]) {
    using T = typename Ops::T;
    using V = typename Ops::V;
    constexpr int L = Ops::L;
    const T* a = t.a;
    const T* b = t.b;
    const index_t lda = t.lda, rsb = t.rsb;
    index_t boff[NC];
#pragma GCC unroll 16
    for (int j = 0; j < NC; ++j) boff[j] = j * t.csb;
    if constexpr (R == TileRows::one_and_pair) {
        // Rows L and L + 1 of columns j and j + 1 share one half-width vector (an odd
        // last column pairs with itself): 1.25 full multiply-adds per column instead of
        // 1.5. Each lane is still one row's own chain over p.
        constexpr int NP = (NC + 1) / 2;
        typename Ops::P pr[NP];
#pragma GCC unroll 16
        for (int q = 0; q < NP; ++q)
            pr[q] = Ops::pair_join(c1[2 * q], c1[2 * q + 1 < NC ? 2 * q + 1 : 2 * q]);
        const index_t kc = t.kc;
#pragma GCC unroll 4
        for (index_t p = 0; p < kc; ++p) {
            const V a0 = Ops::load(a);
            const auto a2 = Ops::load_pair(a + L);
#pragma GCC unroll 16
            for (int q = 0; q < NP; ++q) {
                const T* b0 = b + boff[2 * q];
                const T* b1 = 2 * q + 1 < NC ? b + boff[2 * q + 1] : b0;
                c0[2 * q] = Ops::madd(a0, Ops::set1(*b0), c0[2 * q]);
                if (2 * q + 1 < NC)
                    c0[2 * q + 1] = Ops::madd(a0, Ops::set1(*b1), c0[2 * q + 1]);
                pr[q] = Ops::madd_pair(a2, b0, b1, pr[q]);
            }
            a += lda;
            b += rsb;
        }
#pragma GCC unroll 16
        for (int q = 0; q < NP; ++q) {
            c1[2 * q] = Ops::pair_low(pr[q]);
            if (2 * q + 1 < NC) c1[2 * q + 1] = Ops::pair_high(pr[q]);
        }
        return;
    }
#pragma GCC unroll 4
    for (index_t p = 0; p < t.kc; ++p) {
        V a0, a1;
        if constexpr (R == TileRows::half) {
            a0 = Ops::load_half(a);
        } else {
            a0 = Ops::load(a);
        }
        if constexpr (R == TileRows::one_and_half) a1 = Ops::load_half(a + L);
        if constexpr (R == TileRows::two) a1 = Ops::load(a + L);
#pragma GCC unroll 16
        for (int j = 0; j < NC; ++j) {
            const T* bj = b + boff[j];
            if constexpr (R == TileRows::half) {
                c0[j] = Ops::madd_half_set1(a0, bj, c0[j]);
            } else {
                const V vb = Ops::set1(*bj);
                c0[j] = Ops::madd(a0, vb, c0[j]);
                if constexpr (R == TileRows::one_and_half)
                    c1[j] = Ops::madd_half_set1(a1, bj, c1[j]);
                if constexpr (R == TileRows::two) c1[j] = Ops::madd(a1, vb, c1[j]);
            }
        }
        a += lda;
        b += rsb;
    }
}

// The MR x NC tile (MR = 2 vectors) described by TileArgs in kernel_table.hpp, for a
// B micro-panel NR wide (NC <= NR columns computed: narrow products such as batch 1
// do not pay for the padding). The accumulators are 2 x NC vectors; every loop over
// them is fully unrolled so that they live in registers (objdump shows no stack
// traffic in the k loop).
template <class Ops, int NR, int NC>
void tile_kernel(const TileArgs<typename Ops::T>* args) {
    using T = typename Ops::T;
    using V = typename Ops::V;
    constexpr int L = Ops::L;
    constexpr int MR = 2 * L;
    const TileArgs<T>& t = *args;
    const bool full = t.m == MR && t.n == NC;

    V c0[NC], c1[NC];
    alignas(64) T buf[MR * NC];
    if (t.part == nullptr) {
#pragma GCC unroll 16
        for (int j = 0; j < NC; ++j) c0[j] = c1[j] = Ops::zero();
    } else if (full && t.rsp == 1) {
#pragma GCC unroll 16
        for (int j = 0; j < NC; ++j) {
            c0[j] = Ops::load(t.part + j * t.csp);
            c1[j] = Ops::load(t.part + j * t.csp + L);
        }
    } else {
        for (int q = 0; q < MR * NC; ++q) buf[q] = T(0);
        for (index_t j = 0; j < t.n; ++j)
            for (index_t i = 0; i < t.m; ++i)
                buf[i + j * MR] = t.part[i * t.rsp + j * t.csp];
#pragma GCC unroll 16
        for (int j = 0; j < NC; ++j) {
            c0[j] = Ops::load(buf + j * MR);
            c1[j] = Ops::load(buf + j * MR + L);
        }
    }

    // Rows past m need no multiply-add: an edge tile (e.g. 10 classes on the vector
    // side) runs only the vectors its rows reach.
    if constexpr (Ops::kHalf) {
        if (t.m <= L / 2) {
            tile_sums<Ops, NC, TileRows::half>(t, c0, c1);
        } else if (t.m <= L) {
            tile_sums<Ops, NC, TileRows::one>(t, c0, c1);
        } else if (Ops::kPair && t.m <= L + 2) {
            if constexpr (Ops::kPair)
                tile_sums<Ops, NC, TileRows::one_and_pair>(t, c0, c1);
        } else if (t.m <= L + L / 2) {
            tile_sums<Ops, NC, TileRows::one_and_half>(t, c0, c1);
        } else {
            tile_sums<Ops, NC, TileRows::two>(t, c0, c1);
        }
    } else if (t.m <= L) {
        tile_sums<Ops, NC, TileRows::one>(t, c0, c1);
    } else {
        tile_sums<Ops, NC, TileRows::two>(t, c0, c1);
    }

    const V va = Ops::set1(t.alpha);
    const bool scale = t.final && t.alpha != T(1);
    if (full && t.rsc == 1) {
        const bool add_c = t.final && t.beta != T(0);
        const V vb = Ops::set1(t.beta);
#pragma GCC unroll 16
        for (int j = 0; j < NC; ++j) {
            T* cj = t.c + j * t.csc;
            V r0 = scale ? Ops::mul(va, c0[j]) : c0[j];
            V r1 = scale ? Ops::mul(va, c1[j]) : c1[j];
            if (add_c) {
                r0 = Ops::add(r0, Ops::mul(vb, Ops::load(cj)));
                r1 = Ops::add(r1, Ops::mul(vb, Ops::load(cj + L)));
            }
            Ops::store(cj, r0);
            Ops::store(cj + L, r1);
        }
        return;
    }
    if constexpr (Ops::kMasked) {
        if (t.rsc == 1) {  // a short M edge (e.g. 10 classes): masked rows, no buffer
            const bool add_c = t.final && t.beta != T(0);
            const V vb = Ops::set1(t.beta);
            const int w0 = t.m < L ? static_cast<int>(t.m) : L;
            const int w1 = static_cast<int>(t.m) - w0;
#pragma GCC unroll 16
            for (int j = 0; j < NC; ++j) {
                if (j >= t.n) break;
                T* cj = t.c + j * t.csc;
                V r0 = scale ? Ops::mul(va, c0[j]) : c0[j];
                if (add_c) r0 = Ops::add(r0, Ops::mul(vb, Ops::load_n(cj, w0)));
                Ops::store_n(cj, r0, w0);
                if (w1 > 0) {
                    V r1 = scale ? Ops::mul(va, c1[j]) : c1[j];
                    if (add_c) r1 = Ops::add(r1, Ops::mul(vb, Ops::load_n(cj + L, w1)));
                    Ops::store_n(cj + L, r1, w1);
                }
            }
            return;
        }
    }
#pragma GCC unroll 16
    for (int j = 0; j < NC; ++j) {
        Ops::store(buf + j * MR, c0[j]);
        Ops::store(buf + j * MR + L, c1[j]);
    }
    for (index_t j = 0; j < t.n; ++j) {
        for (index_t i = 0; i < t.m; ++i) {
            T* dst = t.c + i * t.rsc + j * t.csc;
            T s = buf[i + j * MR];
            if (scale) s = t.alpha * s;
            if (t.final && t.beta != T(0)) s = s + t.beta * *dst;
            *dst = s;
        }
    }
}

// The accumulators of one C column of MV vectors (the matrix-vector kernels below):
// the partial sums P, or zero.
template <class Ops, int MV>
MLPCORE_FORCE_INLINE void load_column(const TileArgs<typename Ops::T>& t,
                                      typename Ops::V (&c)[MV]) {
    using T = typename Ops::T;
    constexpr int MR = MV * Ops::L;
    if (t.part == nullptr) {
#pragma GCC unroll 16
        for (int v = 0; v < MV; ++v) c[v] = Ops::zero();
    } else if (t.m == MR && t.rsp == 1) {
#pragma GCC unroll 16
        for (int v = 0; v < MV; ++v) c[v] = Ops::load(t.part + v * Ops::L);
    } else {
        alignas(64) T buf[MR];
        for (int q = 0; q < MR; ++q) buf[q] = T(0);
        for (index_t i = 0; i < t.m; ++i) buf[i] = t.part[i * t.rsp];
#pragma GCC unroll 16
        for (int v = 0; v < MV; ++v) c[v] = Ops::load(buf + v * Ops::L);
    }
}

// Stores the first m sums of one C column (alpha, beta applied when final).
template <class Ops, int MV>
MLPCORE_FORCE_INLINE void store_column(const TileArgs<typename Ops::T>& t,
                                       const typename Ops::V (&c)[MV]) {
    using T = typename Ops::T;
    using V = typename Ops::V;
    constexpr int L = Ops::L;
    constexpr int MR = MV * L;
    const bool scale = t.final && t.alpha != T(1);
    const bool add_c = t.final && t.beta != T(0);
    if (t.m == MR && t.rsc == 1) {
        const V va = Ops::set1(t.alpha), vb = Ops::set1(t.beta);
#pragma GCC unroll 16
        for (int v = 0; v < MV; ++v) {
            V r = scale ? Ops::mul(va, c[v]) : c[v];
            if (add_c) r = Ops::add(r, Ops::mul(vb, Ops::load(t.c + v * L)));
            Ops::store(t.c + v * L, r);
        }
        return;
    }
    alignas(64) T buf[MR];
#pragma GCC unroll 16
    for (int v = 0; v < MV; ++v) Ops::store(buf + v * L, c[v]);
    for (index_t i = 0; i < t.m; ++i) {
        T* dst = t.c + i * t.rsc;
        T s = buf[i];
        if (scale) s = t.alpha * s;
        if (add_c) s = s + t.beta * *dst;
        *dst = s;
    }
}

// One column of MV vectors (the matrix-vector case): MV independent chains.
template <class Ops, int MV>
void tall_kernel(const TileArgs<typename Ops::T>* args) {
    using T = typename Ops::T;
    using V = typename Ops::V;
    constexpr int L = Ops::L;
    const TileArgs<T>& t = *args;
    V c[MV];
    load_column<Ops, MV>(t, c);
    const T* a = t.a;
    const T* b = t.b;
#pragma GCC unroll 2
    for (index_t p = 0; p < t.kc; ++p) {
        const V bj = Ops::set1(*b);
#pragma GCC unroll 16
        for (int v = 0; v < MV; ++v) c[v] = Ops::madd(Ops::load(a + v * L), bj, c[v]);
        a += t.lda;
        b += t.rsb;
    }
    store_column<Ops, MV>(t, c);
}

// Dot products of up to R rows of an A stored along K (A(i, p) = a[i * lda + p], i < m
// <= R) with a contiguous B column (rsb == 1), all of K: the input-gradient product
// dX = dY W^T at batch 1, reading W's rows where they stand. Each row's sum runs as L
// interleaved chains (lane l takes p = l, l + L, ...; a short tail's lanes read zero)
// whose lanes are then added in a fixed tree (Ops::sum_lanes): the same order for
// every ISA that instantiates this with the same vectors, whatever rows a thread gets.
template <class Ops, int R>
void dot_rows_kernel(const TileArgs<typename Ops::T>* args) {
    using T = typename Ops::T;
    using V = typename Ops::V;
    constexpr int L = Ops::L;
    static_assert(R % L == 0, "rows are reduced L at a time");
    const TileArgs<T>& t = *args;
    const T* b = t.b;
    const index_t kc = t.kc;
    const T* row[R];
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) row[r] = t.a + (r < t.m ? r : t.m - 1) * t.lda;
    V acc[R];
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) acc[r] = Ops::zero();
    index_t p = 0;
    for (; p + L <= kc; p += L) {
        const V bp = Ops::load(b + p);
#pragma GCC unroll 16
        for (int r = 0; r < R; ++r)
            acc[r] = Ops::madd(Ops::load(row[r] + p), bp, acc[r]);
    }
    if (p < kc) {
        const int w = static_cast<int>(kc - p);
        const V bp = Ops::load_n(b + p, w);
#pragma GCC unroll 16
        for (int r = 0; r < R; ++r)
            acc[r] = Ops::madd(Ops::load_n(row[r] + p, w), bp, acc[r]);
    }
    V sums[R / L];
#pragma GCC unroll 16
    for (int g = 0; g < R / L; ++g) sums[g] = Ops::sum_lanes(acc + g * L);
    store_column<Ops, R / L>(t, sums);
}

// y[i] += sum_{p < kc} a[i + p * lda] * b[p * rsb] for i < m (Ops with masked
// load_n/store_n): the matrix-vector product with A contiguous along M, z = x W at
// batch 1. A is streamed row by row, P rows per pass over y (short, in L1), and every
// y[i] receives its multiply-adds in order of p: one sequential chain per element as
// in the tile kernels, with y holding the exact partial sums between passes.
template <class Ops, int P>
void gemv_rows(const typename Ops::T* a, index_t lda, const typename Ops::T* b,
               index_t rsb, index_t m, index_t kc, typename Ops::T* y) {
    using V = typename Ops::V;
    constexpr int L = Ops::L;
    index_t p = 0;
    for (; p + P <= kc; p += P) {
        V bq[P];
        const typename Ops::T* aq[P];
#pragma GCC unroll 16
        for (int q = 0; q < P; ++q) {
            bq[q] = Ops::set1(b[(p + q) * rsb]);
            aq[q] = a + (p + q) * lda;
        }
        index_t i = 0;
        for (; i + 2 * L <= m; i += 2 * L) {
            V y0 = Ops::load(y + i), y1 = Ops::load(y + i + L);
#pragma GCC unroll 16
            for (int q = 0; q < P; ++q) {
                y0 = Ops::madd(Ops::load(aq[q] + i), bq[q], y0);
                y1 = Ops::madd(Ops::load(aq[q] + i + L), bq[q], y1);
            }
            Ops::store(y + i, y0);
            Ops::store(y + i + L, y1);
        }
        for (; i < m; i += L) {
            const int w = m - i < L ? static_cast<int>(m - i) : L;
            V y0 = Ops::load_n(y + i, w);
#pragma GCC unroll 16
            for (int q = 0; q < P; ++q)
                y0 = Ops::madd(Ops::load_n(aq[q] + i, w), bq[q], y0);
            Ops::store_n(y + i, y0, w);
        }
    }
    for (; p < kc; ++p) {
        const V bp = Ops::set1(b[p * rsb]);
        const typename Ops::T* ap = a + p * lda;
        for (index_t i = 0; i < m; i += L) {
            const int w = m - i < L ? static_cast<int>(m - i) : L;
            Ops::store_n(
                y + i, Ops::madd(Ops::load_n(ap + i, w), bp, Ops::load_n(y + i, w)), w);
        }
    }
}

// gemv_rows with 8 rows of A per pass (fewer passes over y), or 4 where those rows are
// a whole number of 4 KiB apart: 8 streams would then share one L1 set. Paired on Zen 4
// (1 thread) against the fixed 4 (float64) / 8 (float32) it replaced: float64 784 x
// 256, 512 x 384 and 784 x 1000 1.08-1.11x (AVX-512) and 1.05-1.11x (AVX2), float32 784
// x 1024 1.10x (AVX-512); aliased float64 and the other float32 shapes within 3 %.
template <class Ops>
void gemv_rows_streams(const typename Ops::T* a, index_t lda, const typename Ops::T* b,
                       index_t rsb, index_t m, index_t kc, typename Ops::T* y) {
    if ((lda * static_cast<index_t>(sizeof(typename Ops::T))) % kL1SetBytes == 0) {
        gemv_rows<Ops, 4>(a, lda, b, rsb, m, kc, y);
    } else {
        gemv_rows<Ops, 8>(a, lda, b, rsb, m, kc, y);
    }
}

// y[i] += sum_{p < kc} a[i + p * lda] * b[p * rsb] for the NV * L rows of one block of
// y held in registers (the last vector `tail` <= L lanes wide unless kFull; Ops with
// masked load_n / store_n), A streamed past row by row. Each y[i] receives its
// multiply-adds in order of p, as in every other kernel.
template <class Ops, int NV, bool kFull>
void gemv_block(const typename Ops::T* a, index_t lda, const typename Ops::T* b,
                index_t rsb, index_t kc, int tail, typename Ops::T* y) {
    using V = typename Ops::V;
    constexpr int L = Ops::L;
    V acc[NV];
#pragma GCC unroll 32
    for (int v = 0; v < NV; ++v)
        acc[v] =
            kFull || v + 1 < NV ? Ops::load(y + v * L) : Ops::load_n(y + v * L, tail);
    for (index_t p = 0; p < kc; ++p) {
        const V bp = Ops::set1(b[p * rsb]);
        const typename Ops::T* ap = a + p * lda;
#pragma GCC unroll 32
        for (int v = 0; v < NV; ++v) {
            const V av = kFull || v + 1 < NV ? Ops::load(ap + v * L)
                                             : Ops::load_n(ap + v * L, tail);
            acc[v] = Ops::madd(av, bp, acc[v]);
        }
    }
#pragma GCC unroll 32
    for (int v = 0; v < NV; ++v) {
        if (kFull || v + 1 < NV) {
            Ops::store(y + v * L, acc[v]);
        } else {
            Ops::store_n(y + v * L, acc[v], tail);
        }
    }
}

// gemv_rows' contract for the ISAs with registers for 16 vectors of y: a y of at most
// 16 vectors (256 float32 outputs with AVX-512, or one thread's part of a wider layer)
// stays in registers while A streams past in memory order; a longer one takes
// gemv_rows_streams' passes (register blocks would read every row of A in pieces, once
// per block). Paired against gemv_rows alone (Zen 4): 784 x 128-256 float32 and float64
// on 2 threads 1.1-2.1x, 256 x 128 and 128 x 10 on 1 thread 1.0-1.25x; 1 thread with
// 512-1000 outputs (where the passes stay) 0.86-0.94x in blocks.
template <class Ops>
void gemv_rows_or_regs(const typename Ops::T* a, index_t lda, const typename Ops::T* b,
                       index_t rsb, index_t m, index_t kc, typename Ops::T* y) {
    using T = typename Ops::T;
    using Block = void (*)(const T*, index_t, const T*, index_t, index_t, int, T*);
    constexpr int L = Ops::L;
    constexpr int NV = 16;  // y vectors held in registers, at most
    if (m > NV * L) {
        gemv_rows_streams<Ops>(a, lda, b, rsb, m, kc, y);
        return;
    }
    if (m == NV * L) {
        gemv_block<Ops, NV, true>(a, lda, b, rsb, kc, L, y);
        return;
    }
    static constexpr Block kBlocks[] = {
        nullptr,
        &gemv_block<Ops, 1, false>,
        &gemv_block<Ops, 2, false>,
        &gemv_block<Ops, 3, false>,
        &gemv_block<Ops, 4, false>,
        &gemv_block<Ops, 5, false>,
        &gemv_block<Ops, 6, false>,
        &gemv_block<Ops, 7, false>,
        &gemv_block<Ops, 8, false>,
        &gemv_block<Ops, 9, false>,
        &gemv_block<Ops, 10, false>,
        &gemv_block<Ops, 11, false>,
        &gemv_block<Ops, 12, false>,
        &gemv_block<Ops, 13, false>,
        &gemv_block<Ops, 14, false>,
        &gemv_block<Ops, 15, false>,
        &gemv_block<Ops, 16, false>,
    };
    const int nv = static_cast<int>((m + L - 1) / L);
    kBlocks[nv](a, lda, b, rsb, kc, static_cast<int>(m - (nv - 1) * L), y);
}

// FMA-throughput probe: 12 independent dependency chains (enough to cover latency x
// issue width on current cores), `iters` rounds. Returns the flops performed.
template <class Ops>
double fma_probe(long iters, typename Ops::T* sink) {
    using T = typename Ops::T;
    using V = typename Ops::V;
    constexpr int kChains = 12;
    V x[kChains];
#pragma GCC unroll 16
    for (int q = 0; q < kChains; ++q) x[q] = Ops::set1(T(1) + T(q) / T(64));
    const V m = Ops::set1(T(0.999999));
    const V c = Ops::set1(T(1e-6));
    for (long it = 0; it < iters; ++it) {
#pragma GCC unroll 16
        for (int q = 0; q < kChains; ++q) x[q] = Ops::madd(x[q], m, c);
    }
    V s = x[0];
#pragma GCC unroll 16
    for (int q = 1; q < kChains; ++q) s = Ops::add(s, x[q]);
    alignas(64) T lanes[Ops::L];
    Ops::store(lanes, s);
    T total = T(0);
    for (int q = 0; q < Ops::L; ++q) total = total + lanes[q];
    *sink = total;
    return 2.0 * kChains * Ops::L * static_cast<double>(iters);
}

// GemmKernel::rank1: whole vectors down each column of C, the last one masked (or
// element by element where Ops has no masks). One multiply per element as in the tiles
// (fma(a, b, 0) is the rounded product), then alpha and beta C as their final store.
template <class Ops>
void rank1_kernel(index_t m, index_t n, typename Ops::T alpha, const typename Ops::T* a,
                  const typename Ops::T* b, index_t csb, typename Ops::T beta,
                  typename Ops::T* c, index_t csc) {
    using T = typename Ops::T;
    using V = typename Ops::V;
    constexpr int L = Ops::L;
    const V va = Ops::set1(alpha), vbeta = Ops::set1(beta);
    const bool add_c = beta != T(0);
    for (index_t j = 0; j < n; ++j) {
        const T bj = b[j * csb];
        const V vb = Ops::set1(bj);
        T* cj = c + j * csc;
        index_t i = 0;
        for (; i + L <= m; i += L) {
            V r = Ops::mul(va, Ops::mul(Ops::load(a + i), vb));
            if (add_c) r = Ops::add(r, Ops::mul(vbeta, Ops::load(cj + i)));
            Ops::store(cj + i, r);
        }
        if (i == m) continue;
        if constexpr (Ops::kMasked) {
            const int w = static_cast<int>(m - i);
            V r = Ops::mul(va, Ops::mul(Ops::load_n(a + i, w), vb));
            if (add_c) r = Ops::add(r, Ops::mul(vbeta, Ops::load_n(cj + i, w)));
            Ops::store_n(cj + i, r, w);
        } else {
            for (; i < m; ++i) {
                T r = alpha * (a[i] * bj);
                if (add_c) r = r + beta * cj[i];
                cj[i] = r;
            }
        }
    }
}

// GemmKernel::row_step of tile_kernel<Ops, ...>.
template <class Ops>
constexpr int tile_row_step() {
    return Ops::kHalf ? Ops::L / 2 : Ops::L;
}

// Rows of an edge tile that reads exactly its own rows of A, none of a packed panel's
// padding (so the driver may read A in place there); 0 if no edge tile does.
template <class Ops>
constexpr int tile_unpadded_rows() {
    return Ops::kPair ? Ops::L + 2 : 0;
}

// Tables of tile kernels indexed by the number of columns computed (entry 0 unused).
#define MLPCORE_TILES4(Ops)                                     \
    {nullptr, &tile_kernel<Ops, 4, 1>, &tile_kernel<Ops, 4, 2>, \
     &tile_kernel<Ops, 4, 3>, &tile_kernel<Ops, 4, 4>}
#define MLPCORE_TILES6(Ops)   \
    {nullptr,                 \
     &tile_kernel<Ops, 6, 1>, \
     &tile_kernel<Ops, 6, 2>, \
     &tile_kernel<Ops, 6, 3>, \
     &tile_kernel<Ops, 6, 4>, \
     &tile_kernel<Ops, 6, 5>, \
     &tile_kernel<Ops, 6, 6>}
#undef MLPCORE_FORCE_INLINE
