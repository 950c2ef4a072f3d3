// Binding of the training engine: keeps the bound NumPy arrays alive, checks every
// array it is given, releases the GIL around each step or forward pass.
#include <pybind11/stl.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "arrays.hpp"
#include "mlpcore/engine.hpp"

namespace mlpcore::bind {
namespace {

// Attribute names of a layer, interned once: sync() runs on every forward call, and
// attr("W") would build a new Python string per lookup. Never released (they live as
// long as the interpreter, like CPython's own interned names).
struct LayerNames {
    py::handle w, b, activation;
};
const LayerNames& layer_names() {
    static const LayerNames names{PyUnicode_InternFromString("W"),
                                  PyUnicode_InternFromString("b"),
                                  PyUnicode_InternFromString("activation")};
    return names;
}

class PyEngine {
public:
    PyEngine(const std::string& dtype, std::vector<index_t> sizes,
             const std::vector<std::string>& activations, const std::string& loss)
        : f_(dtype == "float32" ? Float::f32 : Float::f64) {
        if (dtype != "float32" && dtype != "float64")
            raise_value("dtype", "'float32' or 'float64'", "'" + dtype + "'");
        std::vector<Activation> acts;
        for (const auto& name : activations)
            acts.push_back(parse_activation(name, "activations"));
        const Loss l = parse_loss(loss, "loss");
        if (f_ == Float::f32) {
            e32_ = std::make_unique<Engine<float>>(sizes, acts, l);
        } else {
            e64_ = std::make_unique<Engine<double>>(sizes, acts, l);
        }
        sizes_ = std::move(sizes);
        for (const auto& name : activations) act_names_.emplace_back(name);
    }

    // Binds the W/b arrays of `layers` (objects with W, b and activation attributes,
    // e.g. mlpcore.Dense) unless they are the ones already bound: a few attribute reads
    // and pointer comparisons per layer. False when the layers no longer fit this
    // engine (count, sizes, activations or dtype changed): the caller rebuilds it.
    bool sync(py::handle layers_obj) {
        const py::sequence layers = py::reinterpret_borrow<py::sequence>(layers_obj);
        const index_t L = static_cast<index_t>(sizes_.size()) - 1;
        if (static_cast<index_t>(py::len(layers)) != L) return false;
        // Fast path (every forward call): the bound arrays are still the layers' own.
        const LayerNames& names = layer_names();
        bool same = static_cast<index_t>(params_.size()) == 2 * L;
        for (index_t l = 0; l < L && same; ++l) {
            const py::object layer = layers[static_cast<std::size_t>(l)];
            const py::object act = layer.attr(names.activation);
            py::str& bound_act = act_names_[static_cast<std::size_t>(l)];
            if (act.ptr() != bound_act.ptr()) {
                if (!act.equal(bound_act)) return false;
                // The layer's own string from now on: an identity check next time.
                if (py::isinstance<py::str>(act)) bound_act = act;
            }
            same = layer.attr(names.w).ptr() == params_[2 * l].ptr() &&
                   layer.attr(names.b).ptr() == params_[2 * l + 1].ptr();
        }
        if (same) return true;
        py::list params;
        const py::handle want = builtin_dtype(f_);
        for (index_t l = 0; l < L; ++l) {
            const py::object layer = layers[static_cast<std::size_t>(l)];
            const py::object act = layer.attr("activation");
            if (!act.equal(act_names_[static_cast<std::size_t>(l)])) return false;
            const py::object w_obj = layer.attr("W"), b_obj = layer.attr("b");
            if (!py::isinstance<py::array>(w_obj) || !py::isinstance<py::array>(b_obj))
                return false;
            const py::array w = w_obj, b = b_obj;
            if (!has_dtype(w, want) || w.ndim() != 2 || w.shape(0) != sizes_[l] ||
                w.shape(1) != sizes_[l + 1] || b.ndim() != 1 ||
                b.shape(0) != sizes_[l + 1])
                return false;
            params.append(w);
            params.append(b);
        }
        bind(params);
        return true;
    }

    // params: [W_0, b_0, W_1, b_1, ...], used in place.
    void bind(const py::list& params) {
        const index_t L = static_cast<index_t>(sizes_.size()) - 1;
        if (static_cast<index_t>(params.size()) != 2 * L)
            raise_value("params", std::to_string(2 * L) + " arrays",
                        std::to_string(params.size()));
        std::vector<py::array> keep;
        for (index_t l = 0; l < L; ++l) {
            py::array w = float_like(params[2 * l], "W", f_, "the network", 2);
            py::array b = float_like(params[2 * l + 1], "b", f_, "the network", 1);
            require_writeable(w, "W");
            require_writeable(b, "b");
            require_shape(w, "W", sizes_[l], sizes_[l + 1], "(n_in, n_out)");
            if (b.shape(0) != sizes_[l + 1])
                raise_value("b", "shape (" + std::to_string(sizes_[l + 1]) + ",)",
                            shape_str(b));
            keep.push_back(w);
            keep.push_back(b);
        }
        std::lock_guard<std::mutex> lock(mu_);
        dispatch(f_, [&](auto tag) {
            using T = decltype(tag);
            for (index_t l = 0; l < L; ++l)
                engine<T>().set_layer(l, mmat<T>(keep[2 * l]),
                                      mmat<T>(keep[2 * l + 1]));
        });
        params_ = std::move(keep);
    }

    // states: per layer and state k, (state of W, state of b) shaped like W and b.
    void set_optimizer(const std::string& kind, double lr, double momentum,
                       bool nesterov, double beta1, double beta2, double eps,
                       const py::list& states) {
        OptimConfig c;
        int k = 0;
        if (kind == "sgd") {
            c.kind = OptimKind::sgd;
        } else if (kind == "momentum") {
            c.kind = OptimKind::momentum;
            k = 1;
        } else if (kind == "adam") {
            c.kind = OptimKind::adam;
            k = 2;
        } else {
            raise_value("kind", "'sgd', 'momentum' or 'adam'", "'" + kind + "'");
        }
        c.lr = lr;
        c.momentum = momentum;
        c.nesterov = nesterov;
        c.beta1 = beta1;
        c.beta2 = beta2;
        c.eps = eps;
        const index_t L = static_cast<index_t>(sizes_.size()) - 1;
        if (static_cast<index_t>(states.size()) != 2 * k * L)
            raise_value("states", std::to_string(2 * k * L) + " arrays",
                        std::to_string(states.size()));
        std::vector<py::array> keep;
        for (py::ssize_t i = 0; i < static_cast<py::ssize_t>(states.size()); ++i) {
            const index_t l = i / (2 * k), w_or_b = i % 2;
            py::array s =
                float_like(states[i], "states", f_, "the network", w_or_b == 0 ? 2 : 1);
            require_writeable(s, "states");
            const index_t rows = w_or_b == 0 ? sizes_[l] : 1;
            if (s.size() != rows * sizes_[l + 1] ||
                (w_or_b == 0 && s.shape(0) != sizes_[l]))
                raise_value("states", "arrays shaped like the parameters",
                            shape_str(s));
            for (const auto& p : params_) require_disjoint(s, "states", p, "params");
            keep.push_back(s);
        }
        std::lock_guard<std::mutex> lock(mu_);
        dispatch(f_, [&](auto tag) {
            using T = decltype(tag);
            Engine<T>& e = engine<T>();
            for (index_t l = 0; l < L; ++l)
                for (int j = 0; j < k; ++j)
                    e.set_state(l, j, mmat<T>(keep[(l * k + j) * 2]),
                                mmat<T>(keep[(l * k + j) * 2 + 1]));
            e.set_optimizer(c);
        });
        states_ = std::move(keep);
    }

    void reserve(index_t batch) {
        std::lock_guard<std::mutex> lock(mu_);
        dispatch(f_, [&](auto tag) { engine<decltype(tag)>().reserve(batch); });
    }

    // One step on rows [0, n) of x and y; returns StepResult.status and accumulates
    // the epoch's loss sum and correct count when the step is applied.
    int step(py::handle x_obj, py::handle y_obj, index_t n, std::int64_t t,
             bool record) {
        py::array x = float_like(x_obj, "x", f_, "the network", 2);
        if (x.shape(0) < n || x.shape(1) != sizes_.front())
            raise_value("x", "at least n rows and n_in columns", shape_str(x));
        py::array y = require_array(y_obj, "y");
        const bool labels = has_dtype(y, builtin_dtype<std::int64_t>());
        if (labels) {
            require_ndim(y, "y", 1);
            require_layout(y, "y");
            if (y.shape(0) < n || y.strides(0) != sizeof(std::int64_t))
                raise_value("y", "contiguous int64 labels with at least n rows",
                            shape_str(y));
        } else {
            y = float_like(y_obj, "y", f_, "the network", 2);
            if (y.shape(0) < n || y.shape(1) != sizes_.back())
                raise_value("y", "at least n rows and n_out columns", shape_str(y));
        }
        StepResult r;
        dispatch(f_, [&](auto tag) {
            using T = decltype(tag);
            const MatrixView<const T> xv = cmat<T>(x).block(0, 0, n, sizes_.front());
            const auto* lab =
                labels ? static_cast<const std::int64_t*>(y.data()) : nullptr;
            const MatrixView<const T> yv =
                labels ? MatrixView<const T>()
                       : cmat<T>(y).block(0, 0, n, sizes_.back());
            py::gil_scoped_release nogil;
            std::lock_guard<std::mutex> lock(mu_);
            r = engine<T>().step(xv, lab, yv, n, t, record);
        });
        last_ = r;
        if (r.status == 0) {
            loss_sum_ += r.loss * static_cast<double>(n);  // as fit's Python loop
            correct_ += r.correct;
        }
        return r.status;
    }

    // The network's output for x, or None when x is not a ready input (then the caller
    // takes the checked path, which converts or raises).
    py::object forward(py::handle x_obj) {
        if (!py::isinstance<py::array>(x_obj)) return py::none();
        py::array x = py::reinterpret_borrow<py::array>(x_obj);
        if (!has_dtype(x, builtin_dtype(f_)) || x.ndim() != 2 || x.shape(0) < 1 ||
            x.shape(1) != sizes_.front())
            return py::none();
        for (int d = 0; d < 2; ++d)
            if (x.strides(d) % x.itemsize() != 0) return py::none();
        if (reinterpret_cast<std::uintptr_t>(x.data()) % x.itemsize() != 0)
            return py::none();
        return dispatch(f_, [&](auto tag) -> py::object {
            using T = decltype(tag);
            py::array_t<T> out = new_matrix<T>(x.shape(0), sizes_.back());
            const MatrixView<const T> xv = cmat<T>(x);
            const MatrixView<T> ov = mmat<T>(out);
            {
                py::gil_scoped_release nogil;
                std::lock_guard<std::mutex> lock(mu_);
                engine<T>().forward(xv, ov);
            }
            return std::move(out);
        });
    }

    void set_input_bound(double bound) {
        std::lock_guard<std::mutex> lock(mu_);
        dispatch(f_, [&](auto tag) { engine<decltype(tag)>().set_input_bound(bound); });
    }

    void reset_epoch() {
        loss_sum_ = 0.0;
        correct_ = 0;
    }
    double loss_sum() const { return loss_sum_; }
    std::int64_t correct() const { return correct_; }
    double last_loss() const { return last_.loss; }
    int bad_layer() const { return last_.bad_layer; }
    int nonfinite_activation() const { return last_.nonfinite_activation; }
    std::vector<double> grad_norms() const { return last_.grad_norms; }

private:
    template <class T>
    Engine<T>& engine() {
        if constexpr (std::is_same_v<T, float>) {
            return *e32_;
        } else {
            return *e64_;
        }
    }

    Float f_;
    std::vector<index_t> sizes_;
    std::unique_ptr<Engine<float>> e32_;
    std::unique_ptr<Engine<double>> e64_;
    std::vector<py::array> params_, states_;  // keep the bound memory alive
    std::vector<py::str> act_names_;
    std::mutex mu_;
    StepResult last_;
    double loss_sum_ = 0.0;
    std::int64_t correct_ = 0;
};

}  // namespace

void register_engine(py::module_& m) {
    py::class_<PyEngine>(m, "Engine",
                         "A whole training step in one call (see engine.hpp); private.")
        .def(py::init<const std::string&, std::vector<index_t>,
                      const std::vector<std::string>&, const std::string&>(),
             py::arg("dtype"), py::arg("sizes"), py::arg("activations"),
             py::arg("loss"))
        .def("bind", &PyEngine::bind, py::arg("params"))
        .def("sync", &PyEngine::sync, py::arg("layers"))
        .def("set_optimizer", &PyEngine::set_optimizer, py::arg("kind"), py::arg("lr"),
             py::arg("momentum"), py::arg("nesterov"), py::arg("beta1"),
             py::arg("beta2"), py::arg("eps"), py::arg("states"))
        .def("reserve", &PyEngine::reserve, py::arg("batch"))
        .def("step", &PyEngine::step, py::arg("x"), py::arg("y"), py::arg("n"),
             py::arg("t"), py::arg("record") = false)
        .def("forward", &PyEngine::forward, py::arg("x"))
        .def("set_input_bound", &PyEngine::set_input_bound, py::arg("bound"))
        .def("reset_epoch", &PyEngine::reset_epoch)
        .def_property_readonly("loss_sum", &PyEngine::loss_sum)
        .def_property_readonly("correct", &PyEngine::correct)
        .def_property_readonly("last_loss", &PyEngine::last_loss)
        .def_property_readonly("bad_layer", &PyEngine::bad_layer)
        .def_property_readonly("nonfinite_activation", &PyEngine::nonfinite_activation)
        .def_property_readonly("grad_norms", &PyEngine::grad_norms);
}

}  // namespace mlpcore::bind
