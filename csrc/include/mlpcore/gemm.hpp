// General matrix product: the single GEMM entry point of mlpcore.
//
//   C <- alpha * A * B + beta * C
//
// Shapes: A is (m, k), B is (k, n), C is (m, n). Transposes are expressed by passing
// A.transposed() / B.transposed(): views may have any element strides (negative,
// Fortran order, ...); packing absorbs them, so no caller ever copies an operand.
// Semantics:
//   - When beta == 0, C is write-only: it is never read (it may hold NaN or garbage).
//   - k == 0 gives C <- beta * C (or zeros when beta == 0).
//   - Every element C(i, j) is the sequential sum over p = 0, 1, ..., k-1 of
//     A(i, p) * B(p, j) in precision T (separate multiply and add, no FMA contraction),
//     followed by the epilogue alpha * sum (+ beta * C). Blocking and thread count
//     never change this order, so results are bit-identical for any set_num_threads()
//     value.
// Aliasing: C must not overlap A or B (A and B may overlap each other).
// Threads: uses up to get_num_threads() workers for products with m*n*k >= 2^22, split
//   over C's rows or columns, never over k. Safe to call concurrently from several
//   threads with disjoint outputs (packing buffers are thread-local).
// Errors: throws ShapeError when the shapes do not match.
#pragma once

#include "mlpcore/view.hpp"

namespace mlpcore {

template <class T>
void gemm(T alpha, MatrixView<const T> a, MatrixView<const T> b, T beta,
          MatrixView<T> c);

extern template void gemm<float>(float, MatrixView<const float>,
                                 MatrixView<const float>, float, MatrixView<float>);
extern template void gemm<double>(double, MatrixView<const double>,
                                  MatrixView<const double>, double, MatrixView<double>);

}  // namespace mlpcore
