// The transposing packers shared by the ISA files that have a register transpose
// (avx2.cpp, avx512.cpp; no include guard on purpose): included *inside* their
// anonymous namespace, with tile_impl.hpp's `Ops` contract (masked load_n / store_n
// and load_transposed required). They fill the kernel table's optional pack_a_kmajor /
// pack_b_kmajor entries.

// One MR-row panel of a K-contiguous A, L x L blocks through the register transpose.
template <class Ops, int MR = 2 * Ops::L>
void pack_a_kmajor(const typename Ops::T* a, index_t rsa, index_t kc,
                   typename Ops::T* dst) {
    using V = typename Ops::V;
    constexpr int L = Ops::L;
    static_assert(MR % L == 0, "a panel is whole blocks");
    index_t p0 = 0;
    for (; p0 + L <= kc; p0 += L) {
        for (int h = 0; h < MR / L; ++h) {
            V col[L];
            Ops::load_transposed(a + L * h * rsa + p0, rsa, col);
            for (int q = 0; q < L; ++q) Ops::store(dst + (p0 + q) * MR + L * h, col[q]);
        }
    }
    for (; p0 < kc; ++p0)
        for (int r = 0; r < MR; ++r) dst[p0 * MR + r] = a[r * rsa + p0];
}

// One micro-panel (w <= NR columns, NR apart) of a K-contiguous B (B(p, j) =
// b[p + j * csb]), L x L blocks through the register transpose. A row is written as
// whole vectors: lanes a partial group writes past the row's end land in the next
// rows' first slots (more than one row when L > NR: 16 float32 lanes, rows of 6),
// which those rows' own stores overwrite later; a store that would reach past the
// panel's end is masked to the group's width.
template <class Ops, int NR>
void pack_b_kmajor(const typename Ops::T* b, index_t csb, index_t kc, index_t w,
                   typename Ops::T* dst) {
    using V = typename Ops::V;
    constexpr int L = Ops::L;
    constexpr int G = (NR + L - 1) / L;  // groups of L columns, at most
    const int groups = static_cast<int>((w + L - 1) / L);
    const auto width = [w](int g) {
        return static_cast<int>(w - g * L < L ? w - g * L : L);
    };
    index_t p0 = 0;
    for (; p0 + L <= kc; p0 += L) {
        V col[G][L];
        for (int g = 0; g < groups; ++g)
            Ops::load_transposed(b + g * L * csb + p0, csb, col[g], width(g));
        for (int q = 0; q < L; ++q) {
            typename Ops::T* d = dst + (p0 + q) * NR;
            for (int g = 0; g < groups; ++g) {
                if (width(g) < L && (p0 + q) * NR + g * L + L > kc * NR) {
                    Ops::store_n(d + g * L, col[g][q], width(g));
                } else {
                    Ops::store(d + g * L, col[g][q]);
                }
            }
        }
    }
    for (; p0 < kc; ++p0)
        for (index_t j = 0; j < w; ++j) dst[p0 * NR + j] = b[j * csb + p0];
}
