// Reference micro-kernels for any CPU: baseline flags only (SSE2 on x86-64, NEON on
// arm64 through the GCC/Clang vector extension; plain scalars elsewhere). Always built
// and always selectable, so every machine has a correct path. No FMA: each step is a
// separately rounded multiply and add (the build pins -ffp-contract=off).
//
// Tiles of 2 x 16-byte vectors x 4 broadcasts (8 x 4 f32, 4 x 4 f64): 8 accumulators
// leave room for the temporaries of two-operand SSE arithmetic.
#include <cmath>
#include <cstring>

#include "kernel_table.hpp"

namespace mlpcore::kernels::generic {
namespace {

#if defined(__GNUC__) || defined(__clang__)
template <class TT, int Lanes>
struct VecOps {
    using T = TT;
    typedef TT V __attribute__((vector_size(sizeof(TT) * Lanes)));
    static constexpr int L = Lanes;
    static constexpr bool kMasked = false;
    static constexpr bool kHalf = false;
    static constexpr bool kPair = false;
    static V load(const T* p) {
        V v;
        __builtin_memcpy(&v, p, sizeof(V));
        return v;
    }
    static void store(T* p, V v) { __builtin_memcpy(p, &v, sizeof(V)); }
    static V set1(T x) { return V{} + x; }
    static V zero() { return V{}; }
    static V madd(V a, V b, V c) { return a * b + c; }
    static V mul(V a, V b) { return a * b; }
    static V add(V a, V b) { return a + b; }
};
using OpsF32 = VecOps<float, 4>;
using OpsF64 = VecOps<double, 2>;
#else
template <class TT>
struct VecOps {
    using T = TT;
    using V = TT;
    static constexpr int L = 1;
    static constexpr bool kMasked = false;
    static constexpr bool kHalf = false;
    static constexpr bool kPair = false;
    static V load(const T* p) { return *p; }
    static void store(T* p, V v) { *p = v; }
    static V set1(T x) { return x; }
    static V zero() { return T(0); }
    static V madd(V a, V b, V c) { return a * b + c; }
    static V mul(V a, V b) { return a * b; }
    static V add(V a, V b) { return a + b; }
};
using OpsF32 = VecOps<float>;
using OpsF64 = VecOps<double>;
#define __attribute__(x)
#endif

#include "scan_impl.hpp"
#include "tile_impl.hpp"
#include "update_impl.hpp"

double probe_f32(long iters, float* sink) { return fma_probe<OpsF32>(iters, sink); }
double probe_f64(long iters, double* sink) { return fma_probe<OpsF64>(iters, sink); }

const KernelTable kTable = {
    "generic",
    {2 * OpsF32::L, 4, tile_row_step<OpsF32>(), tile_unpadded_rows<OpsF32>(), 128, 4096,
     MLPCORE_TILES4(OpsF32), nullptr, nullptr, 4 * OpsF32::L, &tall_kernel<OpsF32, 4>,
     0, nullptr, nullptr, &rank1_kernel<OpsF32>},
    {2 * OpsF64::L, 4, tile_row_step<OpsF64>(), tile_unpadded_rows<OpsF64>(), 128, 4096,
     MLPCORE_TILES4(OpsF64), nullptr, nullptr, 4 * OpsF64::L, &tall_kernel<OpsF64, 4>,
     0, nullptr, nullptr, &rank1_kernel<OpsF64>},
    &probe_f32,
    &probe_f64,
    &max_magnitude_bits<float, std::int32_t>,
    &max_magnitude_bits<double, std::int64_t>,
    MLPCORE_UPDATE_KERNELS(float),
    MLPCORE_UPDATE_KERNELS(double),
};

}  // namespace
}  // namespace mlpcore::kernels::generic

extern "C" const mlpcore::kernels::KernelTable* mlpcore_kernels_generic() {
    return &mlpcore::kernels::generic::kTable;
}
