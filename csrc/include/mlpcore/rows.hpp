// Whole-array passes of the data path, run on the worker pool: gathering a minibatch's
// rows and bounding an array's magnitudes. Their results do not depend on the thread
// count (row copies and a maximum do not depend on how the rows are split).
#pragma once

#include <cstddef>
#include <cstdint>

#include "mlpcore/view.hpp"

namespace mlpcore {

// For i in [0, m): row rows[i] of a float32 (src_f64 false) or float64 matrix whose
// rows hold `cols` contiguous values and start `row_stride` bytes apart from `base`,
// written to row i of `out`, a C-contiguous (m, cols) float32 (dst_f64 false) or
// float64 matrix: copied, or converted as NumPy's astype does (float64 -> float32
// rounds to nearest). The caller keeps every rows[i] in range and `out` apart from the
// source. Batches of more than a few rows are split over the pool; if the pool cannot
// start, the calling thread does it all. Never throws: the Cython data source calls it
// without the GIL, through `RowsApi`.
void gather_rows(const char* base, std::ptrdiff_t row_stride, bool src_f64,
                 const std::int64_t* rows, index_t m, index_t cols, void* out,
                 bool dst_f64) noexcept;

// max |v| over the view as a double; +inf when any element is NaN or Inf. Large views
// are scanned in row blocks on the pool.
template <class T>
double max_abs(MatrixView<const T> v);

// The table `_core` exports as the capsule "mlpcore._core.rows_api", so that another
// extension module (python/mlpcore/_dataset.pyx) reaches the same pool and thread
// count as the kernels: linking this library a second time would start a second pool.
struct RowsApi {
    int version;  // kRowsApiVersion; grows when a field is added at the end
    void (*gather_rows)(const char* base, std::ptrdiff_t row_stride, bool src_f64,
                        const std::int64_t* rows, index_t m, index_t cols, void* out,
                        bool dst_f64) noexcept;
};
inline constexpr int kRowsApiVersion = 2;
inline constexpr const char* kRowsApiName = "mlpcore._core.rows_api";

const RowsApi& rows_api() noexcept;

}  // namespace mlpcore
