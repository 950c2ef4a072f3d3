// Row gathering and magnitude scans on the worker pool (see rows.hpp).
#include "mlpcore/rows.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>

#include "dispatch.hpp"
#include "mlpcore/runtime.hpp"
#include "thread_pool.hpp"

namespace mlpcore {
namespace {

// Below this many bytes written a second thread costs more than it saves (a minibatch
// of 32 rows of 784 float32, 100 KB, copies ~1.4x faster on two threads).
constexpr std::size_t kParallelGatherBytes = std::size_t{64} << 10;
// Elements per part of a parallel magnitude scan, and the most parts.
constexpr index_t kScanPartElements = index_t{1} << 18;
constexpr int kMaxScanParts = 64;

// Parts for `threads` threads: a few per thread, so a busy core's share is picked up
// by the other (parallel_run claims parts dynamically).
int parts_for(int threads, index_t units) {
    return static_cast<int>(std::min<index_t>(units, index_t{4} * threads));
}

// Calls body(t, i0, i1) for the `parts` near-equal blocks [i0, i1) of [0, rows), on up
// to `threads` threads (parallel_run claims the blocks dynamically).
template <class F>
void over_row_blocks(index_t rows, int parts, int threads, F& body) {
    struct Blocks {
        F* body;
        index_t rows;
        int parts;
    } blocks{&body, rows, parts};
    detail::parallel_run(
        parts, threads,
        [](void* ctx, int t) {
            const auto& b = *static_cast<const Blocks*>(ctx);
            (*b.body)(t, b.rows* t / b.parts, b.rows * (t + 1) / b.parts);
        },
        &blocks);
}

// Rows rows[i0..i1) of a matrix of S (contiguous rows, `row_stride` bytes apart) into
// rows i0..i1 of a C-contiguous matrix of D.
template <class S, class D>
void copy_rows(const char* base, std::ptrdiff_t row_stride, const std::int64_t* rows,
               index_t i0, index_t i1, index_t cols, D* out) {
    for (index_t i = i0; i < i1; ++i) {
        const char* src = base + rows[i] * row_stride;
        D* dst = out + i * cols;
        if constexpr (std::is_same_v<S, D>) {
            std::memcpy(dst, src, static_cast<std::size_t>(cols) * sizeof(D));
        } else {
            for (index_t j = 0; j < cols; ++j) {
                S value;  // by memcpy: the user's rows need not be aligned
                std::memcpy(&value, src + j * sizeof(S), sizeof(S));
                dst[j] = static_cast<D>(value);
            }
        }
    }
}

template <class S, class D>
void gather_as(const char* base, std::ptrdiff_t row_stride, const std::int64_t* rows,
               index_t m, index_t cols, void* dst) {
    D* out = static_cast<D*>(dst);
    auto copy = [&](int, index_t i0, index_t i1) {
        copy_rows<S, D>(base, row_stride, rows, i0, i1, cols, out);
    };
    const int threads = detail::kernel_threads();
    if (threads > 1 &&
        static_cast<std::size_t>(m * cols) * sizeof(D) >= kParallelGatherBytes) {
        try {
            over_row_blocks(m, parts_for(threads, m), threads, copy);
            return;
        } catch (...) {  // no worker could start (copying itself never throws)
        }
    }
    copy(0, 0, m);
}

// The signed integer of T's size (the kernels' max_bits_* read values as it).
template <class T>
using Bits = std::conditional_t<sizeof(T) == 4, std::int32_t, std::int64_t>;

// max over rows [i0, i1) of the bits of |v(i, j)|, by the selected ISA's loop (see
// KernelTable::max_bits_f32).
template <class T>
Bits<T> max_abs_bits(MatrixView<const T> v, index_t i0, index_t i1) {
    const kernels::KernelTable& k = detail::select_kernels();
    Bits<T> m = 0;
    for (index_t i = i0; i < i1; ++i) {
        if constexpr (std::is_same_v<T, float>) {
            m = k.max_bits_f32(v.row_ptr(i), v.cols, v.col_stride, m);
        } else {
            m = k.max_bits_f64(v.row_ptr(i), v.cols, v.col_stride, m);
        }
    }
    return m;
}

template <class T>
double as_magnitude(Bits<T> bits) {
    T out;
    std::memcpy(&out, &bits, sizeof(T));
    return std::isfinite(out) ? static_cast<double>(out)
                              : std::numeric_limits<double>::infinity();
}

}  // namespace

void gather_rows(const char* base, std::ptrdiff_t row_stride, bool src_f64,
                 const std::int64_t* rows, index_t m, index_t cols, void* out,
                 bool dst_f64) noexcept {
    if (src_f64) {
        dst_f64 ? gather_as<double, double>(base, row_stride, rows, m, cols, out)
                : gather_as<double, float>(base, row_stride, rows, m, cols, out);
    } else {
        dst_f64 ? gather_as<float, double>(base, row_stride, rows, m, cols, out)
                : gather_as<float, float>(base, row_stride, rows, m, cols, out);
    }
}

template <class T>
double max_abs(MatrixView<const T> v) {
    if (v.empty()) return 0.0;
    // A maximum ignores the order: scan a column-major view (Fortran-ordered X) by its
    // contiguous columns.
    if (v.col_stride != 1 && v.row_stride == 1) v = v.transposed();
    const int threads = detail::kernel_threads();
    if (threads <= 1 || v.size() < 2 * kScanPartElements)
        return as_magnitude<T>(max_abs_bits<T>(v, 0, v.rows));
    const index_t units = std::max<index_t>(1, v.size() / kScanPartElements);
    const int parts =
        std::min(parts_for(threads, std::min(units, v.rows)), kMaxScanParts);
    Bits<T> result[kMaxScanParts];
    auto scan = [&](int t, index_t i0, index_t i1) {
        result[t] = max_abs_bits<T>(v, i0, i1);
    };
    over_row_blocks(v.rows, parts, threads, scan);
    return as_magnitude<T>(*std::max_element(result, result + parts));
}

template double max_abs<float>(MatrixView<const float>);
template double max_abs<double>(MatrixView<const double>);

const RowsApi& rows_api() noexcept {
    static constexpr RowsApi api{kRowsApiVersion, &gather_rows};
    return api;
}

}  // namespace mlpcore
