// Non-owning strided views: the only array types the kernels see.
//
// Contract
//   MatrixView<T>: element (i, j) lives at data[i * row_stride + j * col_stride], for
//   0 <= i < rows, 0 <= j < cols. Strides are in ELEMENTS (not bytes) and may be zero,
//   negative or arbitrary; nothing is assumed about contiguity. A view with rows == 0
//   or cols == 0 is valid and never dereferenced. VectorView<T> is the 1-D analogue.
//   Views never own or free memory; the caller keeps the storage alive while a kernel
//   runs. Views are trivially copyable values and are safe to share between threads;
//   concurrent writes through views are the caller's responsibility (see each kernel's
//   aliasing rules).
#pragma once

#include <cstddef>
#include <type_traits>

namespace mlpcore {

using index_t = std::ptrdiff_t;

template <class T>
struct VectorView {
    T* data = nullptr;
    index_t size = 0;
    index_t stride = 1;

    constexpr VectorView() = default;
    constexpr VectorView(T* d, index_t n, index_t s = 1)
        : data(d), size(n), stride(s) {}

    // Implicit view-to-const conversion (VectorView<double> -> VectorView<const
    // double>).
    template <class U, class = std::enable_if_t<std::is_same_v<const U, T> &&
                                                !std::is_same_v<U, T>>>
    constexpr VectorView(const VectorView<U>& o)  // NOLINT(google-explicit-constructor)
        : data(o.data), size(o.size), stride(o.stride) {}

    constexpr T& operator[](index_t i) const { return data[i * stride]; }
    constexpr bool empty() const { return size <= 0; }
    constexpr bool contiguous() const { return stride == 1; }
};

template <class T>
struct MatrixView {
    T* data = nullptr;
    index_t rows = 0;
    index_t cols = 0;
    index_t row_stride = 0;
    index_t col_stride = 1;

    constexpr MatrixView() = default;
    constexpr MatrixView(T* d, index_t r, index_t c, index_t rs, index_t cs)
        : data(d), rows(r), cols(c), row_stride(rs), col_stride(cs) {}

    // Implicit view-to-const conversion.
    template <class U, class = std::enable_if_t<std::is_same_v<const U, T> &&
                                                !std::is_same_v<U, T>>>
    constexpr MatrixView(const MatrixView<U>& o)  // NOLINT(google-explicit-constructor)
        : data(o.data),
          rows(o.rows),
          cols(o.cols),
          row_stride(o.row_stride),
          col_stride(o.col_stride) {}

    // A C-contiguous (row-major) rows x cols view of `d`.
    static constexpr MatrixView row_major(T* d, index_t r, index_t c) {
        return MatrixView(d, r, c, c, 1);
    }
    // A 1 x n view of a vector (how 1-D arrays enter 2-D kernels).
    static constexpr MatrixView from_vector(VectorView<T> v) {
        return MatrixView(v.data, 1, v.size, 0, v.stride);
    }

    constexpr T& operator()(index_t i, index_t j) const {
        return data[i * row_stride + j * col_stride];
    }
    constexpr T* row_ptr(index_t i) const { return data + i * row_stride; }
    constexpr VectorView<T> row(index_t i) const {
        return VectorView<T>(row_ptr(i), cols, col_stride);
    }
    constexpr VectorView<T> col(index_t j) const {
        return VectorView<T>(data + j * col_stride, rows, row_stride);
    }
    // Rows [r0, r0 + nr) and columns [c0, c0 + nc); the caller keeps them in range.
    constexpr MatrixView block(index_t r0, index_t c0, index_t nr, index_t nc) const {
        return MatrixView(data + r0 * row_stride + c0 * col_stride, nr, nc, row_stride,
                          col_stride);
    }
    constexpr MatrixView transposed() const {
        return MatrixView(data, cols, rows, col_stride, row_stride);
    }
    constexpr bool empty() const { return rows <= 0 || cols <= 0; }
    constexpr index_t size() const { return rows * cols; }
    constexpr bool same_shape(index_t r, index_t c) const {
        return rows == r && cols == c;
    }
    template <class U>
    constexpr bool same_shape(const MatrixView<U>& o) const {
        return rows == o.rows && cols == o.cols;
    }
};

}  // namespace mlpcore
