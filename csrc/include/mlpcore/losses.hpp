// Cost functions: value, gradient with respect to y_pred, and the fused output-layer
// gradient.
//
// Shapes: y_pred p is (n, k), n = number of samples (rows). Targets come either as a
//   float matrix y of p's shape, or as integer labels (n,) with values in [0, k)
//   (cross_entropy only). Any element strides.
// Numerics (eps = std::numeric_limits<T>::epsilon(); elementwise terms in T, sums in
//   double; the NumPy twin uses the same formulas):
//   quadratic             C = 1/2 sum (p - y)^2                grad = p - y
//   mse                   C = sum (p - y)^2 / (n k)            grad = 2 (p - y) / (n k)
//   binary_cross_entropy  q = clip(p, eps, 1 - eps)
//                         C = -(1/n) sum [y ln q + (1 - y) ln(1 - q)]
//                         grad = (q - y) / (q (1 - q)) / n
//   cross_entropy         q = max(p, eps); C = -(1/n) sum y ln q; grad = -y / q / n
//                         labels: C = -(1/n) sum_i ln q[i, l_i];
//                         grad = 0 except grad[i, l_i] = -1 / q[i, l_i] / n
//   output_grad(act, loss) = dC/dz: (softmax, cross_entropy) -> (a - onehot(y)) / n;
//                         (sigmoid, binary_cross_entropy) -> (a - y) / n; otherwise
//                         activation_backward(act, z, a, loss_grad(loss, a, y)).
// Blocks: loss_grad and output_grad take the batch's row count n as `batch` when their
//   matrices are a block of rows of a larger batch (0: their own rows), so a batch
//   computed block by block gets the bits it gets whole.
// Aliasing: gradient outputs must not overlap any input.
// Threads: single-threaded, reentrant.
// Errors: ShapeError on mismatched shapes, ValueError for labels with a loss other than
//   cross_entropy or a label outside [0, k) (checked before anything is written).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "mlpcore/activations.hpp"
#include "mlpcore/view.hpp"

namespace mlpcore {

enum class Loss { quadratic, mse, binary_cross_entropy, cross_entropy };

inline constexpr Loss kLosses[] = {Loss::quadratic, Loss::mse,
                                   Loss::binary_cross_entropy, Loss::cross_entropy};

const char* loss_name(Loss loss) noexcept;
std::optional<Loss> loss_from_name(std::string_view name) noexcept;
// "quadratic, mse, binary_cross_entropy, cross_entropy" (for error messages).
const char* loss_names() noexcept;

// Integer class labels, one per row of y_pred.
using Labels = VectorView<const std::int64_t>;

template <class T>
double loss_value(Loss loss, MatrixView<const T> y_pred, MatrixView<const T> y_true);
template <class T>
double loss_value(Loss loss, MatrixView<const T> y_pred, Labels labels);

template <class T>
void loss_grad(Loss loss, MatrixView<const T> y_pred, MatrixView<const T> y_true,
               MatrixView<T> grad, index_t batch = 0);
template <class T>
void loss_grad(Loss loss, MatrixView<const T> y_pred, Labels labels, MatrixView<T> grad,
               index_t batch = 0);

template <class T>
void output_grad(Activation act, Loss loss, MatrixView<const T> z,
                 MatrixView<const T> a, MatrixView<const T> y_true,
                 MatrixView<T> grad_z, index_t batch = 0);
template <class T>
void output_grad(Activation act, Loss loss, MatrixView<const T> z,
                 MatrixView<const T> a, Labels labels, MatrixView<T> grad_z,
                 index_t batch = 0);

}  // namespace mlpcore
