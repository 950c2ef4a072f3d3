// Optimizer update steps (see optim.hpp for the formulas).
#include "mlpcore/optim.hpp"

#include <cmath>
#include <string>
#include <type_traits>

#include "dispatch.hpp"
#include "kernels/kernel_table.hpp"
#include "mlpcore/errors.hpp"

namespace mlpcore {
namespace {

using kernels::AdamScalars;

#include "kernels/update_impl.hpp"

template <class T, class U>
void check_same_shape(const char* what, const MatrixView<T>& ref,
                      const MatrixView<U>& v) {
    if (!ref.same_shape(v)) {
        throw ShapeError(std::string(what) + ": shape (" + std::to_string(v.rows) +
                         ", " + std::to_string(v.cols) + ") differs from param's (" +
                         std::to_string(ref.rows) + ", " + std::to_string(ref.cols) +
                         ")");
    }
}

}  // namespace

// Contiguous rows run the selected ISA's loops (kernels/update_impl.hpp, vectorized
// with that ISA's widths, division and square root included); strided rows apply the
// same rule objects element by element here - the same operations in the same order,
// so the same bits either way.

template <class T>
const kernels::UpdateKernels<T>& update_kernels() {
    if constexpr (std::is_same_v<T, float>) {
        return detail::select_kernels().update_f32;
    } else {
        return detail::select_kernels().update_f64;
    }
}

template <class T>
void sgd_step(MatrixView<T> param, MatrixView<const T> grad, double lr) {
    check_same_shape("sgd_step: grad", param, grad);
    const T lr_t = static_cast<T>(lr);
    const kernels::UpdateKernels<T>& k = update_kernels<T>();
    const SgdRule<T> rule{lr_t};
    for (index_t i = 0; i < param.rows; ++i) {
        const VectorView<T> p = param.row(i);
        const VectorView<const T> g = grad.row(i);
        if (p.stride == 1 && g.stride == 1) {
            k.sgd(p.data, g.data, p.size, lr_t);
            continue;
        }
        for (index_t j = 0; j < p.size; ++j) rule(p[j], g[j]);
    }
}

template <class T>
void momentum_step(MatrixView<T> param, MatrixView<const T> grad,
                   MatrixView<T> velocity, double lr, double momentum, bool nesterov) {
    check_same_shape("momentum_step: grad", param, grad);
    check_same_shape("momentum_step: velocity", param, velocity);
    const T lr_t = static_cast<T>(lr);
    const T mu = static_cast<T>(momentum);
    const kernels::UpdateKernels<T>& k = update_kernels<T>();
    const MomentumRule<T> rule{lr_t, mu, nesterov};
    for (index_t i = 0; i < param.rows; ++i) {
        const VectorView<T> p = param.row(i);
        const VectorView<const T> g = grad.row(i);
        const VectorView<T> v = velocity.row(i);
        if (p.stride == 1 && g.stride == 1 && v.stride == 1) {
            k.momentum(p.data, g.data, v.data, p.size, lr_t, mu, nesterov);
            continue;
        }
        for (index_t j = 0; j < p.size; ++j) rule(p[j], g[j], v[j]);
    }
}

template <class T>
void adam_step(MatrixView<T> param, MatrixView<const T> grad, MatrixView<T> m,
               MatrixView<T> v, double lr, double beta1, double beta2, double eps,
               std::int64_t step) {
    check_same_shape("adam_step: grad", param, grad);
    check_same_shape("adam_step: m", param, m);
    check_same_shape("adam_step: v", param, v);
    if (step < 1)
        throw ValueError("adam_step: step must be >= 1, got " + std::to_string(step));
    const double t = static_cast<double>(step);
    const kernels::AdamScalars<T> c{static_cast<T>(lr),
                                    static_cast<T>(beta1),
                                    static_cast<T>(beta2),
                                    static_cast<T>(1.0 - beta1),
                                    static_cast<T>(1.0 - beta2),
                                    static_cast<T>(eps),
                                    static_cast<T>(1.0 - std::pow(beta1, t)),
                                    static_cast<T>(1.0 - std::pow(beta2, t))};
    const kernels::UpdateKernels<T>& k = update_kernels<T>();
    const AdamRule<T> rule{c};
    for (index_t i = 0; i < param.rows; ++i) {
        const VectorView<T> p = param.row(i);
        const VectorView<const T> g = grad.row(i);
        const VectorView<T> mr = m.row(i);
        const VectorView<T> vr = v.row(i);
        if (p.stride == 1 && g.stride == 1 && mr.stride == 1 && vr.stride == 1) {
            k.adam(p.data, g.data, mr.data, vr.data, p.size, &c);
            continue;
        }
        for (index_t j = 0; j < p.size; ++j) rule(p[j], g[j], mr[j], vr[j]);
    }
}

#define MLPCORE_INSTANTIATE(T)                                                        \
    template void sgd_step<T>(MatrixView<T>, MatrixView<const T>, double);            \
    template void momentum_step<T>(MatrixView<T>, MatrixView<const T>, MatrixView<T>, \
                                   double, double, bool);                             \
    template void adam_step<T>(MatrixView<T>, MatrixView<const T>, MatrixView<T>,     \
                               MatrixView<T>, double, double, double, double,         \
                               std::int64_t);
MLPCORE_INSTANTIATE(float)
MLPCORE_INSTANTIATE(double)
#undef MLPCORE_INSTANTIATE

}  // namespace mlpcore
