// Activation functions, forward and backward (see activations.hpp for the formulas).
#include "mlpcore/activations.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "elementwise.hpp"
#include "mlpcore/errors.hpp"

namespace mlpcore {
namespace {

template <class T>
T sigmoid(T z) {
    // Both branches only ever exponentiate a non-positive number: no overflow.
    if (z >= T(0)) return T(1) / (T(1) + std::exp(-z));
    const T e = std::exp(z);
    return e / (T(1) + e);
}

template <class T>
constexpr T kLeakySlope = T(0.01);

template <class T>
void softmax_forward(MatrixView<const T> z, MatrixView<T> a) {
    for (index_t i = 0; i < z.rows; ++i) {
        const VectorView<const T> zr = z.row(i);
        const VectorView<T> ar = a.row(i);
        T m = zr[0];
        for (index_t j = 1; j < zr.size; ++j) m = std::max(m, zr[j]);
        double s = 0.0;
        for (index_t j = 0; j < zr.size; ++j) {
            const T e = std::exp(zr[j] - m);
            ar[j] = e;
            s += static_cast<double>(e);
        }
        const T st = static_cast<T>(s);
        for (index_t j = 0; j < ar.size; ++j) ar[j] = ar[j] / st;
    }
}

template <class T>
void softmax_backward(MatrixView<const T> a, MatrixView<const T> g, MatrixView<T> gz) {
    for (index_t i = 0; i < a.rows; ++i) {
        const VectorView<const T> ar = a.row(i);
        const VectorView<const T> gr = g.row(i);
        const VectorView<T> out = gz.row(i);
        double d = 0.0;
        for (index_t j = 0; j < ar.size; ++j) d += static_cast<double>(gr[j] * ar[j]);
        const T dt = static_cast<T>(d);
        for (index_t j = 0; j < ar.size; ++j) out[j] = ar[j] * (gr[j] - dt);
    }
}

template <class T, class U>
void check_same_shape(const char* what, const MatrixView<T>& ref,
                      const MatrixView<U>& v) {
    if (!ref.same_shape(v)) {
        throw ShapeError(std::string(what) + ": shape (" + std::to_string(v.rows) +
                         ", " + std::to_string(v.cols) + ") differs from (" +
                         std::to_string(ref.rows) + ", " + std::to_string(ref.cols) +
                         ")");
    }
}

}  // namespace

const char* activation_name(Activation act) noexcept {
    switch (act) {
        case Activation::linear: return "linear";
        case Activation::sigmoid: return "sigmoid";
        case Activation::tanh: return "tanh";
        case Activation::relu: return "relu";
        case Activation::leaky_relu: return "leaky_relu";
        case Activation::softmax: return "softmax";
    }
    return "?";
}

std::optional<Activation> activation_from_name(std::string_view name) noexcept {
    for (Activation act : kActivations)
        if (name == activation_name(act)) return act;
    return std::nullopt;
}

const char* activation_names() noexcept {
    return "linear, sigmoid, tanh, relu, leaky_relu, softmax";
}

template <class T>
void activation_forward(Activation act, MatrixView<const T> z, MatrixView<T> a) {
    check_same_shape("activation_forward: a", z, a);
    using detail::map1;
    switch (act) {
        case Activation::linear: map1(z, a, [](T v) { return v; }); return;
        case Activation::sigmoid: map1(z, a, [](T v) { return sigmoid(v); }); return;
        case Activation::tanh: map1(z, a, [](T v) { return std::tanh(v); }); return;
        case Activation::relu:
            map1(z, a, [](T v) { return v > T(0) ? v : T(0); });
            return;
        case Activation::leaky_relu:
            map1(z, a, [](T v) { return v > T(0) ? v : kLeakySlope<T> * v; });
            return;
        case Activation::softmax: softmax_forward(z, a); return;
    }
    throw ValueError("activation_forward: unknown activation");
}

template <class T>
void activation_backward(Activation act, MatrixView<const T> z, MatrixView<const T> a,
                         MatrixView<const T> grad_a, MatrixView<T> grad_z) {
    check_same_shape("activation_backward: z", grad_a, z);
    check_same_shape("activation_backward: a", grad_a, a);
    check_same_shape("activation_backward: grad_z", grad_a, grad_z);
    using detail::map1;
    using detail::map2;
    switch (act) {
        case Activation::linear: map1(grad_a, grad_z, [](T g) { return g; }); return;
        case Activation::sigmoid:
            map2(grad_a, a, grad_z, [](T g, T av) { return g * (av * (T(1) - av)); });
            return;
        case Activation::tanh:
            map2(grad_a, a, grad_z, [](T g, T av) { return g * (T(1) - av * av); });
            return;
        case Activation::relu:
            map2(grad_a, z, grad_z, [](T g, T zv) { return zv > T(0) ? g : T(0); });
            return;
        case Activation::leaky_relu:
            map2(grad_a, z, grad_z,
                 [](T g, T zv) { return zv > T(0) ? g : kLeakySlope<T> * g; });
            return;
        case Activation::softmax: softmax_backward(a, grad_a, grad_z); return;
    }
    throw ValueError("activation_backward: unknown activation");
}

#define MLPCORE_INSTANTIATE(T)                                                     \
    template void activation_forward<T>(Activation, MatrixView<const T>,           \
                                        MatrixView<T>);                            \
    template void activation_backward<T>(Activation, MatrixView<const T>,          \
                                         MatrixView<const T>, MatrixView<const T>, \
                                         MatrixView<T>);
MLPCORE_INSTANTIATE(float)
MLPCORE_INSTANTIATE(double)
#undef MLPCORE_INSTANTIATE

}  // namespace mlpcore
