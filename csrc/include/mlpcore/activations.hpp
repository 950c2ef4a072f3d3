// Activation functions: forward a = f(z) and backward grad_z = grad_a * f'(z).
//
// Shapes: every operand is (n, k) (one sample per row); softmax works row-wise, all
//   others elementwise. Any element strides.
// Numerics (precision T throughout; the NumPy twin uses the same formulas):
//   linear     a = z                          grad_z = grad_a
//   sigmoid    a = 1/(1+exp(-z)) for z >= 0, e/(1+e) with e = exp(z) otherwise (no
//              overflow for any finite z)     grad_z = grad_a * (a * (1 - a))
//   tanh       a = tanh(z)                    grad_z = grad_a * (1 - a*a)
//   relu       a = z > 0 ? z : 0              grad_z = z > 0 ? grad_a : 0
//   leaky_relu a = z > 0 ? z : 0.01 z         grad_z = z > 0 ? grad_a : 0.01 grad_a
//   softmax    a_ij = exp(z_ij - max_j z_ij) / s_i, s_i summed in double;
//              grad_z_ij = a_ij * (grad_a_ij - d_i), d_i = sum_j grad_a_ij a_ij
//              (double)
// Aliasing: the output may be the very same view as one input (in-place), otherwise it
//   must not overlap the inputs.
// Threads: single-threaded, reentrant.
// Errors: ShapeError on mismatched shapes.
#pragma once

#include <optional>
#include <string_view>

#include "mlpcore/view.hpp"

namespace mlpcore {

enum class Activation { linear, sigmoid, tanh, relu, leaky_relu, softmax };

inline constexpr Activation kActivations[] = {
    Activation::linear, Activation::sigmoid,    Activation::tanh,
    Activation::relu,   Activation::leaky_relu, Activation::softmax,
};

// The registry name of an activation ("linear", "sigmoid", ...).
const char* activation_name(Activation act) noexcept;
// The activation called `name`, or nullopt when there is none.
std::optional<Activation> activation_from_name(std::string_view name) noexcept;
// "linear, sigmoid, tanh, relu, leaky_relu, softmax" (for error messages).
const char* activation_names() noexcept;

template <class T>
void activation_forward(Activation act, MatrixView<const T> z, MatrixView<T> a);

// z is needed by relu/leaky_relu only, a by sigmoid/tanh/softmax; both must be given
// with grad_a's shape whatever the activation.
template <class T>
void activation_backward(Activation act, MatrixView<const T> z, MatrixView<const T> a,
                         MatrixView<const T> grad_a, MatrixView<T> grad_z);

}  // namespace mlpcore
