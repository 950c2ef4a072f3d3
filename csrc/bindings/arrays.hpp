// Checked conversion of Python objects to mlpcore views.
//
// Every check raises with a message "<argname>: expected <expectation>, got <given>":
// TypeError for a non-array or a wrong dtype, ValueError for everything else (ndim,
// shape, emptiness, strides, alignment, read-only outputs, overlapping memory, labels).
// Views are taken only after every check passed, while the GIL is held; the py::array
// handles keep the buffers alive for the duration of the call.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cstdint>
#include <string>
#include <utility>

#include "mlpcore/activations.hpp"
#include "mlpcore/losses.hpp"
#include "mlpcore/view.hpp"

namespace mlpcore::bind {

namespace py = pybind11;

enum class Float { f32, f64 };

[[noreturn]] inline void raise_type(const std::string& name,
                                    const std::string& expected,
                                    const std::string& got) {
    throw py::type_error(name + ": expected " + expected + ", got " + got);
}

[[noreturn]] inline void raise_value(const std::string& name,
                                     const std::string& expected,
                                     const std::string& got) {
    throw py::value_error(name + ": expected " + expected + ", got " + got);
}

inline std::string shape_str(const py::array& a) {
    std::string s = "(";
    for (py::ssize_t d = 0; d < a.ndim(); ++d) {
        if (d > 0) s += ", ";
        s += std::to_string(a.shape(d));
    }
    return s + (a.ndim() == 1 ? ",)" : ")");
}

inline std::string dtype_str(const py::array& a) {
    return py::str(a.dtype()).cast<std::string>();
}

inline const char* float_name(Float f) {
    return f == Float::f32 ? "float32" : "float64";
}

// NumPy's builtin descriptor of T, looked up once and never released (it lives as long
// as the interpreter): dtype checks run on every call.
template <class T>
py::handle builtin_dtype() {
    static const py::handle dt = py::dtype::of<T>().release();
    return dt;
}

inline py::handle builtin_dtype(Float f) {
    return f == Float::f32 ? builtin_dtype<float>() : builtin_dtype<double>();
}

// Whether `a` has dtype `dt`: arrays of a builtin dtype share its descriptor, so
// identity settles the common case; any other descriptor (byte-swapped, with
// metadata) gets NumPy's full comparison.
inline bool same_descr(const py::array& a, py::handle dt) {
    return a.dtype().ptr() == dt.ptr();
}

inline bool has_dtype(const py::array& a, py::handle dt) {
    return same_descr(a, dt) || a.dtype().equal(py::reinterpret_borrow<py::dtype>(dt));
}

// `obj` as an ndarray (no conversion of lists or scalars), else TypeError.
inline py::array require_array(py::handle obj, const char* name) {
    if (!py::isinstance<py::array>(obj)) {
        raise_type(
            name, "a numpy.ndarray",
            py::str(py::type::handle_of(obj).attr("__name__")).cast<std::string>());
    }
    return py::reinterpret_borrow<py::array>(obj);
}

// The float dtype of `a` (native byte order float32/float64), else TypeError.
inline Float float_dtype(const py::array& a, const char* name) {
    // Identity for both first: a float64 array never pays NumPy's comparison with
    // float32.
    if (same_descr(a, builtin_dtype<float>())) return Float::f32;
    if (same_descr(a, builtin_dtype<double>())) return Float::f64;
    if (has_dtype(a, builtin_dtype<float>())) return Float::f32;
    if (has_dtype(a, builtin_dtype<double>())) return Float::f64;
    raise_type(name, "dtype float32 or float64", dtype_str(a));
}

inline void require_dtype_like(const py::array& a, const char* name, Float f,
                               const char* like) {
    if (!has_dtype(a, builtin_dtype(f))) {
        raise_type(name, std::string("dtype ") + float_name(f) + " like " + like,
                   dtype_str(a));
    }
}

inline std::string ndim_str(py::ssize_t ndim) { return std::to_string(ndim) + "-D"; }

inline void require_ndim(const py::array& a, const char* name, py::ssize_t ndim) {
    if (a.ndim() != ndim) {
        raise_value(name, "a " + ndim_str(ndim) + " array",
                    "a " + ndim_str(a.ndim()) + " array of shape " + shape_str(a));
    }
}

inline void require_ndim_1_or_2(const py::array& a, const char* name) {
    if (a.ndim() != 1 && a.ndim() != 2) {
        raise_value(name, "a 1-D or 2-D array",
                    "a " + ndim_str(a.ndim()) + " array of shape " + shape_str(a));
    }
}

// Non-empty, element-aligned strides and data pointer. The message is built only on
// failure: the check runs on every call.
inline void require_layout(const py::array& a, const char* name) {
    for (py::ssize_t d = 0; d < a.ndim(); ++d) {
        if (a.shape(d) <= 0)
            raise_value(name, "a non-empty array", "shape " + shape_str(a));
    }
    const py::ssize_t item = a.itemsize();
    bool ok = reinterpret_cast<std::uintptr_t>(a.data()) %
                  static_cast<std::uintptr_t>(item) ==
              0;
    for (py::ssize_t d = 0; d < a.ndim(); ++d) ok = ok && a.strides(d) % item == 0;
    if (ok) return;
    std::string strides = "(";
    for (py::ssize_t d = 0; d < a.ndim(); ++d)
        strides += (d > 0 ? ", " : "") + std::to_string(a.strides(d));
    raise_value(name,
                "data and strides aligned to the itemsize " + std::to_string(item),
                "byte strides " + strides + (a.ndim() == 1 ? ",)" : ")") +
                    " (an unaligned or byte-strided view)");
}

inline void require_writeable(const py::array& a, const char* name) {
    if (!a.writeable()) raise_value(name, "a writeable array", "a read-only array");
}

// The reason is `why` followed by `why_tail` (literals: nothing is built unless the
// check fails).
inline void require_shape(const py::array& a, const char* name, py::ssize_t rows,
                          py::ssize_t cols, const char* why,
                          const char* why_tail = "") {
    if (a.shape(0) != rows || a.shape(1) != cols) {
        raise_value(name,
                    "shape (" + std::to_string(rows) + ", " + std::to_string(cols) +
                        ") " + why + why_tail,
                    shape_str(a));
    }
}

// [lowest byte, one past the highest byte) touched by `a`.
inline std::pair<std::intptr_t, std::intptr_t> byte_extent(const py::array& a) {
    std::intptr_t lo = reinterpret_cast<std::intptr_t>(a.data());
    std::intptr_t hi = lo;
    for (py::ssize_t d = 0; d < a.ndim(); ++d) {
        const std::intptr_t span =
            static_cast<std::intptr_t>((a.shape(d) - 1) * a.strides(d));
        (span < 0 ? lo : hi) += span;
    }
    return {lo, hi + a.itemsize()};
}

inline void require_disjoint(const py::array& out, const char* out_name,
                             const py::array& in, const char* in_name) {
    const auto [lo1, hi1] = byte_extent(out);
    const auto [lo2, hi2] = byte_extent(in);
    if (lo1 < hi2 && lo2 < hi1) {
        raise_value(out_name, std::string("memory separate from ") + in_name,
                    "an array overlapping " + std::string(in_name));
    }
}

// A float32/float64 2-D non-empty array: the first (dtype-defining) operand of a call.
inline py::array float_matrix(py::handle obj, const char* name, Float& dtype) {
    py::array a = require_array(obj, name);
    dtype = float_dtype(a, name);
    require_ndim(a, name, 2);
    require_layout(a, name);
    return a;
}

// An array of dtype `f` (the dtype of `like`) with `ndim` dimensions, non-empty.
inline py::array float_like(py::handle obj, const char* name, Float f, const char* like,
                            py::ssize_t ndim) {
    py::array a = require_array(obj, name);
    require_dtype_like(a, name, f, like);
    require_ndim(a, name, ndim);
    require_layout(a, name);
    return a;
}

// Views: only after the checks above. 1-D arrays become 1 x n matrices.
template <class T>
MatrixView<const T> cmat(const py::array& a) {
    const auto* p = static_cast<const T*>(a.data());
    const auto s = static_cast<index_t>(sizeof(T));
    if (a.ndim() == 1) return {p, 1, a.shape(0), 0, a.strides(0) / s};
    return {p, a.shape(0), a.shape(1), a.strides(0) / s, a.strides(1) / s};
}

template <class T>
MatrixView<T> mmat(py::array& a) {
    auto* p = static_cast<T*>(a.mutable_data());
    const auto s = static_cast<index_t>(sizeof(T));
    if (a.ndim() == 1) return {p, 1, a.shape(0), 0, a.strides(0) / s};
    return {p, a.shape(0), a.shape(1), a.strides(0) / s, a.strides(1) / s};
}

template <class T>
VectorView<const T> cvec(const py::array& a) {
    return {static_cast<const T*>(a.data()), a.shape(0),
            a.strides(0) / static_cast<index_t>(sizeof(T))};
}

template <class T>
VectorView<T> mvec(py::array& a) {
    return {static_cast<T*>(a.mutable_data()), a.shape(0),
            a.strides(0) / static_cast<index_t>(sizeof(T))};
}

// A new C-contiguous (rows, cols) or (n,) array of T.
template <class T>
py::array_t<T> new_matrix(py::ssize_t rows, py::ssize_t cols) {
    return py::array_t<T>({rows, cols});
}
template <class T>
py::array_t<T> new_vector(py::ssize_t n) {
    return py::array_t<T>(n);
}

// Calls fn(T{}) with T = float or double.
template <class F>
decltype(auto) dispatch(Float f, F&& fn) {
    if (f == Float::f32) return fn(float{});
    return fn(double{});
}

inline Activation parse_activation(const std::string& name, const char* arg) {
    if (auto act = activation_from_name(name)) return *act;
    raise_value(arg, std::string("one of ") + activation_names(), "'" + name + "'");
}

inline Loss parse_loss(const std::string& name, const char* arg) {
    if (auto loss = loss_from_name(name)) return *loss;
    raise_value(arg, std::string("one of ") + loss_names(), "'" + name + "'");
}

// y_true of a loss call: a float matrix shaped like y_pred, or int64 labels (n,) in
// [0, k) for cross_entropy.
struct Target {
    py::array array;
    bool labels = false;
};

inline Target check_target(py::handle obj, const char* name, const py::array& y_pred,
                           const char* pred_name, Float f, Loss loss) {
    py::array y = require_array(obj, name);
    const py::ssize_t n = y_pred.shape(0), k = y_pred.shape(1);
    if (has_dtype(y, builtin_dtype<std::int64_t>())) {
        if (loss != Loss::cross_entropy) {
            raise_value(name,
                        "a float array (integer labels are accepted only by loss "
                        "'cross_entropy')",
                        "int64 labels for loss '" + std::string(loss_name(loss)) + "'");
        }
        require_ndim(y, name, 1);
        require_layout(y, name);
        if (y.shape(0) != n) {
            raise_value(name,
                        "shape (" + std::to_string(n) + ",) to match " + pred_name +
                            "'s " + std::to_string(n) + " rows",
                        shape_str(y));
        }
        const VectorView<const std::int64_t> lab = cvec<std::int64_t>(y);
        for (index_t i = 0; i < lab.size; ++i) {
            if (lab[i] < 0 || lab[i] >= k) {
                raise_value(name, "labels in [0, " + std::to_string(k) + ")",
                            std::to_string(lab[i]) + " at index " + std::to_string(i));
            }
        }
        return {std::move(y), true};
    }
    if (!has_dtype(y, builtin_dtype(f))) {
        raise_type(name,
                   std::string("dtype ") + float_name(f) + " like " + pred_name +
                       ", or int64 labels",
                   dtype_str(y));
    }
    require_ndim(y, name, 2);
    require_layout(y, name);
    require_shape(y, name, n, k, "like ", pred_name);
    return {std::move(y), false};
}

}  // namespace mlpcore::bind
