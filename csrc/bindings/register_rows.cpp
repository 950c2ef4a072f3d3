// Bindings of the data path's whole-array passes (rows.hpp): the magnitude scan fit
// runs over X, and the capsule through which the Cython data source gathers rows.
#include "arrays.hpp"
#include "mlpcore/rows.hpp"

namespace mlpcore::bind {

void register_rows(py::module_& m) {
    m.def(
        "max_abs",
        [](py::handle x) {
            Float f{};
            const py::array a = float_matrix(x, "x", f);
            py::gil_scoped_release nogil;
            return f == Float::f32 ? max_abs<float>(cmat<float>(a))
                                   : max_abs<double>(cmat<double>(a));
        },
        py::arg("x"),
        "max |x| over a 2-D float array (any strides), inf when it holds a NaN or "
        "Inf.");
    // A capsule of a C table, not a Python function: the data source calls it without
    // the GIL, once per minibatch.
    m.attr("rows_api") =
        py::capsule(static_cast<const void*>(&rows_api()), kRowsApiName);
}

}  // namespace mlpcore::bind
