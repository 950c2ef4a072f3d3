// Optimizer update steps (see optim.hpp for the formulas).
#include "mlpcore/optim.hpp"

#include <cmath>
#include <string>

#include "mlpcore/errors.hpp"

namespace mlpcore {
namespace {

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

// Each step states its per-element rule once, as a lambda, and applies it to every row
// twice over: through raw __restrict pointers when the row is contiguous (so the
// compiler vectorizes it) or through the strided views otherwise - the same arithmetic,
// so the same bits, either way.

template <class T>
void sgd_step(MatrixView<T> param, MatrixView<const T> grad, double lr) {
    check_same_shape("sgd_step: grad", param, grad);
    const T lr_t = static_cast<T>(lr);
    const auto rule = [lr_t](T& p, T g) { p = p - lr_t * g; };
    for (index_t i = 0; i < param.rows; ++i) {
        const VectorView<T> p = param.row(i);
        const VectorView<const T> g = grad.row(i);
        if (p.stride == 1 && g.stride == 1) {
            T* __restrict pd = p.data;
            const T* __restrict gd = g.data;
            for (index_t j = 0; j < p.size; ++j) rule(pd[j], gd[j]);
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
    const auto rule = [lr_t, mu, nesterov](T& p, T g, T& v) {
        v = mu * v + g;
        p = p - lr_t * (nesterov ? g + mu * v : v);
    };
    for (index_t i = 0; i < param.rows; ++i) {
        const VectorView<T> p = param.row(i);
        const VectorView<const T> g = grad.row(i);
        const VectorView<T> v = velocity.row(i);
        if (p.stride == 1 && g.stride == 1 && v.stride == 1) {
            T* __restrict pd = p.data;
            const T* __restrict gd = g.data;
            T* __restrict vd = v.data;
            for (index_t j = 0; j < p.size; ++j) rule(pd[j], gd[j], vd[j]);
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
    const T lr_t = static_cast<T>(lr);
    const T b1 = static_cast<T>(beta1), b2 = static_cast<T>(beta2);
    const T omb1 = static_cast<T>(1.0 - beta1), omb2 = static_cast<T>(1.0 - beta2);
    const T eps_t = static_cast<T>(eps);
    const double t = static_cast<double>(step);
    const T bc1 = static_cast<T>(1.0 - std::pow(beta1, t));
    const T bc2 = static_cast<T>(1.0 - std::pow(beta2, t));
    const auto rule = [=](T& p, T g, T& mj, T& vj) {
        mj = b1 * mj + omb1 * g;
        vj = b2 * vj + omb2 * (g * g);
        p = p - lr_t * (mj / bc1) / (std::sqrt(vj / bc2) + eps_t);
    };
    for (index_t i = 0; i < param.rows; ++i) {
        const VectorView<T> p = param.row(i);
        const VectorView<const T> g = grad.row(i);
        const VectorView<T> mr = m.row(i);
        const VectorView<T> vr = v.row(i);
        if (p.stride == 1 && g.stride == 1 && mr.stride == 1 && vr.stride == 1) {
            T* __restrict pd = p.data;
            const T* __restrict gd = g.data;
            T* __restrict md = mr.data;
            T* __restrict vd = vr.data;
            for (index_t j = 0; j < p.size; ++j) rule(pd[j], gd[j], md[j], vd[j]);
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
