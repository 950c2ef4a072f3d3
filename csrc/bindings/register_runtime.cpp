// Bindings for runtime settings and reports.
#include <string>

#include "arrays.hpp"
#include "mlpcore/runtime.hpp"

// Plain C entry points for threadpoolctl (python/mlpcore/_threadpool.py): it finds
// libraries among the loaded shared objects and drives them through ctypes, so the
// thread count must be reachable by symbol, not only through the Python module.
// They never throw: a count below 1 is clamped to 1.
extern "C" {
PYBIND11_EXPORT int mlpcore_get_num_threads() noexcept {
    return mlpcore::get_num_threads();
}
PYBIND11_EXPORT void mlpcore_set_num_threads(int n) noexcept {
    mlpcore::set_num_threads(n < 1 ? 1 : n);
}
}

namespace mlpcore::bind {

void register_runtime(py::module_& m) {
    m.def(
        "set_num_threads", &mlpcore::set_num_threads, py::arg("n"),
        "Use up to n >= 1 threads in large GEMMs and fit's data passes; results do not "
        "depend on n.");
    m.def("get_num_threads", &mlpcore::get_num_threads,
          "Threads used by large GEMMs and fit's data passes (default: the CPUs this "
          "process may use).");
    m.def(
        "cpu_features",
        [] {
            py::dict d;
            for (const auto& [name, ok] : mlpcore::cpu_features())
                d[py::str(name)] = ok;
            return d;
        },
        "Instruction-set features usable on this CPU, as {name: bool}.");
    m.def("kernel_isa", &mlpcore::kernel_isa,
          "Name of the micro-kernel set in use: generic, avx2 or avx512.");
    m.def("available_isas", &mlpcore::available_isas,
          "Kernel sets compiled in and usable on this CPU, comma-separated.");
    m.def(
        "fma_peak_gflops",
        [](const std::string& dtype, int threads) {
            if (dtype != "float32" && dtype != "float64") {
                throw py::value_error("dtype: expected 'float32' or 'float64', got '" +
                                      dtype + "'");
            }
            py::gil_scoped_release nogil;
            return mlpcore::fma_peak_gflops(dtype == "float64", threads);
        },
        py::arg("dtype"), py::arg("threads"),
        "Measured multiply-add peak of the selected kernels on `threads` threads "
        "(GFLOP/s).");
    // An invalid MLPCORE_ISA fails the import with a ValueError that says why.
    mlpcore::check_kernel_isa();
    m.attr("__version__") = mlpcore::version();
}

}  // namespace mlpcore::bind
