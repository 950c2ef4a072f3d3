// Bindings for gemm, dense layers and activations: check -> dispatch -> release GIL ->
// call.
#include <string>

#include "arrays.hpp"
#include "mlpcore/activations.hpp"
#include "mlpcore/dense.hpp"
#include "mlpcore/gemm.hpp"

namespace mlpcore::bind {
namespace {

std::string num(py::ssize_t v) { return std::to_string(v); }

void gemm_py(py::handle a_obj, py::handle b_obj, py::handle out_obj, bool trans_a,
             bool trans_b, double alpha, double beta) {
    Float f{};
    py::array a = float_matrix(a_obj, "a", f);
    py::array b = float_like(b_obj, "b", f, "a", 2);
    py::array out = float_like(out_obj, "out", f, "a", 2);
    const py::ssize_t m = a.shape(trans_a ? 1 : 0), k = a.shape(trans_a ? 0 : 1);
    const py::ssize_t bk = b.shape(trans_b ? 1 : 0), n = b.shape(trans_b ? 0 : 1);
    if (bk != k) {
        raise_value("b",
                    (trans_b ? "shape (n, " + num(k) + ") (trans_b=True)"
                             : "shape (" + num(k) + ", n)") +
                        " to match op(a)'s " + num(k) + " columns",
                    shape_str(b));
    }
    require_shape(out, "out", m, n, "for op(a) @ op(b)");
    require_writeable(out, "out");
    require_disjoint(out, "out", a, "a");
    require_disjoint(out, "out", b, "b");
    dispatch(f, [&](auto tag) {
        using T = decltype(tag);
        const MatrixView<const T> av = trans_a ? cmat<T>(a).transposed() : cmat<T>(a);
        const MatrixView<const T> bv = trans_b ? cmat<T>(b).transposed() : cmat<T>(b);
        const MatrixView<T> cv = mmat<T>(out);
        py::gil_scoped_release nogil;
        gemm<T>(static_cast<T>(alpha), av, bv, static_cast<T>(beta), cv);
    });
}

// x (n, i) and W (i, o), checked; returns W.
py::array check_weights(const py::array& x, py::handle w_obj, Float f) {
    py::array w = float_like(w_obj, "W", f, "x", 2);
    if (w.shape(0) != x.shape(1)) {
        raise_value("W",
                    "shape (" + num(x.shape(1)) + ", n_out) to match x's " +
                        num(x.shape(1)) + " columns",
                    shape_str(w));
    }
    return w;
}

py::tuple dense_forward_py(py::handle x_obj, py::handle w_obj, py::handle b_obj,
                           const std::string& activation) {
    const Activation act = parse_activation(activation, "activation");
    Float f{};
    py::array x = float_matrix(x_obj, "x", f);
    py::array w = check_weights(x, w_obj, f);
    py::array b = float_like(b_obj, "b", f, "x", 1);
    const py::ssize_t n = x.shape(0), o = w.shape(1);
    if (b.shape(0) != o) {
        raise_value("b", "shape (" + num(o) + ",) to match W's " + num(o) + " columns",
                    shape_str(b));
    }
    return dispatch(f, [&](auto tag) -> py::tuple {
        using T = decltype(tag);
        py::array z = new_matrix<T>(n, o);
        py::array a = new_matrix<T>(n, o);
        const auto xv = cmat<T>(x);
        const auto wv = cmat<T>(w);
        const auto bv = cvec<T>(b);
        const auto zv = mmat<T>(z);
        const auto av = mmat<T>(a);
        {
            py::gil_scoped_release nogil;
            dense_forward<T>(xv, wv, bv, act, zv, av);
        }
        return py::make_tuple(z, a);
    });
}

py::tuple dense_backward_py(py::handle x_obj, py::handle w_obj, py::handle z_obj,
                            py::handle a_obj, py::handle grad_a_obj,
                            const std::string& activation, bool need_grad_x) {
    const Activation act = parse_activation(activation, "activation");
    Float f{};
    py::array x = float_matrix(x_obj, "x", f);
    py::array w = check_weights(x, w_obj, f);
    const py::ssize_t n = x.shape(0), in = x.shape(1), o = w.shape(1);
    const char* why = "to match x's rows and W's columns";
    py::array z = float_like(z_obj, "z", f, "x", 2);
    require_shape(z, "z", n, o, why);
    py::array a = float_like(a_obj, "a", f, "x", 2);
    require_shape(a, "a", n, o, why);
    py::array ga = float_like(grad_a_obj, "grad_a", f, "x", 2);
    require_shape(ga, "grad_a", n, o, why);
    return dispatch(f, [&](auto tag) -> py::tuple {
        using T = decltype(tag);
        py::object grad_x = py::none();
        MatrixView<T> gxv;  // empty: skip grad_x
        if (need_grad_x) {
            py::array gx = new_matrix<T>(n, in);
            gxv = mmat<T>(gx);
            grad_x = gx;
        }
        py::array gw = new_matrix<T>(in, o);
        py::array gb = new_vector<T>(o);
        const auto xv = cmat<T>(x);
        const auto wv = cmat<T>(w);
        const auto zv = cmat<T>(z);
        const auto av = cmat<T>(a);
        const auto gav = cmat<T>(ga);
        const auto gwv = mmat<T>(gw);
        const auto gbv = mvec<T>(gb);
        {
            py::gil_scoped_release nogil;
            dense_backward<T>(xv, wv, zv, av, gav, act, gxv, gwv, gbv);
        }
        return py::make_tuple(grad_x, gw, gb);
    });
}

py::array activation_forward_py(const std::string& name, py::handle z_obj) {
    const Activation act = parse_activation(name, "name");
    Float f{};
    py::array z = float_matrix(z_obj, "z", f);
    return dispatch(f, [&](auto tag) -> py::array {
        using T = decltype(tag);
        py::array a = new_matrix<T>(z.shape(0), z.shape(1));
        const auto zv = cmat<T>(z);
        const auto av = mmat<T>(a);
        {
            py::gil_scoped_release nogil;
            activation_forward<T>(act, zv, av);
        }
        return a;
    });
}

py::array activation_backward_py(const std::string& name, py::handle z_obj,
                                 py::handle a_obj, py::handle grad_a_obj) {
    const Activation act = parse_activation(name, "name");
    Float f{};
    py::array z = float_matrix(z_obj, "z", f);
    const py::ssize_t n = z.shape(0), k = z.shape(1);
    py::array a = float_like(a_obj, "a", f, "z", 2);
    require_shape(a, "a", n, k, "like z");
    py::array ga = float_like(grad_a_obj, "grad_a", f, "z", 2);
    require_shape(ga, "grad_a", n, k, "like z");
    return dispatch(f, [&](auto tag) -> py::array {
        using T = decltype(tag);
        py::array gz = new_matrix<T>(n, k);
        const auto zv = cmat<T>(z);
        const auto av = cmat<T>(a);
        const auto gav = cmat<T>(ga);
        const auto gzv = mmat<T>(gz);
        {
            py::gil_scoped_release nogil;
            activation_backward<T>(act, zv, av, gav, gzv);
        }
        return gz;
    });
}

}  // namespace

void register_kernels(py::module_& m) {
    m.def("gemm", &gemm_py, py::arg("a"), py::arg("b"), py::arg("out"),
          py::arg("trans_a"), py::arg("trans_b"), py::arg("alpha"), py::arg("beta"),
          "out <- alpha * op(a) @ op(b) + beta * out, in place; op transposes when "
          "trans_a / trans_b. All arrays 2-D of one float dtype; out must not overlap "
          "a or "
          "b and is not read when beta == 0.");
    m.def("dense_forward", &dense_forward_py, py::arg("x"), py::arg("W"), py::arg("b"),
          py::arg("activation"),
          "(z, a) with z = x @ W + b and a = activation(z); x (n, n_in), W (n_in, "
          "n_out), "
          "b (n_out,). Returns new C-contiguous arrays.");
    m.def("dense_backward", &dense_backward_py, py::arg("x"), py::arg("W"),
          py::arg("z"), py::arg("a"), py::arg("grad_a"), py::arg("activation"),
          py::arg("need_grad_x"),
          "(grad_x or None, grad_W, grad_b) of a dense layer given grad_a = dC/da.");
    m.def("activation_forward", &activation_forward_py, py::arg("name"), py::arg("z"),
          "a = f(z) for a 2-D z (softmax row-wise).");
    m.def("activation_backward", &activation_backward_py, py::arg("name"), py::arg("z"),
          py::arg("a"), py::arg("grad_a"),
          "grad_z = grad_a * f'(z) (softmax: its Jacobian-vector product).");
}

}  // namespace mlpcore::bind
