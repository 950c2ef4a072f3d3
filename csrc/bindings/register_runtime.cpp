// Bindings for runtime settings and reports.
#include "arrays.hpp"
#include "mlpcore/runtime.hpp"

namespace mlpcore::bind {

void register_runtime(py::module_& m) {
    m.def("set_num_threads", &mlpcore::set_num_threads, py::arg("n"),
          "Use up to n >= 1 threads in large GEMMs; results do not depend on n.");
    m.def("get_num_threads", &mlpcore::get_num_threads,
          "Threads used by large GEMMs (default: the CPUs this process may use).");
    m.def(
        "cpu_features",
        [] {
            py::dict d;
            for (const auto& [name, ok] : mlpcore::cpu_features())
                d[py::str(name)] = ok;
            return d;
        },
        "Instruction-set features usable on this CPU, as {name: bool}.");
    m.def("kernel_isa", &mlpcore::kernel_isa, "Name of the GEMM kernel family in use.");
    m.attr("__version__") = mlpcore::version();
}

}  // namespace mlpcore::bind
