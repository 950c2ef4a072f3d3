// Optimizer update steps, in place.
//
// Shapes: param, grad and every state array share one shape (rows, cols); a 1-D array
//   enters as a 1 x n view (MatrixView::from_vector). Any element strides.
// Numerics (in T; scalars arrive as double and are cast to T once):
//   sgd        p <- p - lr g
//   momentum   v <- mu v + g;  p <- p - lr (g + mu v) if nesterov else p <- p - lr v
//   adam       m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) (g g)
//              bc1 = 1 - b1^t, bc2 = 1 - b2^t (computed in double, then cast to T)
//              p <- p - lr (m / bc1) / (sqrt(v / bc2) + eps)
// Aliasing: param and the state arrays must not overlap each other or grad.
// Threads: single-threaded, reentrant.
// Errors: ShapeError on mismatched shapes, ValueError for adam step < 1.
#pragma once

#include <cstdint>

#include "mlpcore/view.hpp"

namespace mlpcore {

template <class T>
void sgd_step(MatrixView<T> param, MatrixView<const T> grad, double lr);

template <class T>
void momentum_step(MatrixView<T> param, MatrixView<const T> grad,
                   MatrixView<T> velocity, double lr, double momentum, bool nesterov);

template <class T>
void adam_step(MatrixView<T> param, MatrixView<const T> grad, MatrixView<T> m,
               MatrixView<T> v, double lr, double beta1, double beta2, double eps,
               std::int64_t step);

}  // namespace mlpcore
