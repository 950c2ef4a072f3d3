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
//     A(i, p) * B(p, j) in precision T, one multiply-add per step - fused (FMA) with
//     the avx2/avx512 kernels, a separate multiply and add with the generic ones -
//     followed by the epilogue alpha * sum (+ beta * C), unfused. Partial sums
//     between K blocks are stored exactly in T, so neither the blocking, the packed
//     or in-place path, the thread count nor the choice between avx2 and avx512
//     changes a bit (generic differs from them by the FMA roundings only).
//     The exception, on avx2/avx512: when C is a single row or column, each output
//     is the dot product of the one k-vector (A's row, or B's column) with a k-vector
//     of the other operand, and those sum in lanes - lane l of an 8-wide (float64:
//     4-wide) vector takes p = l, l + 8 (4), ... in order, then the lanes are added
//     as ((l0 + l1) + (l2 + l3)) + ((l4 + l5) + (l6 + l7)) (float64: (l0 + l1) + (l2
//     + l3)), then alpha and beta as above - except where that other operand is
//     contiguous along the outputs and C has more than one element (a row-major B
//     for a single row of C, as W in x W at batch 1; a column-major A for a single
//     column), which keeps the chain. Also independent of the thread count and the
//     same on avx2 and avx512, but not the bits of that row inside a batch (as for
//     one sample's input gradient dY W^T).
// Aliasing: C must not overlap A or B (A and B may overlap each other).
// Threads: uses up to get_num_threads() workers (a persistent pool; one per 400k of
//   m*n*k, so small products stay on the caller), split over C's rows or columns -
//   or, inside the training engine, over k into consecutive stretches of every
//   chain, each thread continuing the one before (the same chains, so the same
//   bits). Safe to call concurrently from several threads with disjoint
//   outputs (packing buffers are thread-local; a caller finding the pool busy runs
//   on its own thread). Works in a child after fork().
// Kernels: chosen once per process (MLPCORE_ISA or the CPU's widest); see
//   runtime.hpp kernel_isa().
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
