// AVX2 + FMA micro-kernels (compiled with -mavx2 -mfma for this file only).
//
// Column-major tiles of 2 ymm vectors x 6 broadcasts: 16 x 6 (f32), 8 x 6 (f64); 12
// accumulators + 2 A vectors + 1 broadcast = 15 of the 16 ymm registers.
// Block sizes: the A block (MC x KC) fills about half of a 512 KiB-1 MiB L2, a B
// micro-panel (KC x NR) a third of L1d.
#include <immintrin.h>

#include <cmath>
#include <cstring>

#include "kernel_table.hpp"

#if !defined(__AVX2__) || !defined(__FMA__)
#error "avx2.cpp must be compiled with -mavx2 -mfma"
#endif

namespace mlpcore::kernels::avx2 {
namespace {

#include "ymm_ops.hpp"  // OpsF32, OpsF64
// The templates instantiated with them:
#include "pack_impl.hpp"
#include "scan_impl.hpp"
#include "tile_impl.hpp"
#include "update_impl.hpp"

double probe_f32(long iters, float* sink) { return fma_probe<OpsF32>(iters, sink); }
double probe_f64(long iters, double* sink) { return fma_probe<OpsF64>(iters, sink); }

const KernelTable kTable = {
    "avx2",
    {16, 6, tile_row_step<OpsF32>(), tile_unpadded_rows<OpsF32>(), 144, 4080,
     MLPCORE_TILES6(OpsF32), &pack_a_kmajor<OpsF32>, &pack_b_kmajor<OpsF32, 6>, 64,
     &tall_kernel<OpsF32, 8>, 8, &dot_rows_kernel<OpsF32, 8>,
     &gemv_rows_streams<OpsF32>, &rank1_kernel<OpsF32>},
    {8, 6, tile_row_step<OpsF64>(), tile_unpadded_rows<OpsF64>(), 96, 4080,
     MLPCORE_TILES6(OpsF64), &pack_a_kmajor<OpsF64>, &pack_b_kmajor<OpsF64, 6>, 32,
     &tall_kernel<OpsF64, 8>, 8, &dot_rows_kernel<OpsF64, 8>,
     &gemv_rows_streams<OpsF64>, &rank1_kernel<OpsF64>},
    &probe_f32,
    &probe_f64,
    &max_magnitude_bits<float, std::int32_t>,
    &max_magnitude_bits<double, std::int64_t>,
    MLPCORE_UPDATE_KERNELS(float),
    MLPCORE_UPDATE_KERNELS(double),
};

}  // namespace
}  // namespace mlpcore::kernels::avx2

extern "C" const mlpcore::kernels::KernelTable* mlpcore_kernels_avx2() {
    return &mlpcore::kernels::avx2::kTable;
}
