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
// Elements per part of a parallel magnitude scan.
constexpr index_t kScanPartElements = index_t{1} << 18;

// Parts for `threads` threads: a few per thread, so a busy core's share is picked up
// by the other (parallel_run claims parts dynamically).
int parts_for(int threads, index_t units) {
    return static_cast<int>(std::min<index_t>(units, index_t{4} * threads));
}

// Rows of a matrix of S (contiguous rows, `row_stride` bytes apart) into a C-contiguous
// matrix of D.
template <class S, class D>
struct Gather {
    const char* base;
    std::ptrdiff_t row_stride;
    const std::int64_t* rows;
    index_t m, cols;
    D* out;
    int parts;

    void copy(index_t i0, index_t i1) const {
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
    static void part(void* ctx, int t) {
        const auto& g = *static_cast<const Gather*>(ctx);
        g.copy(g.m * t / g.parts, g.m * (t + 1) / g.parts);
    }
    void run() {
        const int threads = get_num_threads();
        const auto bytes = static_cast<std::size_t>(m * cols) * sizeof(D);
        if (threads > 1 && bytes >= kParallelGatherBytes) {
            parts = parts_for(threads, m);
            try {
                detail::parallel_run(parts, threads, &part, this);
                return;
            } catch (...) {  // no worker could start (copying itself never throws)
            }
        }
        copy(0, m);
    }
};

template <class S, class D>
void gather_as(const char* base, std::ptrdiff_t row_stride, const std::int64_t* rows,
               index_t m, index_t cols, void* out) {
    Gather<S, D>{base, row_stride, rows, m, cols, static_cast<D*>(out), 1}.run();
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
struct Scan {
    MatrixView<const T> v;
    int parts;
    Bits<T> result[64];  // one per part (parts <= 4 * threads is capped to fit)

    static void part(void* ctx, int t) {
        auto& s = *static_cast<Scan*>(ctx);
        s.result[t] =
            max_abs_bits<T>(s.v, s.v.rows * t / s.parts, s.v.rows * (t + 1) / s.parts);
    }
};

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
    const int threads = get_num_threads();
    if (threads <= 1 || v.size() < 2 * kScanPartElements)
        return as_magnitude<T>(max_abs_bits<T>(v, 0, v.rows));
    Scan<T> s{v, 1, {}};
    const index_t units = std::max<index_t>(1, v.size() / kScanPartElements);
    s.parts = std::min(parts_for(threads, std::min(units, v.rows)), 64);
    detail::parallel_run(s.parts, threads, &Scan<T>::part, &s);
    return as_magnitude<T>(*std::max_element(s.result, s.result + s.parts));
}

template double max_abs<float>(MatrixView<const float>);
template double max_abs<double>(MatrixView<const double>);

const RowsApi& rows_api() noexcept {
    static constexpr RowsApi api{kRowsApiVersion, &gather_rows};
    return api;
}

}  // namespace mlpcore
