// Cost functions, their gradients and the fused output-layer gradient (see losses.hpp).
#include "mlpcore/losses.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "elementwise.hpp"
#include "mlpcore/errors.hpp"

namespace mlpcore {
namespace {

// The rows a mean is taken over: the whole batch's when given (see losses.hpp).
template <class T>
index_t batch_rows(const MatrixView<const T>& p, index_t batch) {
    return batch > 0 ? batch : p.rows;
}

template <class T>
constexpr T kEps = std::numeric_limits<T>::epsilon();

template <class T>
T clip_unit(T p) {  // clip(p, eps, 1 - eps) for binary cross-entropy
    return std::min(std::max(p, kEps<T>), T(1) - kEps<T>);
}

std::string shape_str(index_t r, index_t c) {
    return "(" + std::to_string(r) + ", " + std::to_string(c) + ")";
}

template <class T, class U>
void check_same_shape(const char* what, const MatrixView<T>& ref,
                      const MatrixView<U>& v) {
    if (!ref.same_shape(v)) {
        throw ShapeError(std::string(what) + ": shape " + shape_str(v.rows, v.cols) +
                         " differs from " + shape_str(ref.rows, ref.cols));
    }
}

template <class T>
void check_labels(Loss loss, MatrixView<const T> p, Labels labels) {
    if (loss != Loss::cross_entropy) {
        throw ValueError(
            std::string("integer labels are accepted only by cross_entropy, not ") +
            loss_name(loss));
    }
    if (labels.size != p.rows) {
        throw ShapeError("labels: length " + std::to_string(labels.size) +
                         " differs from " + std::to_string(p.rows) + " rows");
    }
    for (index_t i = 0; i < labels.size; ++i) {
        if (labels[i] < 0 || labels[i] >= p.cols) {
            throw ValueError("labels: value " + std::to_string(labels[i]) +
                             " at index " + std::to_string(i) + " is outside [0, " +
                             std::to_string(p.cols) + ")");
        }
    }
}

}  // namespace

const char* loss_name(Loss loss) noexcept {
    switch (loss) {
        case Loss::quadratic: return "quadratic";
        case Loss::mse: return "mse";
        case Loss::binary_cross_entropy: return "binary_cross_entropy";
        case Loss::cross_entropy: return "cross_entropy";
    }
    return "?";
}

std::optional<Loss> loss_from_name(std::string_view name) noexcept {
    for (Loss loss : kLosses)
        if (name == loss_name(loss)) return loss;
    return std::nullopt;
}

const char* loss_names() noexcept {
    return "quadratic, mse, binary_cross_entropy, cross_entropy";
}

template <class T>
double loss_value(Loss loss, MatrixView<const T> p, MatrixView<const T> y) {
    check_same_shape("loss: y_true", p, y);
    const double n = static_cast<double>(p.rows);
    double s = 0.0;
    switch (loss) {
        case Loss::quadratic:
            detail::visit2(p, y, [&](T pv, T yv) {
                const T d = pv - yv;
                s += static_cast<double>(d * d);
            });
            return 0.5 * s;
        case Loss::mse:
            detail::visit2(p, y, [&](T pv, T yv) {
                const T d = pv - yv;
                s += static_cast<double>(d * d);
            });
            return s / (n * static_cast<double>(p.cols));
        case Loss::binary_cross_entropy:
            detail::visit2(p, y, [&](T pv, T yv) {
                const T q = clip_unit(pv);
                s += static_cast<double>(yv * std::log(q) +
                                         (T(1) - yv) * std::log(T(1) - q));
            });
            return -s / n;
        case Loss::cross_entropy:
            detail::visit2(p, y, [&](T pv, T yv) {
                s += static_cast<double>(yv * std::log(std::max(pv, kEps<T>)));
            });
            return -s / n;
    }
    throw ValueError("loss: unknown loss");
}

template <class T>
double loss_value(Loss loss, MatrixView<const T> p, Labels labels) {
    check_labels(loss, p, labels);
    double s = 0.0;
    for (index_t i = 0; i < p.rows; ++i)
        s += static_cast<double>(std::log(std::max(p(i, labels[i]), kEps<T>)));
    return -s / static_cast<double>(p.rows);
}

template <class T>
void loss_grad(Loss loss, MatrixView<const T> p, MatrixView<const T> y, MatrixView<T> g,
               index_t batch) {
    check_same_shape("loss_grad: y_true", p, y);
    check_same_shape("loss_grad: grad", p, g);
    const T n = static_cast<T>(batch_rows(p, batch));
    using detail::map2;
    switch (loss) {
        case Loss::quadratic: map2(p, y, g, [](T pv, T yv) { return pv - yv; }); return;
        case Loss::mse: {
            const T nk = static_cast<T>(batch_rows(p, batch) * p.cols);
            map2(p, y, g, [nk](T pv, T yv) { return T(2) * (pv - yv) / nk; });
            return;
        }
        case Loss::binary_cross_entropy:
            map2(p, y, g, [n](T pv, T yv) {
                const T q = clip_unit(pv);
                return (q - yv) / (q * (T(1) - q)) / n;
            });
            return;
        case Loss::cross_entropy:
            map2(p, y, g, [n](T pv, T yv) { return -yv / std::max(pv, kEps<T>) / n; });
            return;
    }
    throw ValueError("loss_grad: unknown loss");
}

template <class T>
void loss_grad(Loss loss, MatrixView<const T> p, Labels labels, MatrixView<T> g,
               index_t batch) {
    check_labels(loss, p, labels);
    check_same_shape("loss_grad: grad", p, g);
    const T n = static_cast<T>(batch_rows(p, batch));
    for (index_t i = 0; i < p.rows; ++i) {
        const VectorView<T> gr = g.row(i);
        for (index_t j = 0; j < gr.size; ++j) gr[j] = T(0);
        const index_t l = labels[i];
        gr[l] = T(-1) / std::max(p(i, l), kEps<T>) / n;
    }
}

template <class T>
void output_grad(Activation act, Loss loss, MatrixView<const T> z,
                 MatrixView<const T> a, MatrixView<const T> y, MatrixView<T> gz,
                 index_t batch) {
    check_same_shape("output_grad: z", a, z);
    check_same_shape("output_grad: y_true", a, y);
    check_same_shape("output_grad: grad_z", a, gz);
    if ((act == Activation::softmax && loss == Loss::cross_entropy) ||
        (act == Activation::sigmoid && loss == Loss::binary_cross_entropy)) {
        const T n = static_cast<T>(batch_rows(a, batch));
        detail::map2(a, y, gz, [n](T av, T yv) { return (av - yv) / n; });
        return;
    }
    loss_grad(loss, a, y, gz, batch);
    activation_backward<T>(act, z, a, gz, gz);  // in place: allowed by its contract
}

template <class T>
void output_grad(Activation act, Loss loss, MatrixView<const T> z,
                 MatrixView<const T> a, Labels labels, MatrixView<T> gz,
                 index_t batch) {
    check_labels(loss, a, labels);
    check_same_shape("output_grad: z", a, z);
    check_same_shape("output_grad: grad_z", a, gz);
    if (act == Activation::softmax) {
        const T n = static_cast<T>(batch_rows(a, batch));
        for (index_t i = 0; i < a.rows; ++i) {
            const VectorView<const T> ar = a.row(i);
            const VectorView<T> gr = gz.row(i);
            const index_t l = labels[i];
            for (index_t j = 0; j < ar.size; ++j) gr[j] = ar[j] / n;
            gr[l] = (ar[l] - T(1)) / n;
        }
        return;
    }
    loss_grad(loss, a, labels, gz, batch);
    activation_backward<T>(act, z, a, gz, gz);
}

#define MLPCORE_INSTANTIATE(T)                                                     \
    template double loss_value<T>(Loss, MatrixView<const T>, MatrixView<const T>); \
    template double loss_value<T>(Loss, MatrixView<const T>, Labels);              \
    template void loss_grad<T>(Loss, MatrixView<const T>, MatrixView<const T>,     \
                               MatrixView<T>, index_t);                            \
    template void loss_grad<T>(Loss, MatrixView<const T>, Labels, MatrixView<T>,   \
                               index_t);                                           \
    template void output_grad<T>(Activation, Loss, MatrixView<const T>,            \
                                 MatrixView<const T>, MatrixView<const T>,         \
                                 MatrixView<T>, index_t);                          \
    template void output_grad<T>(Activation, Loss, MatrixView<const T>,            \
                                 MatrixView<const T>, Labels, MatrixView<T>, index_t);
MLPCORE_INSTANTIATE(float)
MLPCORE_INSTANTIATE(double)
#undef MLPCORE_INSTANTIATE

}  // namespace mlpcore
