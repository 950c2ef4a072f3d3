// Portable Goto/BLIS GEMM driver (see gemm.hpp for the contract, gemm_driver.hpp for
// the epilogue hook).
//
// Column-major formulation: the micro-kernel's vector dimension runs along C's rows.
// A row-major C is served as C^T = B^T A^T (operands swapped, no copies), so for
// z = x W the vector dimension is the layer's output features and the broadcast one
// the batch (unless the features are too few to fill a tile's vectors). Loops: jc over
// N by NC | pc over K (near-equal KC chunks) | ic over M by MC | jr by NR | ir by MR ->
// micro-kernel (kernels/kernel_table.hpp).
//
// Packing: B blocks are packed into NR-wide micro-panels (reused by every MR panel of
// A; through the ISA's SIMD transpose when B is contiguous along K) unless M is short
// (<= 2 MR, e.g. a 10-class output layer), where the kernel broadcasts B straight from
// the caller's memory. A is read in place when it is contiguous along M and N is small
// (<= 64, or 128 for panels too large for L1: the z = x W case at small batch, where
// packing the weights would cost as much as the product); otherwise, and for the
// ragged last MR panel, it is packed - through the ISA's SIMD transpose when A is
// contiguous along K (the input-gradient product dY W^T). An inner dimension of one
// (the weight gradient of a batch of one) runs the ISA's rank-1 kernel, no packing.
// Packing absorbs transposes and any strides. Buffers are thread-local, 64-byte
// aligned and grow-only. A single column (batch 1) runs the ISA's matrix-vector
// kernels: one streaming A row by row when A is contiguous along M (x W), dot products
// over A's rows otherwise (dY W^T; their own order of additions, see gemm.hpp); the
// tall tile kernel where the ISA has neither.
//
// Exactness: partial sums after a K chunk are stored in C itself (beta == 0: C is
// write-only for the caller, so this never reads the caller's values) or in a
// thread-local tile (beta != 0), in precision T, and reloaded into the accumulators for
// the next chunk. Every C(i, j) is therefore one sequential multiply-add chain over
// p = 0..K-1, followed by alpha (and beta C) - independent of the blocking, the thread
// count and the path (direct or packed); AVX2 and AVX-512 both fuse the multiply-add,
// so they agree bit for bit. (Except the dot products of dY W^T at batch 1: fixed
// lanes, the same on both ISAs and any thread count.)
//
// Threads: the problem is split into disjoint column-major row ranges (M, on MR
// multiples) or, when M is short, column ranges (N, on NR multiples). A single column
// is split over M. Inside a training step, a product whose operands are both read in
// place may instead be split over K into stages that continue each other's chains
// tile by tile (k_stages): still one chain per C(i, j).
#include "mlpcore/gemm.hpp"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <string>
#include <thread>

#include "dispatch.hpp"
#include "gemm_driver.hpp"
#include "mlpcore/errors.hpp"
#include "mlpcore/runtime.hpp"
#include "thread_pool.hpp"

namespace mlpcore {
namespace detail {
namespace {

using kernels::GemmKernel;
using kernels::kL1SetBytes;
using kernels::TileArgs;

// Work (M*N*K) each thread must receive before a product is split (2 threads from
// 500k). Measured on the 2-core VM, split and unsplit alternately in one process:
// products of 500k-800k (the 10-class layer at batch 512, squares n = 80-88) ran
// 1.06-1.55x as fast on 2 threads (one, float32 dW 128x512x10, 0.94-0.96x); at
// 400-500k 0.86-1.26x (wake-up and cold caches cost about what they save); from 1M up
// 1.6-2.0x.
constexpr double kWorkPerThread = 250000.0;
constexpr int kPartsPerThread = 4;
// A reduction this short is split across columns (see gemm_ex).
constexpr index_t kShortK = 128;
// The same for a single column (batch 1), which is bound by reading A, not by the
// multiply-adds.
constexpr double kGemvWorkPerThread = 100000.0;

// Largest N for which A is read in place (see reads_a_in_place), and for panels too
// large for L1 whose rows do not share one L1 set.
constexpr index_t kDirectMaxN = 64;
constexpr index_t kDirectMaxNWide = 128;
// Most rows of C (M) for which B is read in place (see reads_b_in_place).
constexpr index_t kDirectBMaxM = 256;
// Column strides (bytes) that alias in a 32 KiB 8-way L1 (64 sets x 64 B: one set per
// 4 KiB; a multiple of 1 KiB reaches at most four sets).
constexpr index_t kL1AliasBytes = 1024;
// Fewest columns for which such aliased weights are packed rather than read in place.
constexpr index_t kAliasedPackMinN = 32;
// Largest packed MR x KC panel of A for which that packing pays (L1 is 32 KiB).
constexpr index_t kL1PackedPanelBytes = 24 * 1024;
// K chunk of the single-column (matrix-vector) case.
constexpr index_t kGemvKC = 32;
// Rows of C per pass of the row-streaming matrix-vector kernel (its column stays in
// L1).
constexpr index_t kGemvMC = 2048;

constexpr index_t round_up(index_t x, index_t r) { return (x + r - 1) / r * r; }

// Whether a row-major C (m x n) is computed as it stands rather than as C^T, which puts
// its n columns on the vector dimension. Kept when n is short - under 2 MR and leaving
// a quarter or more of the MR-row tiles' lanes idle (10 classes fill 10 of 16 (AVX2) or
// 32 (AVX-512) float32 lanes) - and m fills at least one tile: its tiles are then
// stored through the strided edge path. z = x W and the weight gradient x^T dY of a
// 128 x 10 layer ran 1.1-1.5x (AVX2) and 1.8-2.9x (AVX-512) as fast at batch 32-512
// (one thread, paired, Zen 4), 1.1-4.9x on two. Except where C as it stands would pack
// a transposed copy of more than two tiles of A (A stored along K, as x in z = x W)
// while C^T's narrowed edge tiles (kernel_table.hpp, row_step) leave under a quarter
// idle: 10 float64 classes run as 12 lanes on both ISAs, and that forward at batch
// 48-512 ran 1.09-1.16x as fast as C^T (paired, Zen 4; batch 32 on AVX-512 0.91x).
template <class T>
bool keeps_short_side(const MatrixView<const T>& a, const MatrixView<T>& c,
                      const GemmKernel<T>& ker) {
    const index_t v = c.cols;
    const bool short_side =
        v < 2 * ker.mr && 4 * v <= 3 * round_up(v, ker.mr) && c.rows >= ker.mr;
    const bool packs_transposed_a = a.row_stride != 1 && c.rows > 2 * ker.mr;
    const bool narrow_edge_fits = 4 * v > 3 * round_up(v, ker.row_step);
    return short_side && !(packs_transposed_a && narrow_edge_fits);
}

// Grow-only, 64-byte aligned scratch owned by one thread.
class Scratch {
public:
    Scratch() = default;
    Scratch(const Scratch&) = delete;
    Scratch& operator=(const Scratch&) = delete;
    ~Scratch() { release(); }
    template <class T>
    T* get(index_t count) {
        const std::size_t bytes = static_cast<std::size_t>(count) * sizeof(T);
        if (bytes > cap_) {
            release();
            const std::size_t want = (bytes + 4095) & ~std::size_t{4095};
            ptr_ = ::operator new(want, std::align_val_t{64});
            cap_ = want;
        }
        return static_cast<T*>(ptr_);
    }

private:
    void release() {
        if (ptr_ != nullptr) ::operator delete(ptr_, std::align_val_t{64});
        ptr_ = nullptr;
        cap_ = 0;
    }
    void* ptr_ = nullptr;
    std::size_t cap_ = 0;
};

struct Buffers {
    Scratch a, b, edge, part;
};
Buffers& thread_buffers() {
    thread_local Buffers bufs;
    return bufs;
}

// One stage of a product whose K is split into consecutive ranges, one per thread (see
// k_stages): each of its tiles waits until the stage before has finished the same tile
// (counted in the order gemm_serial visits them), then continues that tile's chains.
struct KStage {
    // Tiles the stage before has finished (null: this is the first stage).
    const std::atomic<index_t>* upstream;
    // Tiles this stage has finished.
    std::atomic<index_t>* done;
    // Whether this stage finishes the chains (alpha, beta and the epilogue applied).
    bool last;
};

// Spins until the stage before has finished more than `tiles` tiles. It yields now and
// then, in case that stage's thread shares this one's core (more threads than cores).
void wait_for_upstream(const KStage& stage, index_t tiles) {
    for (unsigned polls = 1; stage.upstream->load(std::memory_order_acquire) <= tiles;
         ++polls) {
        spin_pause();
        if (polls % 1024 == 0) std::this_thread::yield();
    }
}

// A column-major problem: C (m x n) += op over k, element (i, j) of X at
// x[i * rs + j * cs]. `r_off`/`c_off` locate it in the whole problem, `swapped` says
// whether the whole problem is the transpose of the caller's (for the epilogue).
// `stage` (null: a whole product) makes it one stage of a K split (beta == 0, one K
// chunk): unless it is the first stage, C holds on entry the partial sums over the K
// before it; unless it is the last, C holds on exit its own partial sums, with neither
// alpha nor the epilogue applied.
template <class T>
struct Problem {
    index_t m, n, k;
    const T* a;
    index_t rsa, csa;
    const T* b;
    index_t rsb, csb;
    T* c;
    index_t rsc, csc;
    T alpha, beta;
    index_t r_off, c_off;
    bool swapped;
    const Epilogue* ep;
    const KStage* stage;
};

// Rows [0, mc) x columns [0, kc) of A into MR-tall micro-panels, zero-padded. MR is a
// template parameter so that the transposing copy (16 source rows read side by side)
// is fully unrolled.
template <class T, int MR>
void pack_a_t(const T* a, index_t rsa, index_t csa, index_t mc, index_t kc, T* dst) {
    for (index_t i0 = 0; i0 < mc; i0 += MR, dst += MR * kc) {
        const index_t mr = std::min<index_t>(MR, mc - i0);
        const T* src = a + i0 * rsa;
        if (mr == MR && rsa == 1) {
            for (index_t p = 0; p < kc; ++p)
                for (int r = 0; r < MR; ++r) dst[p * MR + r] = src[p * csa + r];
        } else if (mr == MR) {
            for (index_t p = 0; p < kc; ++p)
                for (int r = 0; r < MR; ++r) dst[p * MR + r] = src[p * csa + r * rsa];
        } else {
            // Zero the whole MR row first: a fixed-length fill is a few vector stores,
            // where the ragged one became a `rep stos` per row (7 % of a float64
            // 10-class product).
            for (index_t p = 0; p < kc; ++p) {
                for (int r = 0; r < MR; ++r) dst[p * MR + r] = T(0);
                for (index_t r = 0; r < mr; ++r)
                    dst[p * MR + r] = src[p * csa + r * rsa];
            }
        }
    }
}

template <class T, int NR>
void pack_b_t(const T* b, index_t rsb, index_t csb, index_t kc, index_t nc, T* dst) {
    for (index_t j0 = 0; j0 < nc; j0 += NR, dst += NR * kc) {
        const index_t nr = std::min<index_t>(NR, nc - j0);
        const T* src = b + j0 * csb;
        if (nr == NR) {
            for (index_t p = 0; p < kc; ++p)
                for (int j = 0; j < NR; ++j) dst[p * NR + j] = src[p * rsb + j * csb];
        } else {
            for (index_t p = 0; p < kc; ++p) {
                for (int j = 0; j < NR; ++j) dst[p * NR + j] = T(0);
                for (index_t j = 0; j < nr; ++j)
                    dst[p * NR + j] = src[p * rsb + j * csb];
            }
        }
    }
}

template <class T>
void pack_a(const T* a, index_t rsa, index_t csa, index_t mc, index_t kc, int MR,
            T* dst, void (*kmajor)(const T*, index_t, index_t, T*)) {
    if (kmajor != nullptr && csa == 1 && rsa != 1) {
        // Full panels through the ISA's register transpose; the ragged rest below.
        const index_t full = mc / MR * MR;
        for (index_t i0 = 0; i0 < full; i0 += MR)
            kmajor(a + i0 * rsa, rsa, kc, dst + i0 * kc);
        if (full == mc) return;
        a += full * rsa;
        dst += full * kc;
        mc -= full;
    }
    switch (MR) {
        case 4: return pack_a_t<T, 4>(a, rsa, csa, mc, kc, dst);
        case 8: return pack_a_t<T, 8>(a, rsa, csa, mc, kc, dst);
        case 16: return pack_a_t<T, 16>(a, rsa, csa, mc, kc, dst);
        case 32: return pack_a_t<T, 32>(a, rsa, csa, mc, kc, dst);
        default: return pack_a_t<T, 2>(a, rsa, csa, mc, kc, dst);
    }
}

// The nc columns of a block as ceil(nc / NR) micro-panels of near-equal width: a batch
// of 32 on NR = 6 runs as 5+5+5+5+6+6 columns rather than 5 x 6 + 2, because a narrow
// tile costs almost as much as a full one (its few accumulators cannot hide the FMA
// latency). Panel q covers columns [start(q), start(q) + width(q)); it is packed NR
// apart. Division-free: the packers ask for every panel of every row group.
struct ColumnPanels {
    index_t count, base, wide_from;
    ColumnPanels(index_t nc, int nr)
        : count((nc + nr - 1) / nr), base(nc / count), wide_from(count - nc % count) {}
    index_t start(index_t q) const {
        return q * base + (q > wide_from ? q - wide_from : 0);
    }
    index_t width(index_t q) const { return base + (q >= wide_from ? 1 : 0); }
};

// panel[p * NR + j] = src[p * rsb + j] for p < rows, j < w <= NR, as straight-line
// copies of a width fixed at compile time (a loop to a run-time w copied one value at
// a time, with a division per panel and row group for its bounds: the 10-class weight
// gradients ran 1.01-1.03x as fast without both, paired in alternated processes).
template <class T, int NR, int W = 1>
void copy_rows(const T* src, index_t rsb, index_t rows, index_t w, T* panel) {
    if constexpr (W <= NR) {
        if (w != W) return copy_rows<T, NR, W + 1>(src, rsb, rows, w, panel);
        for (index_t p = 0; p < rows; ++p)
            for (int j = 0; j < W; ++j) panel[p * NR + j] = src[p * rsb + j];
    }
}

// The panels of a B whose rows are contiguous (csb == 1: the batch x of dW = x^T dY),
// rows in groups of kRowGroup across all panels: x is read row after row, each
// panel written kRowGroup x NR values at a time. (Panel by panel, each pass read only
// NR values of every row - 24 bytes of each 3 KB row at batch 512 - and packing ran
// at ~0.5 values per cycle, 4 % of an engine step at batch 512; grouped, the weight
// gradients ran 1.03-1.07x as fast, paired.) Slots past a panel's width are left
// unwritten: the tiles read only `width` columns.
template <class T, int NR>
void pack_b_rows(const T* b, index_t rsb, index_t kc, const ColumnPanels& cols,
                 T* dst) {
    constexpr index_t kRowGroup = 8;
    for (index_t p0 = 0; p0 < kc; p0 += kRowGroup) {
        const index_t rows = std::min(kRowGroup, kc - p0);
        for (index_t q = 0; q < cols.count; ++q) {
            const T* src = b + p0 * rsb + cols.start(q);
            T* panel = dst + (q * kc + p0) * NR;
            copy_rows<T, NR>(src, rsb, rows, cols.width(q), panel);
        }
    }
}

// NR is 4 (generic) or 6 (AVX2, AVX-512).
template <class T>
void pack_b(const T* b, index_t rsb, index_t csb, index_t kc, const ColumnPanels& cols,
            int NR, T* dst, void (*kmajor)(const T*, index_t, index_t, index_t, T*)) {
    if (csb == 1) {
        switch (NR) {
            case 4: return pack_b_rows<T, 4>(b, rsb, kc, cols, dst);
            default: return pack_b_rows<T, 6>(b, rsb, kc, cols, dst);
        }
    }
    const bool transpose = kmajor != nullptr && rsb == 1 && csb != 1;
    for (index_t q = 0; q < cols.count; ++q) {
        const T* src = b + cols.start(q) * csb;
        T* panel = dst + q * NR * kc;
        const index_t w = cols.width(q);
        if (transpose) {
            kmajor(src, csb, kc, w, panel);
            continue;
        }
        switch (NR) {
            case 4: pack_b_t<T, 4>(src, rsb, csb, kc, w, panel); break;
            default: pack_b_t<T, 6>(src, rsb, csb, kc, w, panel); break;
        }
    }
}

template <class T>
const GemmKernel<T>& kernel_of(const kernels::KernelTable& t);
template <>
const GemmKernel<float>& kernel_of<float>(const kernels::KernelTable& t) {
    return t.sgemm;
}
template <>
const GemmKernel<double>& kernel_of<double>(const kernels::KernelTable& t) {
    return t.dgemm;
}

template <class T>
void run_epilogue(const Problem<T>& pr, index_t i0, index_t j0, index_t mi,
                  index_t nj) {
    if (pr.ep == nullptr) return;
    const index_t r = pr.r_off + i0, c = pr.c_off + j0;
    if (pr.swapped) {
        pr.ep->fn(pr.ep->ctx, c, r, nj, mi);
    } else {
        pr.ep->fn(pr.ep->ctx, r, c, mi, nj);
    }
}

// C rows [i0, i0 + rows) of a single column from its sums y[0, rows): alpha y, then
// + beta C - the two roundings the tile kernels use, so every path gives the same bits.
template <class T>
void store_column(const Problem<T>& pr, const T* y, index_t i0, index_t rows) {
    for (index_t i = 0; i < rows; ++i) {
        T& dst = pr.c[(i0 + i) * pr.rsc];
        T s = pr.alpha != T(1) ? pr.alpha * y[i] : y[i];
        if (pr.beta != T(0)) s = s + pr.beta * dst;
        dst = s;
    }
}

// A single column of an A contiguous along M (the batch-1 forward x W): the ISA's
// row-streaming kernel accumulates into C itself when C is contiguous and write-only
// (beta == 0), else into a scratch column stored by store_column.
template <class T>
void gemv_direct(const Problem<T>& pr, const GemmKernel<T>& ker) {
    const bool in_place = pr.rsc == 1 && pr.beta == T(0);
    T* y = in_place ? pr.c : thread_buffers().edge.get<T>(pr.m);
    std::fill(y, y + pr.m, T(0));
    for (index_t i0 = 0; i0 < pr.m; i0 += kGemvMC)
        ker.gemv_rows(pr.a + i0, pr.csa, pr.b, pr.rsb, std::min(kGemvMC, pr.m - i0),
                      pr.k, y + i0);
    if (!in_place || pr.alpha != T(1)) store_column(pr, y, 0, pr.m);
    run_epilogue(pr, 0, 0, pr.m, 1);
}

// A single column of C from an A not contiguous along M - the batch-1 input gradient
// dY W^T, a layer of one output - or from a single row of A: the ISA's dot-product
// kernel reads A's rows in place, all of K in one pass per block of rows. Against the
// register transposes that kept one chain per output (and so the bits of a batch's
// row), paired at 1 thread on Zen 4: float32 784 x 256 1.51x (now 1.18x NumPy's), 256 x
// 128 1.34x, 784 x 512 2.44x; float64 1.09-1.37x.
template <class T>
bool runs_dot_rows(const Problem<T>& pr, const GemmKernel<T>& ker) {
    return pr.n == 1 && ker.dot_rows != nullptr && (pr.m == 1 || pr.rsa != 1);
}

// Rows x k values of X(i, p) = x[i * rs + p * cs] as contiguous rows (X itself when
// cs == 1; else copied into buf - rare: strided views): the dot kernel's operands.
template <class T>
const T* rows_along_k(const T* x, index_t rows, index_t k, index_t rs, index_t cs,
                      Scratch& buf) {
    if (cs == 1) return x;
    T* copy = buf.get<T>(rows * k);
    for (index_t i = 0; i < rows; ++i)
        for (index_t p = 0; p < k; ++p) copy[i * k + p] = x[i * rs + p * cs];
    return copy;
}

template <class T>
void gemv_dot_rows(const Problem<T>& pr, const GemmKernel<T>& ker) {
    const index_t MR = ker.dot_rows_mr;
    Buffers& bufs = thread_buffers();
    TileArgs<T> t{};
    t.kc = pr.k;
    const T* a = rows_along_k(pr.a, pr.m, pr.k, pr.rsa, pr.csa, bufs.a);
    t.lda = a == pr.a ? pr.rsa : pr.k;
    t.b = rows_along_k(pr.b, 1, pr.k, 0, pr.rsb, bufs.b);
    t.rsb = 1;
    t.csb = 1;
    t.n = 1;
    t.alpha = pr.alpha;
    t.beta = pr.beta;
    t.final = true;
    t.rsc = pr.rsc;
    t.csc = pr.csc;
    for (index_t i0 = 0; i0 < pr.m; i0 += MR) {
        t.m = std::min(MR, pr.m - i0);
        t.a = a + i0 * t.lda;
        t.c = pr.c + i0 * pr.rsc;
        ker.dot_rows(&t);
    }
    run_epilogue(pr, 0, 0, pr.m, 1);
}

// Whether gemm_serial reads A in place for n columns: when it is contiguous along M and
// reused by few columns (packing it would cost about as much as the product). Large
// products pack: strided column reads over many pages lose to the contiguous packed
// panel. So does a column stride that is a multiple of kL1AliasBytes once
// kAliasedPackMinN columns reuse each panel: its lines then share at most four L1 sets
// and evict each other between the tiles. Measured with both rules on each of 20 fresh
// allocations of the weights (the in-place speed moves by +-20 % with the physical
// pages a matrix gets, so one allocation decides nothing), median packed / in place:
// float32 784x256 1.06 at batch 32, 1.02 at 48, 1.08 at 64; float64 784x128 1.04,
// 256x128 1.01-1.08; float32 256x256 1.04, but 128x256 0.96 (K too short to pay
// for the packing). A 512-byte stride (float32 784x128) packed 0.95x: left in
// place. Below 32 columns packing loses (float64 784x256 at batch 8-24:
// 0.77-0.91x). (Those were AVX2 tiles on a Zen 2 VM.) The packed panel is what sits in
// L1 then, so this only pays where an MR x KC panel fits L1 with room for B: the
// AVX-512 panels (48 KB float32, 32 KB float64) do not, and reading their weights in
// place was 1.09-1.17x as fast at batch 32-64 (784x256, float32 and float64, 1 and 2
// threads, paired on Zen 4). Those panels are read in place up to kDirectMaxNWide
// columns, unless their rows are a whole number of 4 KiB apart (one L1 set): forwards
// at batch 128 ran 1.03-1.05x as fast (784x512, 784x256, 256x128, float32 and
// float64), 4 KiB-aliased ones 0.96-0.98x (float32 784x1024, float64 784x512).
template <class T>
bool reads_a_in_place(const Problem<T>& pr, index_t n, const GemmKernel<T>& ker) {
    const index_t row_bytes = pr.csa * static_cast<index_t>(sizeof(T));
    const bool panel_fits_l1 =
        ker.mr * gemm_kc<T>() * static_cast<index_t>(sizeof(T)) <= kL1PackedPanelBytes;
    const bool l1_aliased =
        panel_fits_l1 && n >= kAliasedPackMinN && row_bytes % kL1AliasBytes == 0;
    const index_t max_n =
        panel_fits_l1 || row_bytes % kL1SetBytes == 0 ? kDirectMaxN : kDirectMaxNWide;
    return pr.rsa == 1 && n <= max_n && !l1_aliased;
}

// Whether B is read where it stands rather than packed into NR-wide panels: for at most
// kDirectBMaxM rows of C (8 float32 / 16 float64 AVX-512 tiles), whose few MR panels
// amortize a packed copy poorly. Packing costs a load and a store per element; read in
// place, a tile's 6 columns of a B panel stay in L1 across those panels all the same.
// Paired on Zen 4, one thread, B in place up to 256 rows against up to 2 MR: the MLP
// products at batch 32-512 1.00-1.13x (AVX-512) and 0.96-1.11x (AVX2 tiles), squares
// n = 64-256 1.01-1.15x, training at 1 thread 1.04-1.05x (batch 32, 128, 512). Except a
// B stored by rows a whole number of 1 KiB apart (float32 x of 256 features): a panel's
// lines then share at most four L1 sets and are evicted between the tiles; in place,
// the weight gradient 256x128 at batch 32 ran 0.93-0.96x on the AVX2 tiles.
template <class T>
bool reads_b_in_place(const Problem<T>& pr, index_t m, const GemmKernel<T>& ker) {
    // A 10-class layer: packing would cost as much as the product.
    if (m <= 2 * ker.mr) return true;
    const index_t row_bytes = pr.rsb * static_cast<index_t>(sizeof(T));
    const bool l1_aliased = pr.csb == 1 && row_bytes % kL1AliasBytes == 0;
    return m <= kDirectBMaxM && !l1_aliased;
}

// Rows of an MC block of an A read in place that its tiles read in place too: whole MR
// panels, and an edge of the kernel's unpadded rows (10 float64 classes on AVX-512;
// packing those cost 4-14 % of the 10-class forward at batch 48-128, paired on Zen 4).
// The rest of an edge is packed, zero-padded.
template <class T>
index_t rows_in_place(index_t mc, const GemmKernel<T>& ker) {
    const index_t whole = mc / ker.mr * ker.mr;
    return mc - whole == ker.unpadded_rows ? mc : whole;
}

// One thread's whole (sub)problem; m, n, k > 0.
template <class T>
void gemm_serial(const Problem<T>& pr, const GemmKernel<T>& ker) {
    const int MR = ker.mr, NR = ker.nr;
    const index_t m = pr.m, n = pr.n, k = pr.k;
    const index_t NC = ker.nc;
    if (runs_dot_rows(pr, ker)) {
        gemv_dot_rows(pr, ker);
        return;
    }
    if (n == 1 && pr.rsa == 1 && ker.gemv_rows != nullptr) {
        gemv_direct(pr, ker);
        return;
    }
    if (k == 1 && pr.rsc == 1 && pr.rsa == 1 && ker.rank1 != nullptr) {
        // An outer product: no packing, one pass over C.
        ker.rank1(m, n, pr.alpha, pr.a, pr.b, pr.csb, pr.beta, pr.c, pr.csc);
        run_epilogue(pr, 0, 0, m, n);
        return;
    }
    const bool direct = reads_a_in_place(pr, n, ker);
    // A single column streams A once: short K chunks make the tiles sweep A row by
    // row (sequential memory) instead of column strip by strip. Partial sums are
    // exact, so the chunking never changes a bit.
    const index_t kc_target = direct && n == 1 ? kGemvKC : gemm_kc<T>();
    // A stage of a K split visits each tile once, so that the next stage can follow
    // tile by tile.
    const index_t nk = pr.stage ? 1 : (k + kc_target - 1) / kc_target;
    const bool resumes = pr.stage && pr.stage->upstream;
    const bool stops = pr.stage && !pr.stage->last;
    const index_t kc_max = (k + nk - 1) / nk;
    // Partial sums go to a separate tile when C's old values are still needed.
    const bool sep = pr.beta != T(0) && nk > 1;
    // Whole tall tiles per MC block in the single-column case.
    const index_t MC = direct && n == 1 ? round_up(ker.mc, ker.tall_mr) : ker.mc;

    Buffers& bufs = thread_buffers();
    const index_t mc_max = std::min(round_up(m, MR), MC);
    const index_t nc_max = std::min(round_up(n, NR), NC);
    const bool direct_b = reads_b_in_place(pr, m, ker);
    T* bpack = direct_b ? nullptr : bufs.b.get<T>(nc_max * kc_max);
    T* apack = direct ? bufs.edge.get<T>(MR * kc_max) : bufs.a.get<T>(mc_max * kc_max);
    T* part = sep ? bufs.part.get<T>(mc_max * nc_max) : nullptr;

    TileArgs<T> t{};
    t.alpha = pr.alpha;
    t.beta = pr.beta;
    index_t tiles_done = 0;
    for (index_t jc = 0; jc < n; jc += NC) {
        const index_t nc = std::min(NC, n - jc);
        // With a separate partial tile, the tile covers one MC block: ic moves out.
        for (index_t io = 0; io < m; io += sep ? MC : m) {
            const index_t m_hi = sep ? std::min(m, io + MC) : m;
            for (index_t kb = 0; kb < nk; ++kb) {
                const index_t pc = k * kb / nk;
                const index_t kc = k * (kb + 1) / nk - pc;
                const bool first = kb == 0 && !resumes, last = kb == nk - 1;
                const T* bblk = pr.b + pc * pr.rsb + jc * pr.csb;
                const ColumnPanels cols(nc, NR);
                if (!direct_b)
                    pack_b(bblk, pr.rsb, pr.csb, kc, cols, NR, bpack,
                           ker.pack_b_kmajor);
                t.rsb = direct_b ? pr.rsb : NR;
                t.csb = direct_b ? pr.csb : 1;
                t.kc = kc;
                for (index_t ic = io; ic < m_hi; ic += MC) {
                    const index_t mc = std::min(MC, m_hi - ic);
                    const T* ablk = pr.a + ic * pr.rsa + pc * pr.csa;
                    const index_t m_full = direct ? rows_in_place(mc, ker) : 0;
                    if (!direct) {
                        pack_a(ablk, pr.rsa, pr.csa, mc, kc, MR, apack,
                               ker.pack_a_kmajor);
                    } else if (m_full < mc) {
                        pack_a(ablk + m_full, pr.rsa, pr.csa, mc - m_full, kc, MR,
                               apack, ker.pack_a_kmajor);
                    }
                    for (index_t q = 0; q < cols.count; ++q) {
                        const index_t jr = cols.start(q);
                        t.n = cols.width(q);
                        t.b = direct_b ? bblk + jr * pr.csb : bpack + q * NR * kc;
                        for (index_t ir = 0; ir < mc;) {
                            // A single column of direct A: the tall kernel.
                            const bool tall = t.n == 1 && ir + ker.tall_mr <= m_full;
                            const index_t step = tall ? ker.tall_mr : MR;
                            t.m = std::min<index_t>(step, mc - ir);
                            if (ir < m_full) {
                                t.a = ablk + ir;
                                t.lda = pr.csa;
                            } else {
                                t.a = apack + (direct ? 0 : ir * kc);
                                t.lda = MR;
                            }
                            T* ct = pr.c + (ic + ir) * pr.rsc + (jc + jr) * pr.csc;
                            T* pt = sep ? part + (ic - io + ir) + jr * mc_max : nullptr;
                            const index_t rsp = sep ? 1 : pr.rsc;
                            const index_t csp = sep ? mc_max : pr.csc;
                            t.part = first ? nullptr : (sep ? pt : ct);
                            t.rsp = rsp;
                            t.csp = csp;
                            t.final = last && !stops;
                            t.c = last || !sep ? ct : pt;
                            t.rsc = last || !sep ? pr.rsc : 1;
                            t.csc = last || !sep ? pr.csc : mc_max;
                            if (resumes) wait_for_upstream(*pr.stage, tiles_done);
                            if (tall) {
                                ker.tall(&t);
                            } else {
                                ker.tile[t.n](&t);
                            }
                            if (pr.stage)
                                pr.stage->done->store(++tiles_done,
                                                      std::memory_order_release);
                            ir += step;
                        }
                        if (last && !stops) run_epilogue(pr, ic, jc + jr, mc, t.n);
                    }
                }
            }
        }
    }
}

template <class T>
struct ParallelJob {
    const Problem<T>* pr;
    const GemmKernel<T>* ker;
    bool split_m;
    index_t unit, units;
    int parts;
};

template <class T>
void run_part(void* ctx, int t) {
    const ParallelJob<T>& job = *static_cast<const ParallelJob<T>*>(ctx);
    const index_t u0 = job.units * t / job.parts, u1 = job.units * (t + 1) / job.parts;
    Problem<T> sub = *job.pr;
    const index_t extent = job.split_m ? sub.m : sub.n;
    const index_t lo = u0 * job.unit, hi = std::min(extent, u1 * job.unit);
    if (hi <= lo) return;
    if (job.split_m) {
        sub.m = hi - lo;
        sub.a += lo * sub.rsa;
        sub.c += lo * sub.rsc;
        sub.r_off += lo;
    } else {
        sub.n = hi - lo;
        sub.b += lo * sub.csb;
        sub.c += lo * sub.csc;
        sub.c_off += lo;
    }
    gemm_serial(sub, *job.ker);
}

// Most stages of a K split (one per thread).
constexpr int kMaxKStages = 8;
// Fewest K per stage, and tiles per stage: a stage idles while the one before runs its
// first tile, and the one before while it runs its last.
constexpr index_t kMinKStageDepth = 64;
constexpr index_t kMinKStageTiles = 8;

// Stages into which a product is split over K (0: split over M or N instead): inside
// a training step or the engine's forward (OnePartPerThreadScope), a product that
// reads A - the weights W^T of z = x W, K being W's rows - and B in place into a
// write-only C. Thread t then runs the chains' stretch over K range t for every tile,
// each tile as soon as thread t - 1 has stored its partial sums there: every C(i, j)
// is still one chain over p = 0..K-1, the same bits as on one thread. Why: a step's
// weight update splits W's rows between the threads (the weight gradient's parts), so
// with the forward split over W's columns a quarter of W crossed between the cores'
// caches each way every step; split over K, each core reads the rows it updates.
// Paired at 2 threads on Zen 4 (rules alternated in one process), 784-256-128-10
// float32: fit at batch 16 / 32 / 64 1.12 / 1.05 / 1.03x (1.1-1.9x while another
// tenant held a core), 128 and 512 1.00x; with adam at batch 32 / 128 / 512 1.05 /
// 1.03 / 1.01x; the engine's forward at batch 32 / 128 1.01-1.02 / 1.05-1.07x. Both
// hidden layers gained (the first alone: 1.02-1.03x). A stage's K stays within 2 KC,
// in one chunk, so that its B panel stays in L1.
template <class T>
int k_stages(const Problem<T>& pr, int threads, const GemmKernel<T>& ker) {
    const int stages = std::min(threads, kMaxKStages);
    if (stages < 2 || pr.n == 1 || !one_part_per_thread() || pr.beta != T(0)) return 0;
    const index_t tiles = (pr.m + ker.mr - 1) / ker.mr * ((pr.n + ker.nr - 1) / ker.nr);
    const bool fits = pr.k >= kMinKStageDepth * stages &&
                      pr.k <= 2 * gemm_kc<T>() * stages &&
                      tiles >= kMinKStageTiles * stages;
    const bool in_place =
        reads_a_in_place(pr, pr.n, ker) && reads_b_in_place(pr, pr.m, ker);
    return fits && in_place ? stages : 0;
}

template <class T>
struct KStagesJob {
    const Problem<T>* pr;
    const GemmKernel<T>* ker;
    int stages;
    struct alignas(64) Counter {
        std::atomic<index_t> tiles{0};
    };
    Counter done[kMaxKStages];
};

template <class T>
void run_k_stage(void* ctx, int t) {
    auto& job = *static_cast<KStagesJob<T>*>(ctx);
    const Problem<T>& pr = *job.pr;
    const index_t k0 = pr.k * t / job.stages, k1 = pr.k * (t + 1) / job.stages;
    std::atomic<index_t>& done = job.done[t].tiles;
    // However this stage ends (an exception included), the next must not wait for it.
    struct Finish {
        std::atomic<index_t>& tiles;
        ~Finish() { tiles.store(PTRDIFF_MAX, std::memory_order_release); }
    } finish{done};
    const KStage stage{t > 0 ? &job.done[t - 1].tiles : nullptr, &done,
                       t + 1 == job.stages};
    Problem<T> sub = pr;
    sub.a += k0 * pr.csa;
    sub.b += k0 * pr.rsb;
    sub.k = k1 - k0;
    sub.stage = &stage;
    gemm_serial(sub, *job.ker);
}

}  // namespace

template <class T>
void gemm_ex(T alpha, MatrixView<const T> a, MatrixView<const T> b, T beta,
             MatrixView<T> c, const Epilogue* ep) {
    if (a.cols != b.rows || c.rows != a.rows || c.cols != b.cols) {
        throw ShapeError("gemm: shapes (" + std::to_string(a.rows) + ", " +
                         std::to_string(a.cols) + ") x (" + std::to_string(b.rows) +
                         ", " + std::to_string(b.cols) + ") -> (" +
                         std::to_string(c.rows) + ", " + std::to_string(c.cols) +
                         ") do not match");
    }
    const index_t m = c.rows, n = c.cols, k = a.cols;
    if (m <= 0 || n <= 0) return;
    const GemmKernel<T>& ker = kernel_of<T>(select_kernels());
    if (k <= 0) {
        for (index_t i = 0; i < m; ++i)
            for (index_t j = 0; j < n; ++j) {
                T& x = c(i, j);
                x = beta == T(0) ? T(0) : beta * x;
            }
        if (ep != nullptr) ep->fn(ep->ctx, 0, 0, m, n);
        return;
    }

    // Orient so that C's unit-stride dimension is the vector dimension: a row-major C
    // is computed as C^T = B^T A^T - unless that would put a short side on the vector
    // dimension (see keeps_short_side). A single row or column of C is always computed
    // as a column, whatever C's strides: the single-column kernels' order of additions
    // (gemm.hpp) then depends on the operands' layout only.
    const bool swap = n == 1   ? false
                      : m == 1 ? true
                               : c.col_stride == 1 && c.row_stride != 1 &&
                                     !keeps_short_side(a, c, ker);
    const MatrixView<const T> oa = swap ? b.transposed() : a;
    const MatrixView<const T> ob = swap ? a.transposed() : b;
    const MatrixView<T> oc = swap ? c.transposed() : c;
    Problem<T> pr{};
    pr.m = oc.rows;
    pr.n = oc.cols;
    pr.k = k;
    pr.a = oa.data;
    pr.rsa = oa.row_stride;
    pr.csa = oa.col_stride;
    pr.b = ob.data;
    pr.rsb = ob.row_stride;
    pr.csb = ob.col_stride;
    pr.c = oc.data;
    pr.rsc = oc.row_stride;
    pr.csc = oc.col_stride;
    pr.alpha = alpha;
    pr.beta = beta;
    pr.swapped = swap;
    pr.ep = ep;

    int threads = kernel_threads();
    const double work =
        static_cast<double>(m) * static_cast<double>(n) * static_cast<double>(k);
    threads = static_cast<int>(std::min<double>(
        threads,
        std::max(1.0, work / (pr.n == 1 ? kGemvWorkPerThread : kWorkPerThread))));
    // Batch 1: the output features (A's rows) are split into one contiguous range per
    // thread, so each core streams - and on repeated calls keeps in its own L2 - its
    // own slice of the weights.
    if (threads > 1 && pr.n == 1) {
        ParallelJob<T> job{};
        job.pr = &pr;
        job.ker = &ker;
        job.split_m = true;
        job.unit = runs_dot_rows(pr, ker) ? ker.dot_rows_mr : ker.tall_mr;
        job.units = (pr.m + job.unit - 1) / job.unit;
        job.parts = static_cast<int>(std::min<index_t>(threads, job.units));
        if (job.parts > 1) {
            parallel_run(job.parts, threads, &run_part<T>, &job);
            return;
        }
    }
    if (const int stages = k_stages(pr, threads, ker); stages > 1) {
        KStagesJob<T> job{};
        job.pr = &pr;
        job.ker = &ker;
        job.stages = stages;
        parallel_run(stages, threads, &run_k_stage<T>, &job);
        return;
    }
    if (threads > 1 && pr.n > 1) {
        ParallelJob<T> job{};
        job.pr = &pr;
        job.ker = &ker;
        const index_t mu = (pr.m + ker.mr - 1) / ker.mr;  // (decides the split only)
        const index_t nu = (pr.n + ker.nr - 1) / ker.nr;
        // M (MR panels) as a rule; but N for a short reduction with more columns than
        // rows - the weight gradient x^T dY at batch <= 128 (rows = outputs, columns =
        // inputs): its parts then pack disjoint slices of x instead of all reading x
        // in place. Measured at 2 threads, each rule alternately in one process:
        // 1.04-1.22x on those products, the others unchanged within noise.
        const bool short_wide = k <= kShortK && pr.n > pr.m;
        job.split_m = nu < threads ||
                      (!short_wide && (mu >= kPartsPerThread * threads || mu >= nu));
        job.unit = job.split_m ? ker.mr : ker.nr;
        job.units = (job.split_m ? pr.m : pr.n) / job.unit +
                    ((job.split_m ? pr.m : pr.n) % job.unit != 0);
        // A few parts per thread, so that when the other core is busy (a shared host)
        // the caller picks up the parts a late worker has not claimed - as long as a
        // part reads one operand in place. Otherwise every part packs the whole other
        // operand again, and one part per thread measured up to 2x faster (squares
        // n = 256-2048 on 2 quiet cores: 0.46-0.84 -> 0.86-1.27 of OpenBLAS; float64
        // z = x W at batch 32-64, whose weights are packed for L1 aliasing: 1.15-1.25x
        // once this test asked gemm_serial's own rule instead of the stride alone).
        const index_t fine = kPartsPerThread * threads;
        const index_t sub_m = job.split_m ? (pr.m + fine - 1) / fine : pr.m;
        const index_t sub_n = job.split_m ? pr.n : (pr.n + fine - 1) / fine;
        const bool in_place =
            reads_b_in_place(pr, sub_m, ker) || reads_a_in_place(pr, sub_n, ker);
        // (Inside a training step, one part per thread: see OnePartPerThreadScope.)
        const bool few = in_place && !one_part_per_thread();
        job.parts =
            static_cast<int>(std::min<index_t>(few ? fine : threads, job.units));
        if (job.parts > 1) {
            parallel_run(job.parts, threads, &run_part<T>, &job);
            return;
        }
    }
    gemm_serial(pr, ker);
}

template void gemm_ex<float>(float, MatrixView<const float>, MatrixView<const float>,
                             float, MatrixView<float>, const Epilogue*);
template void gemm_ex<double>(double, MatrixView<const double>,
                              MatrixView<const double>, double, MatrixView<double>,
                              const Epilogue*);

}  // namespace detail

template <class T>
void gemm(T alpha, MatrixView<const T> a, MatrixView<const T> b, T beta,
          MatrixView<T> c) {
    detail::gemm_ex<T>(alpha, a, b, beta, c, nullptr);
}

template void gemm<float>(float, MatrixView<const float>, MatrixView<const float>,
                          float, MatrixView<float>);
template void gemm<double>(double, MatrixView<const double>, MatrixView<const double>,
                           double, MatrixView<double>);

}  // namespace mlpcore
