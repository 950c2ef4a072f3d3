// Bindings for losses: value, gradient and fused output-layer gradient.
#include <string>

#include "arrays.hpp"
#include "mlpcore/losses.hpp"

namespace mlpcore::bind {
namespace {

double loss_py(const std::string& name, py::handle y_pred_obj, py::handle y_true_obj) {
    const Loss loss = parse_loss(name, "name");
    Float f{};
    py::array p = float_matrix(y_pred_obj, "y_pred", f);
    const Target y = check_target(y_true_obj, "y_true", p, "y_pred", f, loss);
    return dispatch(f, [&](auto tag) -> double {
        using T = decltype(tag);
        const auto pv = cmat<T>(p);
        if (y.labels) {
            const auto lv = cvec<std::int64_t>(y.array);
            py::gil_scoped_release nogil;
            return loss_value<T>(loss, pv, lv);
        }
        const auto yv = cmat<T>(y.array);
        py::gil_scoped_release nogil;
        return loss_value<T>(loss, pv, yv);
    });
}

py::array loss_grad_py(const std::string& name, py::handle y_pred_obj,
                       py::handle y_true_obj) {
    const Loss loss = parse_loss(name, "name");
    Float f{};
    py::array p = float_matrix(y_pred_obj, "y_pred", f);
    const Target y = check_target(y_true_obj, "y_true", p, "y_pred", f, loss);
    return dispatch(f, [&](auto tag) -> py::array {
        using T = decltype(tag);
        py::array g = new_matrix<T>(p.shape(0), p.shape(1));
        const auto pv = cmat<T>(p);
        const auto gv = mmat<T>(g);
        if (y.labels) {
            const auto lv = cvec<std::int64_t>(y.array);
            py::gil_scoped_release nogil;
            loss_grad<T>(loss, pv, lv, gv);
        } else {
            const auto yv = cmat<T>(y.array);
            py::gil_scoped_release nogil;
            loss_grad<T>(loss, pv, yv, gv);
        }
        return g;
    });
}

py::array output_grad_py(const std::string& activation, const std::string& loss_name_,
                         py::handle z_obj, py::handle a_obj, py::handle y_true_obj) {
    const Activation act = parse_activation(activation, "activation");
    const Loss loss = parse_loss(loss_name_, "loss");
    Float f{};
    py::array z = float_matrix(z_obj, "z", f);
    py::array a = float_like(a_obj, "a", f, "z", 2);
    require_shape(a, "a", z.shape(0), z.shape(1), "like z");
    const Target y = check_target(y_true_obj, "y_true", a, "a", f, loss);
    return dispatch(f, [&](auto tag) -> py::array {
        using T = decltype(tag);
        py::array g = new_matrix<T>(z.shape(0), z.shape(1));
        const auto zv = cmat<T>(z);
        const auto av = cmat<T>(a);
        const auto gv = mmat<T>(g);
        if (y.labels) {
            const auto lv = cvec<std::int64_t>(y.array);
            py::gil_scoped_release nogil;
            output_grad<T>(act, loss, zv, av, lv, gv);
        } else {
            const auto yv = cmat<T>(y.array);
            py::gil_scoped_release nogil;
            output_grad<T>(act, loss, zv, av, yv, gv);
        }
        return g;
    });
}

}  // namespace

void register_losses(py::module_& m) {
    m.def("loss", &loss_py, py::arg("name"), py::arg("y_pred"), py::arg("y_true"),
          "Cost value of y_pred (n, k) against y_true: a float array like y_pred, or "
          "int64 labels (n,) for cross_entropy.");
    m.def("loss_grad", &loss_grad_py, py::arg("name"), py::arg("y_pred"),
          py::arg("y_true"), "dC/dy_pred as a new array shaped like y_pred.");
    m.def("output_grad", &output_grad_py, py::arg("activation"), py::arg("loss"),
          py::arg("z"), py::arg("a"), py::arg("y_true"),
          "dC/dz of the output layer (fused for softmax + cross_entropy and sigmoid + "
          "binary_cross_entropy).");
}

}  // namespace mlpcore::bind
