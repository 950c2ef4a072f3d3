// Whole-array passes of the data path, run on the worker pool: gathering a minibatch's
// rows and bounding an array's magnitudes. Their results do not depend on the thread
// count (row copies and a maximum do not depend on how the rows are split).
#pragma once

#include <cstddef>
#include <cstdint>

#include "mlpcore/view.hpp"

namespace mlpcore {

// For i in [0, m): copies `row_bytes` bytes from base + rows[i] * row_stride (bytes) to
// out + i * row_bytes. The caller keeps every rows[i] in range and `out` (m * row_bytes
// bytes) apart from the source. Copies of more than a few rows are split over the
// pool; if the pool cannot start, the calling thread copies everything. Never throws:
// the Cython data source calls it without the GIL, through `RowsApi`.
void gather_rows(const char* base, std::ptrdiff_t row_stride, std::size_t row_bytes,
                 const std::int64_t* rows, index_t m, char* out) noexcept;

// max |v| over the view as a double; +inf when any element is NaN or Inf. Large views
// are scanned in row blocks on the pool.
template <class T>
double max_abs(MatrixView<const T> v);

// The table `_core` exports as the capsule "mlpcore._core.rows_api", so that another
// extension module (python/mlpcore/_dataset.pyx) reaches the same pool and thread
// count as the kernels: linking this library a second time would start a second pool.
struct RowsApi {
    int version;  // kRowsApiVersion; grows when a field is added at the end
    void (*gather_rows)(const char* base, std::ptrdiff_t row_stride,
                        std::size_t row_bytes, const std::int64_t* rows, index_t m,
                        char* out) noexcept;
};
inline constexpr int kRowsApiVersion = 1;
inline constexpr const char* kRowsApiName = "mlpcore._core.rows_api";

const RowsApi& rows_api() noexcept;

}  // namespace mlpcore
