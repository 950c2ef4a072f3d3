// mlpcore._core: the private compiled core. Each register_* adds one area's functions.
#include <pybind11/pybind11.h>

namespace py = pybind11;

namespace mlpcore::bind {
void register_kernels(py::module_& m);
void register_losses(py::module_& m);
void register_optim(py::module_& m);
void register_rows(py::module_& m);
void register_runtime(py::module_& m);
void register_engine(py::module_& m);
}  // namespace mlpcore::bind

PYBIND11_MODULE(_core, m) {
    m.doc() = "mlpcore's compiled kernels (private; use mlpcore's Python API).";
    mlpcore::bind::register_kernels(m);
    mlpcore::bind::register_losses(m);
    mlpcore::bind::register_optim(m);
    mlpcore::bind::register_rows(m);
    mlpcore::bind::register_runtime(m);
    mlpcore::bind::register_engine(m);
}
