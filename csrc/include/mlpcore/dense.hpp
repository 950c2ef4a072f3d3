// Dense (fully connected) layer: z = x W + b, a = f(z), and its backward pass.
//
// Shapes: x (n, i), W (i, o), b (o,), z / a / grad_a (n, o); grad_x (n, i),
//   grad_W (i, o), grad_b (o,). Any element strides for every operand.
// Numerics: z is computed by gemm (see gemm.hpp); bias and activation are fused into
//   its epilogue, applied to each block of z right after the block's final values are
//   stored (z_ij = (x W)_ij + b_j in T; softmax, being row-wise, runs after the
//   product). Backward: grad_z = activation_backward(...) row by row, each row added
//   into grad_b in the same pass (grad_b_j = sum over rows of grad_z in T,
//   sequentially from row 0; a linear layer uses grad_a directly), then grad_W =
//   x^T grad_z and grad_x = grad_z W^T through gemm on transposed views (no copies).
// Aliasing: outputs must not overlap each other or any input.
// Threads: the GEMMs may use get_num_threads() workers; results do not depend on it.
// Errors: ShapeError on mismatched shapes.
#pragma once

#include "mlpcore/activations.hpp"
#include "mlpcore/view.hpp"

namespace mlpcore {

template <class T>
void dense_forward(MatrixView<const T> x, MatrixView<const T> w, VectorView<const T> b,
                   Activation act, MatrixView<T> z, MatrixView<T> a);

// grad_x may be an empty view (data == nullptr) to skip the input gradient.
template <class T>
void dense_backward(MatrixView<const T> x, MatrixView<const T> w, MatrixView<const T> z,
                    MatrixView<const T> a, MatrixView<const T> grad_a, Activation act,
                    MatrixView<T> grad_x, MatrixView<T> grad_w, VectorView<T> grad_b);

}  // namespace mlpcore
