// Internal: row-wise elementwise loops over strided views (not a public header).
//
// Each helper walks rows in order and columns in order, calling f on the elements at
// the same (i, j) of every operand; a stride-1 branch lets the compiler vectorize the
// common contiguous case. The output may be the very same view as an input (each
// element is read before it is written), but must not partially overlap one.
#pragma once

#include "mlpcore/view.hpp"

namespace mlpcore::detail {

template <class T, class F>
void map1(MatrixView<const T> x, MatrixView<T> out, F f) {
    for (index_t i = 0; i < out.rows; ++i) {
        const T* xr = x.row_ptr(i);
        T* o = out.row_ptr(i);
        if (x.col_stride == 1 && out.col_stride == 1) {
            for (index_t j = 0; j < out.cols; ++j) o[j] = f(xr[j]);
        } else {
            for (index_t j = 0; j < out.cols; ++j)
                o[j * out.col_stride] = f(xr[j * x.col_stride]);
        }
    }
}

template <class T, class F>
void map2(MatrixView<const T> x, MatrixView<const T> y, MatrixView<T> out, F f) {
    for (index_t i = 0; i < out.rows; ++i) {
        const T* xr = x.row_ptr(i);
        const T* yr = y.row_ptr(i);
        T* o = out.row_ptr(i);
        if (x.col_stride == 1 && y.col_stride == 1 && out.col_stride == 1) {
            for (index_t j = 0; j < out.cols; ++j) o[j] = f(xr[j], yr[j]);
        } else {
            for (index_t j = 0; j < out.cols; ++j)
                o[j * out.col_stride] = f(xr[j * x.col_stride], yr[j * y.col_stride]);
        }
    }
}

// Calls f(x_ij, y_ij) for every element in row-major order (reductions).
template <class T, class F>
void visit2(MatrixView<const T> x, MatrixView<const T> y, F f) {
    for (index_t i = 0; i < x.rows; ++i) {
        const T* xr = x.row_ptr(i);
        const T* yr = y.row_ptr(i);
        for (index_t j = 0; j < x.cols; ++j)
            f(xr[j * x.col_stride], yr[j * y.col_stride]);
    }
}

}  // namespace mlpcore::detail
