// Bindings for the in-place optimizer steps.
#include <algorithm>
#include <cstdint>
#include <string>

#include "arrays.hpp"
#include "mlpcore/optim.hpp"

namespace mlpcore::bind {
namespace {

// The updated parameter: float, 1-D or 2-D, non-empty, writeable.
py::array check_param(py::handle obj, Float& f) {
    py::array p = require_array(obj, "param");
    f = float_dtype(p, "param");
    require_ndim_1_or_2(p, "param");
    require_layout(p, "param");
    require_writeable(p, "param");
    return p;
}

// An array with param's dtype and shape.
py::array check_like_param(py::handle obj, const char* name, const py::array& param,
                           Float f) {
    py::array a = require_array(obj, name);
    require_dtype_like(a, name, f, "param");
    if (a.ndim() != param.ndim() ||
        !std::equal(param.shape(), param.shape() + param.ndim(), a.shape())) {
        raise_value(name, "shape " + shape_str(param) + " like param", shape_str(a));
    }
    require_layout(a, name);
    return a;
}

// An optimizer state array: like param, writeable, disjoint from everything before it.
py::array check_state(py::handle obj, const char* name, const py::array& param,
                      Float f) {
    py::array s = check_like_param(obj, name, param, f);
    require_writeable(s, name);
    require_disjoint(s, name, param, "param");
    return s;
}

void sgd_step_py(py::handle param_obj, py::handle grad_obj, double lr) {
    Float f{};
    py::array p = check_param(param_obj, f);
    py::array g = check_like_param(grad_obj, "grad", p, f);
    require_disjoint(p, "param", g, "grad");
    dispatch(f, [&](auto tag) {
        using T = decltype(tag);
        const auto pv = mmat<T>(p);
        const auto gv = cmat<T>(g);
        py::gil_scoped_release nogil;
        sgd_step<T>(pv, gv, lr);
    });
}

void momentum_step_py(py::handle param_obj, py::handle grad_obj,
                      py::handle velocity_obj, double lr, double momentum,
                      bool nesterov) {
    Float f{};
    py::array p = check_param(param_obj, f);
    py::array g = check_like_param(grad_obj, "grad", p, f);
    require_disjoint(p, "param", g, "grad");
    py::array v = check_state(velocity_obj, "velocity", p, f);
    require_disjoint(v, "velocity", g, "grad");
    dispatch(f, [&](auto tag) {
        using T = decltype(tag);
        const auto pv = mmat<T>(p);
        const auto gv = cmat<T>(g);
        const auto vv = mmat<T>(v);
        py::gil_scoped_release nogil;
        momentum_step<T>(pv, gv, vv, lr, momentum, nesterov);
    });
}

void adam_step_py(py::handle param_obj, py::handle grad_obj, py::handle m_obj,
                  py::handle v_obj, double lr, double beta1, double beta2, double eps,
                  std::int64_t step) {
    Float f{};
    py::array p = check_param(param_obj, f);
    py::array g = check_like_param(grad_obj, "grad", p, f);
    require_disjoint(p, "param", g, "grad");
    py::array m = check_state(m_obj, "m", p, f);
    require_disjoint(m, "m", g, "grad");
    py::array v = check_state(v_obj, "v", p, f);
    require_disjoint(v, "v", g, "grad");
    require_disjoint(v, "v", m, "m");
    if (step < 1) raise_value("step", "an integer >= 1", std::to_string(step));
    dispatch(f, [&](auto tag) {
        using T = decltype(tag);
        const auto pv = mmat<T>(p);
        const auto gv = cmat<T>(g);
        const auto mv = mmat<T>(m);
        const auto vv = mmat<T>(v);
        py::gil_scoped_release nogil;
        adam_step<T>(pv, gv, mv, vv, lr, beta1, beta2, eps, step);
    });
}

}  // namespace

void register_optim(py::module_& m) {
    m.def("sgd_step", &sgd_step_py, py::arg("param"), py::arg("grad"), py::arg("lr"),
          "param <- param - lr * grad, in place.");
    m.def("momentum_step", &momentum_step_py, py::arg("param"), py::arg("grad"),
          py::arg("velocity"), py::arg("lr"), py::arg("momentum"), py::arg("nesterov"),
          "velocity <- momentum * velocity + grad; param <- param - lr * (grad + "
          "momentum * velocity) if nesterov else param - lr * velocity; in place.");
    m.def(
        "adam_step", &adam_step_py, py::arg("param"), py::arg("grad"), py::arg("m"),
        py::arg("v"), py::arg("lr"), py::arg("beta1"), py::arg("beta2"), py::arg("eps"),
        py::arg("step"),
        "One Adam update of param, m and v in place; step is the 1-based step count.");
}

}  // namespace mlpcore::bind
